// Governance: proposals with tallies, quorum progress and countdowns;
// create (every action type), vote, finalize, execute, cancel.
import { AccountRole, type Address, type Instruction } from '@solana/kit';
import { getCreateAssociatedTokenIdempotentInstruction } from '@solana-program/token';
import {
  getCancelProposalInstruction,
  getCastVoteInstructionAsync,
  getCreateProposalInstructionAsync,
  getExecuteProposalInstructionAsync,
  getFinalizeProposalInstructionAsync,
  ProposalStatus,
  VoteChoice,
  type Delegation,
  type Network,
  type Params,
  type Proposal,
  type ProposalAction,
  type ProposalActionArgs,
} from '../generated/edgefuel';
import type { App } from '../app';
import { efuel, formatBps, parseEfuel, short } from '../amount';
import { efuelAccount, fetchDelegationsOf, fetchNodes, fetchProposals, fetchVotesOf, isAddress, nodeAddress, proposalAddress, type Located } from '../chain';
import { sharesToTokens } from '../math';
import { h, note } from '../ui';
import { formatParam, snake } from './network';

export const ACTION_KINDS = [
  'UpdateParams',
  'AddVerifier',
  'RemoveVerifier',
  'SetVerifierThreshold',
  'SetGuardian',
  'TreasuryTransfer',
  'UnjailNode',
] as const satisfies readonly ProposalAction['__kind'][];

/** One line saying what an action does. */
export function describeAction(a: ProposalAction, current?: Params): string {
  switch (a.__kind) {
    case 'UpdateParams': {
      const p = a.fields[0];
      const changed = (Object.keys(p) as (keyof Params)[]).filter((k) => !current || p[k] !== current[k]);
      return changed.length
        ? `update params: ${changed.map((k) => `${snake(k)} → ${formatParam(k, p[k])}`).join(', ')}`
        : 'update params (no change from current)';
    }
    case 'AddVerifier':
      return `add verifier ${a.fields[0]}`;
    case 'RemoveVerifier':
      return `remove verifier ${a.fields[0]}`;
    case 'SetVerifierThreshold':
      return `set verifier threshold to ${a.fields[0]}`;
    case 'SetGuardian':
      return `set guardian to ${a.fields[0]}`;
    case 'TreasuryTransfer':
      return `transfer ${efuel(a.amount)} from the treasury to token account ${a.to}`;
    case 'UnjailNode':
      return `unjail node ${a.fields[0]}`;
  }
}

/** The accounts `execute_proposal` needs after its fixed ones (the action's target). */
export function executeTargets(a: ProposalAction): Address[] {
  if (a.__kind === 'TreasuryTransfer') return [a.to];
  if (a.__kind === 'UnjailNode') return [a.fields[0]];
  return [];
}

function withRemaining(ix: Instruction, writable: Address[]): Instruction {
  return { ...ix, accounts: [...(ix.accounts ?? []), ...writable.map((address) => ({ address, role: AccountRole.WRITABLE }))] };
}

/** Turnout needed: `quorum_bps` of the bonded stake when the proposal opened. */
export function quorumNeeded(p: Proposal): bigint {
  return (p.totalBondedSnapshot * BigInt(p.quorumBps) + 9_999n) / 10_000n;
}

export async function governancePage(app: App): Promise<HTMLElement> {
  const wrap = h('section', { 'data-testid': 'page-governance' }, h('h1', null, 'Governance'));
  const net = app.network ?? (await app.loadNetwork());
  if (!net) {
    wrap.append(note(`No EdgeFuel network on ${app.cluster.url}.`));
    return wrap;
  }
  const [proposals, mine, myVotes] = await Promise.all([
    fetchProposals(app.rpc),
    app.me ? fetchDelegationsOf(app.rpc, app.me) : Promise.resolve([]),
    app.me ? fetchVotesOf(app.rpc, app.me) : Promise.resolve([]),
  ]);
  const nodes = await fetchNodes(app.rpc);
  const operatorOf = new Map(nodes.map((n) => [n.address as string, n.data]));
  proposals.sort((a, b) => (a.data.id > b.data.id ? -1 : 1));
  wrap.append(
    h('p', null, `Voting lasts ${formatParam('votingSeconds', net.data.params.votingSeconds)}; passed proposals wait ${formatParam('timelockSeconds', net.data.params.timelockSeconds)}; quorum ${formatBps(net.data.params.quorumBps)} of bonded stake, approval above ${formatBps(net.data.params.approvalThresholdBps)} of yes + no. Proposing needs ${efuel(net.data.params.minProposalStake)} bonded in one delegation.`),
    h('h2', null, 'New proposal'),
    app.me ? createForm(app, net.data, mine, operatorOf) : note('Connect a wallet to propose and vote.'),
    h('h2', null, `Proposals (${proposals.length})`),
  );
  if (!proposals.length) wrap.append(note('No proposal yet.'));
  for (const p of proposals) {
    const voted = myVotes.filter((v) => v.data.proposal === p.address).map((v) => v.data);
    wrap.append(proposalCard(app, net.data, p, mine, voted, operatorOf));
  }
  return wrap;
}

