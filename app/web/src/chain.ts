// Reading EdgeFuel state over JSON-RPC. Every account is decoded by the
// generated client (src/generated), every filter offset comes from the IDL.
import {
  address,
  createSolanaRpc,
  getBase58Decoder,
  getBase64Encoder,
  getProgramDerivedAddress,
  getU64Encoder,
  type Address,
  type Base58EncodedBytes,
  type Decoder,
  type Rpc,
  type SolanaRpcApi,
} from '@solana/kit';
import { fetchSysvarClock } from '@solana/sysvars';
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import {
  EDGEFUEL_PROGRAM_ADDRESS,
  findClaimRewardsDelegationPda,
  findEpochStatsPda,
  findNetworkPda,
  findNodePda,
  getDelegationDecoder,
  getNetworkDecoder,
  getNodeDecoder,
  getNodeEpochStatsDecoder,
  getProposalDecoder,
  getProposalVoteDecoder,
  DELEGATION_DISCRIMINATOR,
  NODE_DISCRIMINATOR,
  NODE_EPOCH_STATS_DISCRIMINATOR,
  PROPOSAL_DISCRIMINATOR,
  PROPOSAL_VOTE_DISCRIMINATOR,
  type Delegation,
  type Network,
  type Node,
  type NodeEpochStats,
  type Proposal,
  type ProposalVote,
} from './generated/edgefuel';
import { FIELD_OFFSETS, PDA_PREFIXES } from './generated/idl';
import { needsActivationBase } from './math';

export type EdgeRpc = Rpc<SolanaRpcApi>;

export interface Located<T> {
  address: Address;
  data: T;
}

export function rpcFor(url: string): EdgeRpc {
  return createSolanaRpc(url);
}

const b58 = getBase58Decoder();
const b64 = getBase64Encoder();

function memcmp(offset: number, bytes: Uint8Array | string) {
  const encoded = typeof bytes === 'string' ? bytes : b58.decode(bytes);
  return { memcmp: { offset: BigInt(offset), bytes: encoded as Base58EncodedBytes, encoding: 'base58' as const } };
}

/** Offset of a fixed-position field, from the IDL (FIELD_OFFSETS is generated). */
export function fieldOffset(account: string, field: string): number {
  const o = FIELD_OFFSETS[account]?.[field];
  if (o === undefined) throw new Error(`${account}.${field} has no fixed offset in the IDL`);
  return o;
}

async function scan<T>(
  rpc: EdgeRpc,
  discriminator: Uint8Array,
  decoder: Decoder<T>,
  extra: ReturnType<typeof memcmp>[] = [],
): Promise<Located<T>[]> {
  const res = await rpc
    .getProgramAccounts(EDGEFUEL_PROGRAM_ADDRESS, {
      encoding: 'base64',
      filters: [memcmp(0, discriminator), ...extra],
    })
    .send();
  return res.map((r) => ({ address: r.pubkey, data: decoder.decode(b64.encode(r.account.data[0])) }));
}

async function one<T>(rpc: EdgeRpc, addr: Address, decoder: Decoder<T>): Promise<T | null> {
  const { value } = await rpc.getAccountInfo(addr, { encoding: 'base64' }).send();
  return value ? decoder.decode(b64.encode(value.data[0])) : null;
}

export async function networkAddress(): Promise<Address> {
  return (await findNetworkPda())[0];
}

export async function fetchNetwork(rpc: EdgeRpc): Promise<Located<Network> | null> {
  const addr = await networkAddress();
  const data = await one(rpc, addr, getNetworkDecoder());
  return data ? { address: addr, data } : null;
}

export async function nodeAddress(operator: Address): Promise<Address> {
  return (await findNodePda({ operator }))[0];
}

export async function fetchNode(rpc: EdgeRpc, node: Address): Promise<Node | null> {
  return one(rpc, node, getNodeDecoder());
}

export function fetchNodes(rpc: EdgeRpc): Promise<Located<Node>[]> {
  return scan(rpc, NODE_DISCRIMINATOR, getNodeDecoder());
}

export function fetchDelegationsOf(rpc: EdgeRpc, staker: Address): Promise<Located<Delegation>[]> {
  return scan(rpc, DELEGATION_DISCRIMINATOR, getDelegationDecoder(), [memcmp(fieldOffset('Delegation', 'staker'), staker)]);
}

