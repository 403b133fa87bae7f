// The web app against a real local chain in headless Chromium, with a test
// wallet registered through the Wallet Standard. One story in order: look
// around, connect, delegate, get paid by a verified batch and claim, propose
// and vote, be refused, finalize and execute, undelegate and watch the
// cooldown, cancel a proposal. Exact base units everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { rmSync } from 'node:fs';
import idl from '../../../../programs/edgefuel/idl/edgefuel.json';
import {
  cli,
  efuelOf,
  injectWallet,
  launchBrowser,
  payBatch,
  screenshot,
  secretKey,
  SCREENSHOTS,
  serveApp,
  startLocalnet,
  type Localnet,
} from './harness';

const EFUEL = 1_000_000_000n;
const VOTING_SECONDS = 12;
// The default bootstrap with a short vote and timelock, and a second operator.
const BOOTSTRAP = `
[params]
voting_seconds = ${VOTING_SECONDS}
timelock_seconds = 1

[[accounts]]
key = "genesis-owner.json"
sol = 100
[[accounts]]
key = "guardian.json"
sol = 10
[[accounts]]
key = "verifier-1.json"
sol = 10
[[accounts]]
key = "verifier-2.json"
sol = 10
[[accounts]]
key = "verifier-3.json"
sol = 10
[[accounts]]
key = "operator.json"
sol = 100
efuel = 100_000
[[accounts]]
key = "operator-2.json"
sol = 100
efuel = 100_000
[[accounts]]
key = "staker.json"
sol = 100
efuel = 100_000
`;

const errorMsg = (name: string) => idl.errors.find((e) => e.name === name)!.msg;

let net: Localnet;
let app: { url: string; close: () => Promise<void> };
let context: BrowserContext;
let userDataDir: string;
let page: Page;
let staker: string;
let operator: string;
let operator2: string;
let mint: string;

/** Waits until the app has rendered `route` and is neither rendering nor sending. */
async function settled(route: string): Promise<void> {
  const testid = `page-${route.split('/')[0]}`;
  await page.waitForFunction(
    (id) => !!document.querySelector(`main section[data-testid="${id}"][data-ready]`) && !document.body.dataset.rendering && !document.body.dataset.sending,
    testid,
  );
}

async function open(route: string): Promise<void> {
  await page.goto(`${app.url}?cluster=custom&url=${encodeURIComponent(net.url)}#/${route}`);
  await settled(route);
}

/** Navigates in the app (the wallet stays connected); re-reads the chain. */
async function go(route: string): Promise<void> {
  await page.evaluate((r) => {
    document.querySelector('main section')?.removeAttribute('data-ready');
    if (location.hash === `#/${r}`) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = `#/${r}`;
  }, route);
  await settled(route);
}

/** Clicks and waits for the transaction it starts to finish; returns its entry's final state. */
async function transact(selector: string): Promise<{ status: string; seen: string[]; error?: string; code?: string; text: string; explorer: string | null }> {
  const before = await page.locator('[data-testid=tx]').count();
  await page.locator(selector).first().click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=tx]').length > n, before);
  await page.waitForFunction(() => {
    const e = document.querySelector('[data-testid=tx]');
    return e && ['confirmed', 'failed'].includes(e.getAttribute('data-status') ?? '');
  }, null, { timeout: 60_000 });
  // The page refreshes after every transaction; wait for it to settle.
  await page.waitForFunction(() => !document.body.dataset.sending && !document.body.dataset.rendering);
  return page.evaluate(() => {
    const e = document.querySelector('[data-testid=tx]')!;
    const err = e.querySelector('[data-testid=tx-error]');
    return {
      status: e.getAttribute('data-status')!,
      seen: (window as unknown as { __txSeen: string[] }).__txSeen.splice(0),
      error: err?.getAttribute('data-error-name') ?? undefined,
      code: err?.getAttribute('data-error-code') ?? undefined,
      text: (e as HTMLElement).innerText,
      explorer: e.querySelector('[data-testid=tx-explorer]')?.getAttribute('href') ?? null,
    };
  });
}

async function baseUnits(selector: string): Promise<bigint> {
  return BigInt((await page.locator(selector).first().getAttribute('data-base-units'))!);
}

