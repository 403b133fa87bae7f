// Nodes page: a sortable table of every node's record, and a node's detail
// with per-epoch charts, its delegators and a delegate form.
import type { Address } from '@solana/kit';
import { NodeStatus, type Node, type NodeEpochStats } from '../generated/edgefuel';
import type { App } from '../app';
import { efuel, formatBps, formatEfuel, short } from '../amount';
import { fetchDelegationsInto, fetchEpochStats, fetchNodes, nodeAddress, type Located } from '../chain';
import { sharesToTokens } from '../math';
import { barChart } from '../chart';
import { h, note, stat } from '../ui';
import { delegateForm } from './stake';
import { explorerUrl } from '../cluster';

const YEAR_SECONDS = 365n * 24n * 3600n;
/** Epochs (ending with the current one) over which the yield is estimated. */
export const YIELD_WINDOW_EPOCHS = 7n;

export function bondedTokens(n: Node): bigint {
  return sharesToTokens(n.bondedShares, n.poolTokens, n.poolShares);
}

/**
 * Estimated yield for delegators, in bps per year: the pool's rewards (after
 * commission) over the last YIELD_WINDOW_EPOCHS epochs, annualized, over the
 * bonded stake. An estimate from history, not a promise.
 */
export function estimatedYieldBps(n: Node, stats: NodeEpochStats[], epochSeconds: bigint, currentEpoch: bigint): bigint {
  const bonded = bondedTokens(n);
  if (bonded === 0n || epochSeconds <= 0n) return 0n;
  const from = currentEpoch >= YIELD_WINDOW_EPOCHS - 1n ? currentEpoch - (YIELD_WINDOW_EPOCHS - 1n) : 0n;
  const rewards = stats.filter((s) => s.epoch >= from && s.epoch <= currentEpoch).reduce((a, s) => a + s.rewards, 0n);
  const toPool = (rewards * (10_000n - BigInt(n.commissionBps))) / 10_000n;
  return (toPool * YEAR_SECONDS * 10_000n) / (YIELD_WINDOW_EPOCHS * epochSeconds * bonded);
}

export function statusName(s: NodeStatus): string {
  return NodeStatus[s] ?? String(s);
}

type SortKey = 'stake' | 'commission' | 'work' | 'accepted' | 'rejected' | 'missed' | 'status' | 'yield';
let sortKey: SortKey = 'stake';
let sortDesc = true;

interface Row {
  address: Address;
  node: Node;
  stake: bigint;
  yieldBps: bigint;
}

export async function nodesPage(app: App): Promise<HTMLElement> {
  const net = app.network ?? (await app.loadNetwork());
  const nodes = await fetchNodes(app.rpc);
  const allStats = await fetchAllEpochStats(app, nodes);
  const epochSeconds = net?.data.params.epochSeconds ?? 1n;
  const epoch = BigInt(app.now()) / epochSeconds;
  const rows: Row[] = nodes.map((n) => ({
    address: n.address,
    node: n.data,
    stake: n.data.poolTokens,
    yieldBps: estimatedYieldBps(n.data, allStats.get(n.address) ?? [], epochSeconds, epoch),
  }));
  const value = (r: Row): bigint | number | string => {
    switch (sortKey) {
      case 'stake':
        return r.stake;
      case 'commission':
        return r.node.commissionBps;
      case 'work':
        return r.node.verifiedWork;
      case 'accepted':
        return r.node.batchesAccepted;
      case 'rejected':
        return r.node.batchesRejected;
      case 'missed':
        return r.node.batchesMissed;
      case 'status':
        return statusName(r.node.status);
      case 'yield':
        return r.yieldBps;
    }
  };
  rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return sortDesc ? -c : c;
  });
  const wrap = h('section', { 'data-testid': 'page-nodes' });
  const header = (label: string, key: SortKey) =>
    h(
      'th',
      {
        class: 'sortable',
        'data-sort': key,
        'aria-sort': sortKey === key ? (sortDesc ? 'descending' : 'ascending') : 'none',
        onclick: async () => {
          if (sortKey === key) sortDesc = !sortDesc;
          else {
            sortKey = key;
            sortDesc = true;
          }
          await app.refresh();
        },
      },
      label,
      sortKey === key ? (sortDesc ? ' ▼' : ' ▲') : '',
    );
  wrap.append(
    h('h1', null, `Nodes (${nodes.length})`),
    note(`Estimated yield: delegators' share of the last ${YIELD_WINDOW_EPOCHS} epochs' rewards, annualized, over bonded stake.`),
    h(
      'table',
      { 'data-testid': 'nodes-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'node (operator)'),
          h('th', null, 'GPU / region'),
          header('stake', 'stake'),
          header('commission', 'commission'),
          header('verified work', 'work'),
          header('accepted', 'accepted'),
          header('rejected', 'rejected'),
          header('missed', 'missed'),
          header('status', 'status'),
          header('est. yield', 'yield'),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'node-row', 'data-operator': r.node.operator, 'data-node': r.address },
            h('td', null, h('a', { href: `#/node/${r.node.operator}` }, short(r.node.operator))),
            h('td', null, `${r.node.gpuModel} · ${r.node.region}`),
            h('td', { 'data-col': 'stake', 'data-base-units': r.stake }, efuel(r.stake)),
            h('td', { 'data-col': 'commission' }, formatBps(r.node.commissionBps)),
            h('td', { 'data-col': 'work' }, r.node.verifiedWork.toString()),
            h('td', { 'data-col': 'accepted' }, r.node.batchesAccepted.toString()),
            h('td', { 'data-col': 'rejected' }, r.node.batchesRejected.toString()),
            h('td', { 'data-col': 'missed' }, r.node.batchesMissed.toString()),
            h('td', { 'data-col': 'status' }, statusName(r.node.status)),
            h('td', { 'data-col': 'yield', 'data-bps': r.yieldBps }, formatBps(r.yieldBps)),
          ),
        ),
      ),
    ),
  );
  if (nodes.length === 0) wrap.append(note('No node has registered yet (operators: edgefuel node register).'));
  return wrap;
}