export function fetchDelegationsInto(rpc: EdgeRpc, node: Address): Promise<Located<Delegation>[]> {
  return scan(rpc, DELEGATION_DISCRIMINATOR, getDelegationDecoder(), [memcmp(fieldOffset('Delegation', 'node'), node)]);
}

export function fetchEpochStats(rpc: EdgeRpc, node: Address): Promise<Located<NodeEpochStats>[]> {
  return scan(rpc, NODE_EPOCH_STATS_DISCRIMINATOR, getNodeEpochStatsDecoder(), [
    memcmp(fieldOffset('NodeEpochStats', 'node'), node),
  ]);
}

/** `staker`'s delegation in `node`, null when there is none. */
export async function fetchDelegation(rpc: EdgeRpc, node: Address, staker: Address): Promise<Delegation | null> {
  const [address] = await findClaimRewardsDelegationPda({ node, staker });
  return one(rpc, address, getDelegationDecoder());
}

/** The network's reward epoch at the cluster's time. */
export async function currentEpoch(rpc: EdgeRpc, net: Network): Promise<bigint> {
  return (await chainTime(rpc)) / net.params.epochSeconds;
}

/**
 * The node's stats account a stake instruction of `d` must name in `epoch`: that of the delegation's
 * `activatingEpoch` while stake from an earlier epoch is activating, otherwise none.
 */
export async function activatingStatsFor(node: Address, d: Delegation | null, epoch: bigint): Promise<Address | undefined> {
  if (!d || !needsActivationBase(d, epoch)) return undefined;
  return (await findEpochStatsPda({ node, epoch: d.activatingEpoch }))[0];
}

/** The accumulator value activating stake of `d` earns from (`accEnd + accLate` of its epoch), when needed in `epoch`. */
export async function activationBase(rpc: EdgeRpc, node: Address, d: Delegation, epoch: bigint): Promise<bigint | null> {
  const address = await activatingStatsFor(node, d, epoch);
  if (!address) return null;
  const stats = await one(rpc, address, getNodeEpochStatsDecoder());
  if (!stats) throw new Error(`epoch stats ${address} of node ${node} are missing`);
  return stats.accEnd + stats.accLate;
}

/** A proposal's address: PDA [prefix, id as u64 LE] (prefix from the IDL). */
export async function proposalAddress(id: bigint): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: EDGEFUEL_PROGRAM_ADDRESS,
    seeds: [PDA_PREFIXES.proposal, getU64Encoder().encode(id)],
  });
  return pda;
}

export function fetchProposals(rpc: EdgeRpc): Promise<Located<Proposal>[]> {
  return scan(rpc, PROPOSAL_DISCRIMINATOR, getProposalDecoder());
}

export function fetchVotesOf(rpc: EdgeRpc, voter: Address): Promise<Located<ProposalVote>[]> {
  return scan(rpc, PROPOSAL_VOTE_DISCRIMINATOR, getProposalVoteDecoder(), [memcmp(fieldOffset('ProposalVote', 'voter'), voter)]);
}

/** The wallet's EFUEL token account (associated token account). */
export async function efuelAccount(owner: Address, mint: Address): Promise<Address> {
  return (await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS }))[0];
}

/** EFUEL base units in the wallet's associated token account (0 when it has none). */
export async function efuelBalance(rpc: EdgeRpc, owner: Address, mint: Address): Promise<bigint> {
  const ata = await efuelAccount(owner, mint);
  const { value } = await rpc.getAccountInfo(ata, { encoding: 'base64' }).send();
  if (!value) return 0n;
  const res = await rpc.getTokenAccountBalance(ata).send();
  return BigInt(res.value.amount);
}

export async function solBalance(rpc: EdgeRpc, owner: Address): Promise<bigint> {
  return (await rpc.getBalance(owner).send()).value;
}

export async function tokenSupply(rpc: EdgeRpc, mint: Address): Promise<bigint> {
  return BigInt((await rpc.getTokenSupply(mint).send()).value.amount);
}

export async function tokenAccountAmount(rpc: EdgeRpc, account: Address): Promise<bigint> {
  return BigInt((await rpc.getTokenAccountBalance(account).send()).value.amount);
}

/** The cluster's unix time (Clock sysvar). */
export async function chainTime(rpc: EdgeRpc): Promise<bigint> {
  return (await fetchSysvarClock(rpc)).unixTimestamp;
}

export function isAddress(text: string): boolean {
  try {
    address(text.trim());
    return true;
  } catch {
    return false;
  }
}