beforeAll(async () => {
  net = await startLocalnet(BOOTSTRAP);
  staker = String((await cli(net, 'staker.json', ['address'])).address);
  operator = String((await cli(net, 'operator.json', ['address'])).address);
  operator2 = String((await cli(net, 'operator-2.json', ['address'])).address);
  const register = (key: string, gpu: string, commission: string, stake: string) =>
    cli(net, key, ['node', 'register', '--endpoint', 'https://node.example:7443', '--gpu-model', gpu, '--vram-mib', '24576', '--region', 'eu-west', '--commission-bps', commission, '--stake', stake]);
  await register('operator.json', 'RTX 4090', '500', '1500');
  await register('operator-2.json', 'L4', '1000', '1200');
  app = await serveApp();
  ({ context, userDataDir } = await launchBrowser());
  await injectWallet(context, secretKey(net, 'staker.json'), net.url);
  // Record every status a transaction entry goes through.
  await context.addInitScript(() => {
    const w = window as unknown as { __txSeen: string[] };
    w.__txSeen = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        const seen = (status: string | null) => {
          if (status && w.__txSeen[w.__txSeen.length - 1] !== status) w.__txSeen.push(status);
        };
        if (r.type === 'attributes' && el.getAttribute('data-testid') === 'tx') seen(el.getAttribute('data-status'));
        for (const n of r.addedNodes) if (n instanceof Element && n.getAttribute('data-testid') === 'tx') seen(n.getAttribute('data-status'));
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  if (process.env.EDGEFUEL_WEB_CONSOLE) page.on('console', (m) => console.log(`[page ${m.type()}] ${new Date().toISOString()} ${m.text()}`));
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await app?.close();
  await net?.stop();
});

describe('EdgeFuel web app on a local chain', () => {
  it('shows the network: params, verifier set, guardian, supply', async () => {
    await open('network');
    await expect(page.locator('[data-param=min_node_stake]').getAttribute('data-raw')).resolves.toBe('1000000000000');
    await expect(page.locator('[data-param=voting_seconds]').getAttribute('data-raw')).resolves.toBe(String(VOTING_SECONDS));
    await expect(page.locator('[data-testid=verifiers]').getAttribute('data-threshold')).resolves.toBe('2');
    await expect(page.locator('[data-testid=verifiers] li').count()).resolves.toBe(3);
    expect(await baseUnits('[data-testid=total-bonded]')).toBe(2_700n * EFUEL);
    expect(await baseUnits('[data-testid=supply]')).toBe(1_000_000_000n * EFUEL);
    await expect(page.locator('[data-testid=paused]').innerText()).resolves.toBe('nothing');
    mint = (await page.locator('[data-testid=mint]').getAttribute('data-address'))!;
    await expect(page.locator('[data-testid=cluster] option').allInnerTexts()).resolves.toEqual(['local chain', 'devnet', 'mainnet', 'custom URL']);
    await expect(page.locator('[data-testid=cluster]').inputValue()).resolves.toBe('custom');
    await screenshot(page, '1-network');
  });

  it('connects the Wallet Standard test wallet', async () => {
    await page.locator('[data-testid=wallet-option][data-wallet="EdgeFuel Test Wallet"]').click();
    await expect(page.locator('[data-testid=wallet-connected]').getAttribute('data-address')).resolves.toBe(staker);
    await page.waitForFunction(() => document.querySelector('[data-testid=wallet-balance]')?.getAttribute('data-base-units'));
    expect(await baseUnits('[data-testid=wallet-balance]')).toBe(100_000n * EFUEL);
  });

  it('lists nodes sortable by their record and shows a node in detail', async () => {
    await go('nodes');
    const order = () => page.locator('[data-testid=node-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-operator')));
    await expect(order()).resolves.toEqual([operator, operator2]); // by stake, 1500 before 1200
    expect(await baseUnits(`[data-testid=node-row][data-operator="${operator2}"] [data-col=stake]`)).toBe(1_200n * EFUEL);
    await page.locator('th[data-sort=commission]').click();
    await page.waitForSelector('th[data-sort=commission][aria-sort=descending]');
    await expect(order()).resolves.toEqual([operator2, operator]); // 10 % before 5 %
    await page.locator('th[data-sort=commission]').click();
    await page.waitForSelector('th[data-sort=commission][aria-sort=ascending]');
    await expect(order()).resolves.toEqual([operator, operator2]);
    await screenshot(page, '2-nodes');
    await page.locator(`[data-testid=node-row][data-operator="${operator}"] a`).click();
    await page.waitForSelector('[data-testid=page-node][data-ready]');
    expect(await baseUnits('[data-testid=pool-tokens]')).toBe(1_500n * EFUEL);
    await expect(page.locator('[data-testid=chart-work]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid=delegators] tbody tr').count()).resolves.toBe(1);
  });

  it('delegates 250.5 EFUEL: pending, then confirmed, balances move by the exact amount', async () => {
    const before = await efuelOf(net.url, staker, mint);
    await page.locator('[data-testid=delegate-amount]').fill('250.5');
    const tx = await transact('[data-testid=delegate-submit]');
    expect(tx.status).toBe('confirmed');
    expect(tx.seen).toEqual(['signing', 'pending', 'confirmed']);
    expect(tx.explorer).toMatch(/^https:\/\/explorer\.solana\.com\/tx\/\w+\?cluster=custom&customUrl=http%3A%2F%2F127\.0\.0\.1%3A\d+$/);
    expect(await efuelOf(net.url, staker, mint)).toBe(before - 250_500_000_000n);
    expect(await baseUnits('[data-testid=pool-tokens]')).toBe(1_750_500_000_000n);
    expect(await baseUnits(`[data-testid=delegators] tr[data-staker="${staker}"] td:nth-child(2)`)).toBe(250_500_000_000n);
    await page.waitForFunction((b) => document.querySelector('[data-testid=wallet-balance]')?.getAttribute('data-base-units') === b, String(before - 250_500_000_000n));
    await screenshot(page, '3-node');
    await go('stake');
    expect(await baseUnits('[data-testid=position] [data-testid=bonded]')).toBe(250_500_000_000n);
    expect(await baseUnits('[data-testid=wallet-efuel]')).toBe(before - 250_500_000_000n);
  });

  it('claims exactly what a verified batch paid', async () => {
    const paid = await payBatch(net, 'operator.json', ['verifier-1.json', 'verifier-2.json']);
    const owed = BigInt(paid.claimable[staker]);
    expect(owed).toBeGreaterThan(0n);
    await go('network');
    await go('stake');
    expect(await baseUnits('[data-testid=position] [data-testid=claimable]')).toBe(owed);
    const before = await efuelOf(net.url, staker, mint);
    const tx = await transact('[data-testid=position] [data-testid=claim]');
    expect(tx.status).toBe('confirmed');
    expect(await efuelOf(net.url, staker, mint)).toBe(before + owed);
    expect(await baseUnits('[data-testid=position] [data-testid=claimable]')).toBe(0n);
    expect(await baseUnits('[data-testid=position] [data-testid=claimed]')).toBe(owed);
    await go('node/' + operator);
    // One bar per epoch with stats: the delegations' epoch (nothing earned) and the batch's.
    const bars = page.locator('[data-testid=chart-rewards] rect');
    await expect(bars.count()).resolves.toBe(2);
    await expect(bars.first().getAttribute('data-value')).resolves.toBe('0');
    await expect(bars.last().getAttribute('data-value')).resolves.toBe(paid.reward);
  });

  it('creates a proposal, votes on it and shows the tally', async () => {
    await go('governance');
    await page.locator('[data-testid=propose-description]').fill('https://forum.example/edgefuel/threshold-3');
    await page.locator('[data-testid=propose-kind]').selectOption('SetVerifierThreshold');
    await page.locator('[data-testid=propose-threshold]').fill('3');
    const created = await transact('[data-testid=propose-submit]');
    expect(created.status).toBe('confirmed');
    const card = page.locator('[data-testid=proposal][data-id="0"]');
    await expect(card.getAttribute('data-status')).resolves.toBe('Voting');
    await expect(card.locator('h3').innerText()).resolves.toContain('set verifier threshold to 3');
    const voted = await transact('[data-testid=proposal][data-id="0"] [data-testid=vote-yes]');
    expect(voted.status).toBe('confirmed');
    expect(await baseUnits('[data-testid=proposal][data-id="0"] [data-testid=tally-yes]')).toBe(250_500_000_000n);
    // The operator votes too (CLI), and the page shows both.
    await cli(net, 'operator.json', ['gov', 'vote', '0', 'yes']);
    await go('network');
    await go('governance');
    expect(await baseUnits('[data-testid=proposal][data-id="0"] [data-testid=tally-yes]')).toBe(1_750_500_000_000n);
    expect(await baseUnits('[data-testid=proposal][data-id="0"] [data-testid=tally-no]')).toBe(0n);
    // Quorum: 20 % of the 2 950.5 EFUEL bonded when it opened, rounded up.
    await expect(card.locator('[data-testid=quorum]').getAttribute('data-needed')).resolves.toBe('590100000000');
    await expect(card.locator('[data-testid=voting-countdown]').innerText()).resolves.toMatch(/^\d+s$/);
    await screenshot(page, '4-governance');
  });

  it('shows a refused transaction with the program error in words', async () => {
    await go('stake');
    const tx = await transact('[data-testid=position] [data-testid=undelegate]');
    expect(tx.status).toBe('failed');
    expect(tx.error).toBe('StakeLockedByVote');
    expect(tx.text).toContain(errorMsg('StakeLockedByVote'));
    expect(tx.code).toBe(String(idl.errors.find((e) => e.name === 'StakeLockedByVote')!.code));
    expect(tx.explorer).toContain('https://explorer.solana.com/tx/inspector');
    expect(await baseUnits('[data-testid=position] [data-testid=bonded]')).toBe(250_500_000_000n);
    await screenshot(page, '5-refused');
  });

  it('finalizes the passed proposal and executes it after the timelock', async () => {
    await go('governance');
    const card = page.locator('[data-testid=proposal][data-id="0"]');
    await page.waitForFunction(() => document.querySelector('[data-testid=proposal][data-id="0"] [data-testid=voting-countdown]')?.textContent === 'now', null, {
      timeout: (VOTING_SECONDS + 5) * 1000,
    });
    await page.waitForTimeout(1200);
    expect((await transact('[data-testid=proposal][data-id="0"] [data-testid=finalize]')).status).toBe('confirmed');
    await expect(card.getAttribute('data-status')).resolves.toBe('Passed');
    await page.waitForTimeout(1500);
    expect((await transact('[data-testid=proposal][data-id="0"] [data-testid=execute]')).status).toBe('confirmed');
    await expect(card.getAttribute('data-status')).resolves.toBe('Executed');
    await go('network');
    await expect(page.locator('[data-testid=verifiers]').getAttribute('data-threshold')).resolves.toBe('3');
  });

  it('undelegates and counts down the cooldown; an early withdraw is refused', async () => {
    await go('stake');
    await page.locator('[data-testid=position] [data-testid=undelegate-amount]').fill('100');
    const tx = await transact('[data-testid=position] [data-testid=undelegate]');
    expect(tx.status).toBe('confirmed');
    expect(await baseUnits('[data-testid=position] [data-testid=unbonding]')).toBe(100n * EFUEL);
    expect(await baseUnits('[data-testid=position] [data-testid=bonded]')).toBe(150_500_000_000n);
    const countdown = page.locator('[data-testid=unbonding-countdown]');
    const left1 = Number(await countdown.getAttribute('data-left'));
    expect(left1).toBeGreaterThan(230);
    expect(left1).toBeLessThanOrEqual(240);
    await expect(countdown.innerText()).resolves.toMatch(/^[34]m \d+s$/);
    await page.waitForTimeout(2100);
    expect(Number(await countdown.getAttribute('data-left'))).toBeLessThan(left1);
    const early = await transact('[data-testid=position] [data-testid=withdraw]');
    expect(early.status).toBe('failed');
    expect(early.error).toBe('StillUnbonding');
    expect(early.text).toContain(errorMsg('StillUnbonding'));
    await screenshot(page, '6-stake');
    // The README's picture: one screen of the stake page.
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.screenshot({ path: `${SCREENSHOTS}/readme-stake.png` });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('cancels a proposal while it is being voted on', async () => {
    await go('governance');
    await page.locator('[data-testid=propose-description]').fill('https://forum.example/edgefuel/guardian');
    await page.locator('[data-testid=propose-kind]').selectOption('SetGuardian');
    await page.locator('[data-testid=propose-address]').fill(operator2);
    expect((await transact('[data-testid=propose-submit]')).status).toBe('confirmed');
    const card = page.locator('[data-testid=proposal][data-id="1"]');
    await expect(card.locator('h3').innerText()).resolves.toContain(`set guardian to ${operator2}`);
    expect((await transact('[data-testid=proposal][data-id="1"] [data-testid=cancel]')).status).toBe('confirmed');
    await expect(card.getAttribute('data-status')).resolves.toBe('Cancelled');
  });
});
