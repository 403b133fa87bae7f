// My stake: wallet balances, delegations with unbonding countdowns and
// claimable rewards; delegate, undelegate, withdraw, claim.
import type { Address, Instruction } from '@solana/kit';
import { getCreateAssociatedTokenIdempotentInstruction } from '@solana-program/token';
import {
  getClaimRewardsInstructionAsync,
  getDelegateInstructionAsync,
  getUndelegateInstructionAsync,
  getWithdrawInstructionAsync,
  type Delegation,
  type Node,
} from '../generated/edgefuel';
import type { App } from '../app';
import { AmountError, efuel, formatEfuel, parseEfuel, short } from '../amount';
import {
  activatingStatsFor,
  activationBase,
  currentEpoch,
  efuelAccount,
  efuelBalance,
  fetchDelegation,
  fetchDelegationsOf,
  fetchNode,
  fetchNodes,
  nodeAddress,
  solBalance,
  type Located,
} from '../chain';
import { claimableRewards, sharesToTokens, tokensToShares } from '../math';
import { h, note, stat } from '../ui';

/** The wallet's EFUEL account, created first when missing (idempotent). */
async function ensureEfuelAccount(app: App, owner: Address): Promise<{ account: Address; create: Instruction }> {
  const net = app.network ?? (await app.loadNetwork());
  if (!net) throw new Error('no EdgeFuel network on this cluster');
  const account = await efuelAccount(owner, net.data.mint);
  const create = getCreateAssociatedTokenIdempotentInstruction({ payer: app.signer(), owner, mint: net.data.mint, ata: account });
  return { account, create };
}

export async function delegateIx(app: App, operator: Address, amount: bigint): Promise<Instruction[]> {
  const net = app.network ?? (await app.loadNetwork());
  if (!net || !app.me) throw new Error('connect a wallet on a cluster with an EdgeFuel network');
  const stakerToken = await efuelAccount(app.me, net.data.mint);
  const node = await nodeAddress(operator);
  const epoch = await currentEpoch(app.rpc, net.data);
  const current = await fetchDelegation(app.rpc, node, app.me);
  return [
    await getDelegateInstructionAsync({
      staker: app.signer(),
      node,
      stakerToken,
      vault: net.data.vault,
      activatingStats: await activatingStatsFor(node, current, epoch),
      amount,
      epoch,
    }),
  ];
}

/** Amount input + button; with no operator given, a node picker. */
export function delegateForm(app: App, operator?: Address, nodes: Located<Node>[] = []): HTMLElement {
  const amount = h('input', { type: 'text', inputmode: 'decimal', placeholder: 'EFUEL, e.g. 250.5', 'data-testid': 'delegate-amount' });
  const picker = operator
    ? null
    : h(
        'select',
        { 'data-testid': 'delegate-node' },
        nodes.map((n) => h('option', { value: n.data.operator }, `${short(n.data.operator)} · ${n.data.gpuModel} · ${efuel(n.data.poolTokens)}`)),
      );
  const error = h('span', { class: 'form-error', 'data-testid': 'delegate-error' });
  const button = h(
    'button',
    {
      'data-testid': 'delegate-submit',
      disabled: !app.wallet,
      onclick: async () => {
        error.textContent = '';
        let units: bigint;
        try {
          units = parseEfuel(amount.value);
          if (units === 0n) throw new AmountError('the amount must be more than 0');
        } catch (e) {
          error.textContent = (e as Error).message;
          return;
        }
        const op = (operator ?? picker?.value) as Address | undefined;
        if (!op) {
          error.textContent = 'pick a node';
          return;
        }
        await app.send(`Delegate ${formatEfuel(units)} EFUEL to ${short(op)}`, await delegateIx(app, op, units));
      },
    },
    app.wallet ? 'Delegate' : 'Connect a wallet to delegate',
  );
  return h('div', { class: 'form' }, picker, amount, button, error);
}

interface Position {
  address: Address;
  d: Delegation;
  node: Node;
  nodeAddress: Address;
  /** The reward epoch when the page was loaded. */
  epoch: bigint;
  /** The activation base of `d`'s activating stake, when needed in `epoch`. */
  base: bigint | null;
}

export async function stakePage(app: App): Promise<HTMLElement> {
  const wrap = h('section', { 'data-testid': 'page-stake' }, h('h1', null, 'My stake'));
  const net = app.network ?? (await app.loadNetwork());
  if (!app.me || !net) {
    wrap.append(note(net ? 'Connect a wallet to see and manage your stake.' : `No EdgeFuel network on ${app.cluster.url}.`));
    return wrap;
  }
  const me = app.me;
  const [wallet, sol, delegations, nodes] = await Promise.all([
    efuelBalance(app.rpc, me, net.data.mint),
    solBalance(app.rpc, me),
    fetchDelegationsOf(app.rpc, me),
    fetchNodes(app.rpc),
  ]);
  const epoch = await currentEpoch(app.rpc, net.data);
  const positions: Position[] = [];
  for (const d of delegations) {
    const node = nodes.find((n) => n.address === d.data.node)?.data ?? (await fetchNode(app.rpc, d.data.node));
    const base = await activationBase(app.rpc, d.data.node, d.data, epoch);
    if (node) positions.push({ address: d.address, d: d.data, node, nodeAddress: d.data.node, epoch, base });
  }
  const totals = positions.reduce(
    (t, p) => ({
      bonded: t.bonded + sharesToTokens(p.d.bondedShares, p.node.poolTokens, p.node.poolShares),
      claimable: t.claimable + claimableRewards(p.d, p.node, p.epoch, p.base),
    }),
    { bonded: 0n, claimable: 0n },
  );
  wrap.append(
    h(
      'div',
      { class: 'stats' },
      stat('Wallet', h('code', null, me), 'wallet-address'),
      stat('EFUEL in wallet', efuel(wallet), 'wallet-efuel', { 'data-base-units': wallet }),
      stat('SOL for fees', `${formatEfuel(sol, { group: true })} SOL`, 'wallet-sol', { 'data-base-units': sol }),
      stat('Bonded', efuel(totals.bonded), 'total-bonded-mine', { 'data-base-units': totals.bonded }),
      stat('Claimable rewards', efuel(totals.claimable), 'total-claimable', { 'data-base-units': totals.claimable }),
    ),
    h('h2', null, 'Delegate'),
    nodes.length ? delegateForm(app, undefined, nodes) : note('No node to delegate to yet.'),
    h('h2', null, `Delegations (${positions.length})`),
  );
  if (positions.length === 0) wrap.append(note('No delegation yet.'));
  for (const p of positions) wrap.append(positionCard(app, p));
  return wrap;
}