async function fetchAllEpochStats(app: App, nodes: Located<Node>[]): Promise<Map<string, NodeEpochStats[]>> {
  const out = new Map<string, NodeEpochStats[]>();
  await Promise.all(
    nodes.map(async (n) => {
      out.set(n.address, (await fetchEpochStats(app.rpc, n.address)).map((s) => s.data));
    }),
  );
  return out;
}

export async function nodePage(app: App, operator: Address): Promise<HTMLElement> {
  const net = app.network ?? (await app.loadNetwork());
  const address = await nodeAddress(operator);
  const nodes = await fetchNodes(app.rpc);
  const found = nodes.find((n) => n.address === address);
  if (!found || !net) return h('section', null, h('h1', null, 'Node'), note(`No node for operator ${operator}.`));
  const n = found.data;
  const [stats, delegations] = await Promise.all([fetchEpochStats(app.rpc, address), fetchDelegationsInto(app.rpc, address)]);
  const epochs = stats.map((s) => s.data).sort((a, b) => (a.epoch < b.epoch ? -1 : 1));
  const epoch = BigInt(app.now()) / net.data.params.epochSeconds;
  const yieldBps = estimatedYieldBps(n, epochs, net.data.params.epochSeconds, epoch);
  const bars = (pick: (s: NodeEpochStats) => bigint, unit: 'work' | 'efuel') =>
    epochs.slice(-12).map((s) => ({
      label: String(s.epoch),
      value: pick(s),
      title: `epoch ${s.epoch}: ${unit === 'efuel' ? efuel(pick(s)) : `${pick(s)} work units`}`,
    }));
  const jailed = n.status === NodeStatus.Jailed;
  return h(
    'section',
    { 'data-testid': 'page-node', 'data-node': address },
    h('h1', null, `Node ${short(address)}`),
    h('p', null, h('a', { href: '#/nodes' }, '← all nodes'), ' · ', h('a', { href: explorerUrl(app.cluster, { address }), target: '_blank', rel: 'noreferrer' }, 'explorer')),
    h(
      'div',
      { class: 'stats' },
      stat('Operator', h('code', null, n.operator), 'operator'),
      stat('Status', jailed ? `Jailed until ${new Date(Number(n.jailedUntil) * 1000).toISOString()}` : statusName(n.status), 'node-status'),
      stat('Pool stake', efuel(n.poolTokens), 'pool-tokens', { 'data-base-units': n.poolTokens }),
      stat('Bonded', efuel(bondedTokens(n)), 'bonded-tokens', { 'data-base-units': bondedTokens(n) }),
      stat('Operator self-stake', efuel(sharesToTokens(n.operatorBondedShares, n.poolTokens, n.poolShares)), 'self-stake'),
      stat('Commission', formatBps(n.commissionBps) + (n.commissionEffectiveAt ? ` (→ ${formatBps(n.pendingCommissionBps)} pending)` : ''), 'commission'),
      stat('Verified work', `${n.verifiedWork} work units`, 'verified-work'),
      stat('Batches', `${n.batchesSubmitted} submitted · ${n.batchesAccepted} accepted · ${n.batchesRejected} rejected · ${n.batchesMissed} missed`, 'batches'),
      stat('Rewards', efuel(n.totalRewards), 'node-rewards', { 'data-base-units': n.totalRewards }),
      stat('Slashed', efuel(n.totalSlashed), 'node-slashed'),
      stat('Est. yield', formatBps(yieldBps) + ' / year', 'yield'),
      stat('GPU', `${n.gpuModel}, ${n.vramMib} MiB, ${n.region}`, 'gpu'),
      stat('Endpoint', n.endpoint, 'endpoint'),
    ),
    h(
      'div',
      { class: 'charts' },
      barChart('Verified work per epoch (work units)', bars((s) => s.workCredited, 'work'), '#3b82f6', 'chart-work'),
      barChart('Rewards per epoch (EFUEL)', bars((s) => s.rewards, 'efuel'), '#16a34a', 'chart-rewards'),
      barChart('Slashed per epoch (EFUEL)', bars((s) => s.slashed, 'efuel'), '#dc2626', 'chart-slashes'),
    ),
    h('h2', null, 'Delegate to this node'),
    delegateForm(app, n.operator),
    h('h2', null, `Delegators (${delegations.length})`),
    h(
      'table',
      { 'data-testid': 'delegators' },
      h('thead', null, h('tr', null, h('th', null, 'staker'), h('th', null, 'bonded'), h('th', null, 'unbonding'), h('th', null, 'shares'))),
      h(
        'tbody',
        null,
        delegations
          .sort((a, b) => (a.data.bondedShares > b.data.bondedShares ? -1 : 1))
          .map((d) =>
            h(
              'tr',
              { 'data-staker': d.data.staker },
              h('td', null, h('code', null, d.data.staker), d.data.staker === n.operator ? ' (operator)' : ''),
              h('td', { 'data-base-units': sharesToTokens(d.data.bondedShares, n.poolTokens, n.poolShares) }, formatEfuel(sharesToTokens(d.data.bondedShares, n.poolTokens, n.poolShares), { group: true })),
              h('td', null, formatEfuel(sharesToTokens(d.data.unbondingShares, n.poolTokens, n.poolShares), { group: true })),
              h('td', null, d.data.bondedShares.toString()),
            ),
          ),
      ),
    ),
  );
}
