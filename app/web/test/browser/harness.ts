// What the browser tests run on: a real `edgefuel-localnet` on free loopback
// ports, the `edgefuel` CLI and `edgefuel-web-fixture` for what other roles do
// (operators, verifiers), the built app served by `vite preview`, and
// Debian's Chromium driven by playwright-core with the test wallet injected.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

const run = promisify(execFile);
export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = join(WEB, 'test-results');
export const SCREENSHOTS = join(RESULTS, 'screenshots');

/** Where the workspace's debug binaries are (scripts/test builds them). */
export function binDir(): string {
  if (process.env.EDGEFUEL_BIN_DIR) return process.env.EDGEFUEL_BIN_DIR;
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/edgefuel-target');
  return join(target, 'debug');
}

function bin(name: string): string {
  const path = join(binDir(), name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`cargo build --workspace --bins\` (with the same CARGO_TARGET_DIR) first`);
  return path;
}

/** A TCP port whose successor is free too (the websocket listens on port + 1). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    const next = await new Promise<boolean>((ok) => {
      const s = createServer();
      s.once('error', () => ok(false));
      s.listen(port + 1, '127.0.0.1', () => s.close(() => ok(true)));
    });
    if (next && port < 65535) return port;
  }
  throw new Error('no free port pair on 127.0.0.1');
}

export interface Localnet {
  url: string;
  keysDir: string;
  key(name: string): string;
  stop(): Promise<void>;
}

/** Starts the local chain with the default bootstrap merged with `bootstrapToml`. */
export async function startLocalnet(bootstrapToml: string): Promise<Localnet> {
  const dir = mkdtempSync(join(tmpdir(), 'edgefuel-web-'));
  const keysDir = join(dir, 'keys');
  const bootstrap = join(dir, 'bootstrap.toml');
  writeFileSync(bootstrap, bootstrapToml);
  const port = await freePortPair();
  const child: ChildProcess = spawn(bin('edgefuel-localnet'), ['--port', String(port), '--keys-dir', keysDir, '--bootstrap', bootstrap], {
    env: { ...process.env, RUST_LOG: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`edgefuel-localnet not ready in 60 s:\n${lines.join('\n')}`)), 60_000);
    child.once('exit', (code) => fail(new Error(`edgefuel-localnet exited with ${code}:\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (lines.length < 200) lines.push(line);
      if (line.startsWith('Ready')) {
        clearTimeout(timer);
        ok();
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    keysDir,
    key: (name) => join(keysDir, name),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGINT'); // Ctrl-C: the chain removes its scratch files
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `edgefuel -u URL -k KEY --output json ARGS…` (HOME is a temp dir: no machine config leaks in). */
export async function cli(net: Localnet, key: string, args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(bin('edgefuel'), ['-u', net.url, '-k', net.key(key), '--output', 'json', ...args], {
    env: { ...process.env, HOME: dirname(net.keysDir) },
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`edgefuel ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  });
  return JSON.parse(stdout);
}

/** Runs one batch of `operator`'s node to an accepted verdict (edgefuel-web-fixture pay-batch). */
export async function payBatch(net: Localnet, operator: string, verifiers: string[]): Promise<{ reward: string; claimable: Record<string, string> }> {
  const args = ['pay-batch', '--url', net.url, '--operator', net.key(operator), ...verifiers.flatMap((v) => ['--verifier', net.key(v)])];
  const { stdout } = await run(bin('edgefuel-web-fixture'), args, { env: { ...process.env, RUST_LOG: 'error' } });
  return JSON.parse(stdout);
}

export function secretKey(net: Localnet, name: string): number[] {
  return JSON.parse(readFileSync(net.key(name), 'utf8'));
}

/** Serves the built app (dist/) on a free loopback port. */
export async function serveApp(): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(WEB, 'dist/index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const server: PreviewServer = await preview({ root: WEB, configFile: join(WEB, 'vite.config.ts'), preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  return { url, close: () => server.close() };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<{ browser: Browser; context: BrowserContext; userDataDir: string }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'edgefuel-chromium-'));
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return { browser: context.browser()!, context, userDataDir };
}

/** Injects the Wallet Standard test wallet (built by vite.wallet.config.ts) holding `secret`. */
export async function injectWallet(context: BrowserContext, secret: number[], rpcUrl: string): Promise<void> {
  const bundle = join(RESULTS, 'wallet/test-wallet.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build:wallet\``);
  await context.addInitScript(`window.__EDGEFUEL_TEST_WALLET__ = ${JSON.stringify({ secretKey: secret, rpcUrl })};`);
  await context.addInitScript({ path: bundle });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Plain JSON-RPC from the test (to check balances independently of the app). */
export async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** EFUEL base units held by `owner` (sum of its token accounts of `mint`). */
export async function efuelOf(url: string, owner: string, mint: string): Promise<bigint> {
  const r = await rpc<{ value: { account: { data: { parsed: { info: { tokenAmount: { amount: string } } } } } }[] }>(
    url,
    'getTokenAccountsByOwner',
    [owner, { mint }, { encoding: 'jsonParsed' }],
  );
  return r.value.reduce((s, a) => s + BigInt(a.account.data.parsed.info.tokenAmount.amount), 0n);
}