function positionCard(app: App, p: Position): HTMLElement {
  const { d, node } = p;
  const bonded = sharesToTokens(d.bondedShares, node.poolTokens, node.poolShares);
  const unbonding = sharesToTokens(d.unbondingShares, node.poolTokens, node.poolShares);
  const claimable = claimableRewards(d, node, p.epoch, p.base);
  // Stake instructions name the activating epoch's stats while stake activates.
  const activatingStats = async () => activatingStatsFor(p.nodeAddress, d, await currentEpoch(app.rpc, app.network!.data));
  const now = app.now();
  const amount = h('input', { type: 'text', inputmode: 'decimal', placeholder: 'EFUEL or empty for all', 'data-testid': 'undelegate-amount' });
  const error = h('span', { class: 'form-error' });
  const staker = () => app.signer();
  const undelegate = async () => {
    error.textContent = '';
    let shares = d.bondedShares;
    if (amount.value.trim()) {
      try {
        const units = parseEfuel(amount.value);
        if (units > bonded) throw new AmountError(`only ${efuel(bonded)} is bonded here`);
        shares = tokensToShares(units, node.poolTokens, node.poolShares);
        if (shares > d.bondedShares) shares = d.bondedShares;
      } catch (e) {
        error.textContent = (e as Error).message;
        return;
      }
    }
    const label = amount.value.trim() ? `Undelegate ${amount.value.trim()} EFUEL` : 'Undelegate all';
    await app.send(`${label} from ${short(node.operator)}`, [
      await getUndelegateInstructionAsync({ staker: staker(), node: p.nodeAddress, activatingStats: await activatingStats(), shares }),
    ]);
  };
  const withdraw = async () => {
    const { account, create } = await ensureEfuelAccount(app, d.staker);
    const net = app.network!;
    await app.send(`Withdraw from ${short(node.operator)}`, [
      create,
      await getWithdrawInstructionAsync({ staker: staker(), node: p.nodeAddress, stakerToken: account, vault: net.data.vault }),
    ]);
  };
  const claim = async () => {
    const { account, create } = await ensureEfuelAccount(app, d.staker);
    const net = app.network!;
    await app.send(`Claim ${formatEfuel(claimable)} EFUEL from ${short(node.operator)}`, [
      create,
      await getClaimRewardsInstructionAsync({
        staker: staker(),
        node: p.nodeAddress,
        mint: net.data.mint,
        stakerToken: account,
        activatingStats: await activatingStats(),
      }),
    ]);
  };
  const unlock = Number(d.unlockAt);
  const locked = Number(d.voteLockedUntil);
  return h(
    'div',
    { class: 'card', 'data-testid': 'position', 'data-operator': node.operator, 'data-delegation': p.address },
    h('h3', null, `Node ${short(p.nodeAddress)} (operator `, h('a', { href: `#/node/${node.operator}` }, short(node.operator)), ')'),
    h(
      'div',
      { class: 'stats' },
      stat('Bonded', efuel(bonded), 'bonded', { 'data-base-units': bonded, 'data-shares': d.bondedShares }),
      stat(
        'Unbonding',
        d.unbondingShares > 0n
          ? [efuel(unbonding), ' · ', h('span', { 'data-until': unlock, 'data-testid': 'unbonding-countdown' }, ''), ' left']
          : 'nothing',
        'unbonding',
        { 'data-base-units': unbonding, 'data-shares': d.unbondingShares, 'data-unlock-at': unlock },
      ),
      stat('Claimable rewards', efuel(claimable), 'claimable', { 'data-base-units': claimable }),
      stat('Claimed so far', efuel(d.totalClaimed), 'claimed', { 'data-base-units': d.totalClaimed }),
      locked > now ? stat('Vote lock', h('span', { 'data-until': locked }, ''), 'vote-lock') : null,
    ),
    h(
      'div',
      { class: 'form' },
      amount,
      h('button', { 'data-testid': 'undelegate', onclick: undelegate, disabled: d.bondedShares === 0n }, 'Undelegate'),
      h('button', { 'data-testid': 'withdraw', onclick: withdraw, disabled: d.unbondingShares === 0n }, 'Withdraw'),
      h('button', { 'data-testid': 'claim', onclick: claim }, 'Claim rewards'),
      error,
    ),
  );
}