function proposalCard(
  app: App,
  net: Network,
  lp: Located<Proposal>,
  mine: Located<Delegation>[],
  myVotes: { delegation: Address; choice: VoteChoice; weight: bigint }[],
  operatorOf: Map<string, { operator: Address; poolTokens: bigint; poolShares: bigint }>,
): HTMLElement {
  const p = lp.data;
  const now = app.now();
  const turnout = p.yes + p.no + p.abstain;
  const needed = quorumNeeded(p);
  const quorumPct = needed === 0n ? 10_000n : (turnout * 10_000n) / needed;
  const yesShare = p.yes + p.no === 0n ? 0n : (p.yes * 10_000n) / (p.yes + p.no);
  const status = ProposalStatus[p.status];
  const actions: HTMLElement[] = [];
  if (p.status === ProposalStatus.Voting && Number(p.votingEndsAt) > now && app.me) {
    const voters = mine.filter((d) => d.data.bondedShares > 0n && !myVotes.some((v) => v.delegation === d.address));
    const pick = h(
      'select',
      { 'data-testid': 'vote-delegation' },
      voters.map((d) => {
        const n = operatorOf.get(d.data.node);
        const w = n ? sharesToTokens(d.data.bondedShares, n.poolTokens, n.poolShares) : 0n;
        return h('option', { value: d.data.node }, `delegation in ${short(n?.operator ?? d.data.node)} · ${efuel(w)}`);
      }),
    );
    const vote = (choice: VoteChoice) => async () => {
      const node = pick.value as Address;
      if (!node) return;
      await app.send(`Vote ${VoteChoice[choice]} on proposal ${p.id}`, [
        await getCastVoteInstructionAsync({ voter: app.signer(), node, proposal: lp.address, choice }),
      ]);
    };
    if (voters.length) {
      actions.push(
        pick,
        h('button', { 'data-testid': 'vote-yes', onclick: vote(VoteChoice.Yes) }, 'Vote yes'),
        h('button', { 'data-testid': 'vote-no', onclick: vote(VoteChoice.No) }, 'Vote no'),
        h('button', { 'data-testid': 'vote-abstain', onclick: vote(VoteChoice.Abstain) }, 'Abstain'),
      );
    }
    if (p.proposer === app.me) {
      actions.push(
        h(
          'button',
          {
            'data-testid': 'cancel',
            onclick: async () =>
              app.send(`Cancel proposal ${p.id}`, [getCancelProposalInstruction({ proposer: app.signer(), proposal: lp.address })]),
          },
          'Cancel',
        ),
      );
    }
  }
  if (p.status === ProposalStatus.Voting && app.me) {
    actions.push(
      h(
        'button',
        {
          'data-testid': 'finalize',
          onclick: async () => app.send(`Finalize proposal ${p.id}`, [await getFinalizeProposalInstructionAsync({ proposal: lp.address })]),
        },
        'Finalize',
      ),
    );
  }
  if (p.status === ProposalStatus.Passed && app.me) {
    actions.push(
      h(
        'button',
        {
          'data-testid': 'execute',
          onclick: async () => {
            const ix = await getExecuteProposalInstructionAsync({ proposal: lp.address, treasury: net.treasury });
            await app.send(`Execute proposal ${p.id}`, [withRemaining(ix, executeTargets(p.action))]);
          },
        },
        'Execute',
      ),
    );
  }
  const ends = Number(p.votingEndsAt);
  const execAt = Number(p.executableAt);
  return h(
    'div',
    { class: 'card', 'data-testid': 'proposal', 'data-id': p.id, 'data-status': status },
    h('h3', null, `#${p.id} · `, h('span', { class: `badge ${status.toLowerCase()}`, 'data-testid': 'proposal-status' }, status), ' · ', describeAction(p.action, net.params)),
    h('p', null, 'by ', h('code', null, short(p.proposer)), ' · ', h('a', { href: p.descriptionUri, target: '_blank', rel: 'noreferrer' }, p.descriptionUri)),
    h(
      'div',
      { class: 'tally' },
      h('span', { 'data-testid': 'tally-yes', 'data-base-units': p.yes }, `yes ${efuel(p.yes)}`),
      h('span', { 'data-testid': 'tally-no', 'data-base-units': p.no }, `no ${efuel(p.no)}`),
      h('span', { 'data-testid': 'tally-abstain', 'data-base-units': p.abstain }, `abstain ${efuel(p.abstain)}`),
      h('span', null, `${p.voterCount} vote(s); yes share ${formatBps(yesShare)} (needs > ${formatBps(p.approvalThresholdBps)})`),
    ),
    h(
      'div',
      { class: 'progress', title: `turnout ${efuel(turnout)} of ${efuel(needed)} needed` },
      h('div', { class: 'bar', style: `width:${Number(quorumPct > 10_000n ? 10_000n : quorumPct) / 100}%` }),
      h('span', { 'data-testid': 'quorum', 'data-turnout': turnout, 'data-needed': needed }, `quorum ${formatBps(quorumPct > 10_000n ? 10_000n : quorumPct)}: ${efuel(turnout)} of ${efuel(needed)}`),
    ),
    p.status === ProposalStatus.Voting
      ? h('p', null, ends > now ? ['voting ends in ', h('span', { 'data-until': ends, 'data-testid': 'voting-countdown' }, '')] : 'voting has ended: anyone can finalize')
      : null,
    p.status === ProposalStatus.Passed
      ? h('p', null, execAt > now ? ['executable in ', h('span', { 'data-until': execAt, 'data-testid': 'timelock-countdown' }, '')] : 'timelock over: anyone can execute')
      : null,
    myVotes.length ? h('p', null, `You voted ${myVotes.map((v) => `${VoteChoice[v.choice]} with ${efuel(v.weight)}`).join(', ')}.`) : null,
    actions.length ? h('div', { class: 'form' }, actions) : null,
  );
}

