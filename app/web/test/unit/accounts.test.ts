// The generated client decodes the bytes the Rust side produced exactly as
// the Rust client does (fixtures: `edgefuel-web-fixture accounts`).
import { describe, expect, it } from 'vitest';
import { getAddressEncoder, getBase64Encoder, type Decoder } from '@solana/kit';
import {
  getBatchDecoder,
  getDelegationDecoder,
  getNetworkDecoder,
  getNodeDecoder,
  getNodeEpochStatsDecoder,
  getProposalDecoder,
  getProposalVoteDecoder,
  identifyEdgefuelAccount,
  EdgefuelAccount,
  type Delegation,
  type Node,
} from '../../src/generated/edgefuel';
import { FIELD_OFFSETS } from '../../src/generated/idl';
import { claimableRewards, sharesToTokens } from '../../src/math';
import fixtures from '../fixtures/accounts.json';
import { definedToRustJson } from './rust-json';

const DECODERS: Record<string, Decoder<object>> = {
  Network: getNetworkDecoder(),
  Node: getNodeDecoder(),
  Delegation: getDelegationDecoder(),
  Proposal: getProposalDecoder(),
  ProposalVote: getProposalVoteDecoder(),
  NodeEpochStats: getNodeEpochStatsDecoder(),
  Batch: getBatchDecoder(),
};

const bytes = (b64: string) => new Uint8Array(getBase64Encoder().encode(b64));
const decode = <T>(label: string): T => {
  const f = fixtures.accounts.find((a) => a.label === label)!;
  return DECODERS[f.account].decode(bytes(f.data)) as T;
};

describe('account decoding matches the Rust client', () => {
  it('covers every account type of the IDL', () => {
    expect(new Set(fixtures.accounts.map((a) => a.account))).toEqual(new Set(Object.keys(DECODERS)));
  });

  it.each(fixtures.accounts.map((a) => [a.label, a] as const))('%s', (_label, f) => {
    const data = bytes(f.data);
    expect(EdgefuelAccount[identifyEdgefuelAccount(data)]).toBe(f.account);
    const decoded = DECODERS[f.account].decode(data);
    expect(definedToRustJson(f.account, decoded)).toEqual(f.decoded);
  });

  it('keeps integers above 2^53 exact', () => {
    const node = decode<Node>('active node');
    expect(node.accRewardPerShare).toBe(12_345_678_901_234_567_890_123n);
    expect(decode<{ totalRewardsAccrued: bigint }>('network').totalRewardsAccrued).toBe(9_007_199_254_740_993n);
  });

  it('filter offsets from the IDL point at the fields', () => {
    const data = bytes(fixtures.accounts.find((a) => a.label === 'staker delegation')!.data);
    const d = decode<Delegation>('staker delegation');
    const at = (field: string) => FIELD_OFFSETS.Delegation[field];
    const key = (a: string) => new Uint8Array(getAddressEncoder().encode(a as never));
    expect(data.slice(at('staker'), at('staker') + 32)).toEqual(key(d.staker));
    expect(data.slice(at('node'), at('node') + 32)).toEqual(key(d.node));
  });
});

describe('pool maths match the Rust client', () => {
  const node = decode<Node>(fixtures.pool_maths.node);
  it.each(fixtures.pool_maths.positions.map((p) => [p.label, p] as const))('%s', (label, p) => {
    const d = decode<Delegation>(label);
    expect(sharesToTokens(d.bondedShares, node.poolTokens, node.poolShares).toString()).toBe(p.bonded_tokens);
    expect(sharesToTokens(d.unbondingShares, node.poolTokens, node.poolShares).toString()).toBe(p.unbonding_tokens);
    const base = p.activation_base === null ? null : BigInt(p.activation_base);
    expect(claimableRewards(d, node, BigInt(p.epoch), base).toString()).toBe(p.claimable_rewards);
  });
});
