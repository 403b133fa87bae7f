// Network page: totals, emission, params, verifier set, guardian, pauses.
import { EDGEFUEL_PROGRAM_ADDRESS, type Params } from '../generated/edgefuel';
import type { App } from '../app';
import { efuel, formatBps, formatDuration, short } from '../amount';
import { explorerUrl } from '../cluster';
import { tokenAccountAmount, tokenSupply } from '../chain';
import { h, note, stat, table } from '../ui';

/** How each param is shown: EFUEL amounts, bps, seconds or slots. */
const PARAM_UNITS: Record<keyof Params, 'efuel' | 'bps' | 'seconds' | 'slots' | 'count' | 'base-per-work'> = {
  epochSeconds: 'seconds',
  rewardPerWorkUnit: 'base-per-work',
  epochEmissionCap: 'efuel',
  minNodeStake: 'efuel',
  maxCommissionBps: 'bps',
  unbondingSeconds: 'seconds',
  sealDelaySlots: 'slots',
  revealWindowSlots: 'slots',
  verifyWindowSlots: 'slots',
  sampleBps: 'bps',
  minSamples: 'count',
  maxSamples: 'count',
  slashFraudBps: 'bps',
  slashUnavailableBps: 'bps',
  verifierBountyBps: 'bps',
  jailSeconds: 'seconds',
  maxExposureBps: 'bps',
  minProposalStake: 'efuel',
  votingSeconds: 'seconds',
  timelockSeconds: 'seconds',
  quorumBps: 'bps',
  approvalThresholdBps: 'bps',
};

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

export function formatParam(key: keyof Params, v: number | bigint): string {
  switch (PARAM_UNITS[key]) {
    case 'efuel':
      return efuel(BigInt(v));
    case 'bps':
      return formatBps(v);
    case 'seconds':
      return `${v} s (${formatDuration(v)})`;
    case 'slots':
      return `${v} slots`;
    case 'base-per-work':
      return `${v} base units / work unit`;
    default:
      return String(v);
  }
}

export async function networkPage(app: App): Promise<HTMLElement> {
  const net = await app.loadNetwork();
  if (!net) {
    return h(
      'section',
      null,
      h('h1', null, 'Network'),
      note(`No EdgeFuel network on ${app.cluster.url} (program ${EDGEFUEL_PROGRAM_ADDRESS}). Pick another cluster, or start the local chain: cargo run --release -p edgefuel-localnet`),
    );
  }
  const n = net.data;
  const [supply, treasury] = await Promise.all([tokenSupply(app.rpc, n.mint), tokenAccountAmount(app.rpc, n.treasury)]);
  const now = BigInt(app.now());
  const epoch = now / n.params.epochSeconds;
  const emitted = n.emissionEpoch === epoch ? n.epochEmitted : 0n;
  const verifiers = n.verifiers.slice(0, n.verifierCount);
  const paused = [n.paused & 1 ? 'submissions' : null, n.paused & 2 ? 'minting' : null].filter(Boolean);
  const link = (a: string) => h('a', { href: explorerUrl(app.cluster, { address: a }), target: '_blank', rel: 'noreferrer', title: a }, short(a));
  return h(
    'section',
    { 'data-testid': 'page-network' },
    h('h1', null, 'Network'),
    h(
      'div',
      { class: 'stats' },
      stat('Total bonded stake', efuel(n.totalBonded), 'total-bonded', { 'data-base-units': n.totalBonded }),
      stat('EFUEL supply', efuel(supply), 'supply', { 'data-base-units': supply }),
      stat('Epoch', `${epoch} (${formatDuration(n.params.epochSeconds)} each)`, 'epoch'),
      stat(
        'Emission this epoch',
        `${efuel(emitted)} of ${efuel(n.params.epochEmissionCap)} (${formatBps(emitted === 0n ? 0n : (emitted * 10000n) / n.params.epochEmissionCap)})`,
        'emission',
        { 'data-base-units': emitted },
      ),
      stat('Rewards since genesis', efuel(n.totalRewardsAccrued), 'total-rewards'),
      stat('Slashed since genesis', efuel(n.totalSlashed), 'total-slashed'),
      stat('Treasury', efuel(treasury), 'treasury', { 'data-base-units': treasury }),
      stat('Nodes', String(n.nodeCount), 'node-count'),
      stat('Proposals', String(n.proposalCount), 'proposal-count'),
      stat('Paused', paused.length ? paused.join(', ') : 'nothing', 'paused'),
      stat('Guardian', link(n.guardian), 'guardian', { 'data-address': n.guardian }),
      stat('EFUEL mint', link(n.mint), 'mint', { 'data-address': n.mint }),
    ),
    h('h2', null, `Verifier set: ${n.verifierThreshold} of ${n.verifierCount}`),
    h(
      'ul',
      { 'data-testid': 'verifiers', 'data-threshold': n.verifierThreshold, 'data-count': n.verifierCount },
      verifiers.map((v) => h('li', { 'data-address': v }, link(v), ' ', h('code', null, v))),
    ),
    h('h2', null, 'Parameters'),
    table(
      ['parameter', 'value'],
      (Object.keys(PARAM_UNITS) as (keyof Params)[]).map((k) => [
        h('code', null, snake(k)),
        h('span', { 'data-param': snake(k), 'data-raw': String(n.params[k]) }, formatParam(k, n.params[k])),
      ]),
      'params',
    ),
  );
}