function createForm(
  app: App,
  net: Network,
  mine: Located<Delegation>[],
  operatorOf: Map<string, { operator: Address; poolTokens: bigint; poolShares: bigint }>,
): HTMLElement {
  const backing = h(
    'select',
    { 'data-testid': 'propose-delegation' },
    mine
      .filter((d) => d.data.bondedShares > 0n)
      .map((d) => {
        const n = operatorOf.get(d.data.node);
        const w = n ? sharesToTokens(d.data.bondedShares, n.poolTokens, n.poolShares) : 0n;
        return h('option', { value: d.data.node }, `delegation in ${short(n?.operator ?? d.data.node)} · ${efuel(w)} bonded`);
      }),
  );
  const description = h('input', { type: 'url', placeholder: 'https://… (why)', 'data-testid': 'propose-description', size: 40 });
  const kind = h('select', { 'data-testid': 'propose-kind' }, ACTION_KINDS.map((k) => h('option', { value: k }, k)));
  const fields = h('div', { class: 'action-fields' });
  const error = h('span', { class: 'form-error', 'data-testid': 'propose-error' });
  let read: () => Promise<{ action: ProposalActionArgs; pre: Instruction[] }> = async () => {
    throw new Error('pick an action');
  };
  const addr = (testid: string, placeholder: string) => h('input', { type: 'text', placeholder, 'data-testid': testid, size: 46 });
  const need = (text: string, what: string): Address => {
    if (!isAddress(text)) throw new Error(`${what}: not a base58 address`);
    return text.trim() as Address;
  };
  const renderFields = () => {
    const k = kind.value as (typeof ACTION_KINDS)[number];
    fields.replaceChildren();
    switch (k) {
      case 'UpdateParams': {
        const inputs = (Object.keys(net.params) as (keyof Params)[]).map((key) => {
          const input = h('input', { type: 'text', value: String(net.params[key]), 'data-param': snake(key), size: 22 });
          fields.append(h('label', { class: 'param' }, h('code', null, snake(key)), input));
          return [key, input] as const;
        });
        read = async () => {
          const params = { ...net.params } as Record<string, number | bigint>;
          for (const [key, input] of inputs) {
            const t = input.value.trim();
            if (!/^-?[0-9]+$/.test(t)) throw new Error(`${snake(key)}: an integer in the param's units`);
            params[key] = typeof net.params[key] === 'bigint' ? BigInt(t) : Number(t);
          }
          return { action: { __kind: 'UpdateParams', fields: [params as unknown as Params] }, pre: [] };
        };
        break;
      }
      case 'AddVerifier':
      case 'SetGuardian': {
        const a = addr('propose-address', k === 'AddVerifier' ? 'verifier address' : 'guardian address');
        fields.append(a);
        read = async () => ({ action: { __kind: k, fields: [need(a.value, 'address')] }, pre: [] });
        break;
      }
      case 'RemoveVerifier': {
        const sel = h('select', { 'data-testid': 'propose-address' }, net.verifiers.slice(0, net.verifierCount).map((v) => h('option', { value: v }, v)));
        fields.append(sel);
        read = async () => ({ action: { __kind: 'RemoveVerifier', fields: [sel.value as Address] }, pre: [] });
        break;
      }
      case 'SetVerifierThreshold': {
        const t = h('input', { type: 'number', min: 1, max: net.verifierCount, value: net.verifierThreshold, 'data-testid': 'propose-threshold' });
        fields.append(h('label', null, 'agreeing votes ', t));
        read = async () => {
          const v = Number(t.value);
          if (!Number.isInteger(v) || v < 1 || v > 255) throw new Error('threshold: a whole number of verifiers');
          return { action: { __kind: 'SetVerifierThreshold', fields: [v] }, pre: [] };
        };
        break;
      }
      case 'TreasuryTransfer': {
        const to = addr('propose-address', 'recipient wallet');
        const amount = h('input', { type: 'text', placeholder: 'EFUEL', 'data-testid': 'propose-amount' });
        fields.append(to, amount);
        read = async () => {
          const owner = need(to.value, 'recipient');
          const units = parseEfuel(amount.value);
          const ata = await efuelAccount(owner, net.mint);
          // The destination token account must exist when the proposal executes.
          const pre = [getCreateAssociatedTokenIdempotentInstruction({ payer: app.signer(), owner, mint: net.mint, ata })];
          return { action: { __kind: 'TreasuryTransfer', to: ata, amount: units }, pre };
        };
        break;
      }
      case 'UnjailNode': {
        const op = addr('propose-address', 'node operator address');
        fields.append(op);
        read = async () => ({ action: { __kind: 'UnjailNode', fields: [await nodeAddress(need(op.value, 'operator'))] }, pre: [] });
        break;
      }
    }
  };
  kind.addEventListener('change', renderFields);
  renderFields();
  const submit = h(
    'button',
    {
      'data-testid': 'propose-submit',
      onclick: async () => {
        error.textContent = '';
        try {
          const node = backing.value as Address;
          if (!node) throw new Error('you need a delegation with bonded stake to propose');
          const { action, pre } = await read();
          const id = (await app.loadNetwork())?.data.proposalCount ?? net.proposalCount;
          const ix = await getCreateProposalInstructionAsync({
            proposer: app.signer(),
            node,
            proposal: await proposalAddress(id),
            action,
            descriptionUri: description.value.trim(),
          });
          await app.send(`Propose #${id}: ${action.__kind}`, [...pre, ix]);
        } catch (e) {
          error.textContent = (e as Error).message;
        }
      },
    },
    'Propose',
  );
  return h('div', { class: 'form create' }, h('label', null, 'backed by ', backing), h('label', null, 'description ', description), h('label', null, 'action ', kind), fields, submit, error);
}
