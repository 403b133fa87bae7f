// Pool maths the app shows before a transaction (what shares redeem for,
// what a claim pays). Same formulas as the program's math.rs, in bigint;
// the unit tests check them against values the Rust client computed.

/** Scale of `acc_reward_per_share` (program constant REWARD_SCALE). */
export const REWARD_SCALE = 10n ** 18n;

/** `floor(shares · pool_tokens / pool_shares)` (0 for an empty pool). */
export function sharesToTokens(shares: bigint, poolTokens: bigint, poolShares: bigint): bigint {
  return poolShares === 0n ? 0n : (shares * poolTokens) / poolShares;
}

/** Shares a deposit of `amount` mints: 1:1 in an empty pool, else `floor(amount · shares / tokens)`. */
export function tokensToShares(amount: bigint, poolTokens: bigint, poolShares: bigint): bigint {
  if (poolShares === 0n) return amount;
  return poolTokens === 0n ? 0n : (amount * poolShares) / poolTokens;
}

export interface PoolView {
  operator: string;
  poolTokens: bigint;
  poolShares: bigint;
  accRewardPerShare: bigint;
  commissionOwed: bigint;
}
export interface PositionView {
  staker: string;
  bondedShares: bigint;
  rewardDebt: bigint;
  pendingRewards: bigint;
  activatingShares: bigint;
  activatingEpoch: bigint;
  activatingDebt: bigint;
}

/** Whether settling `d` in `epoch` needs the activation base of its `activatingEpoch` (stake still activating from an earlier epoch). */
export function needsActivationBase(d: PositionView, epoch: bigint): boolean {
  return d.activatingShares > 0n && d.activatingEpoch < epoch;
}

/** `floor(shares · acc / SCALE) − debt`, never negative. */
function owedOn(shares: bigint, acc: bigint, debt: bigint): bigint {
  const accrued = (shares * acc) / REWARD_SCALE;
  return accrued > debt ? accrued - debt : 0n;
}

/**
 * What `claim_rewards` would mint in `epoch`: settled + accrued since the last settlement (+ commission for the
 * operator). Shares still activating earn `acc − base` (`base`: the node's epoch stats `accEnd + accLate` of the
 * delegation's `activatingEpoch`, needed when `needsActivationBase`), nothing in their own epoch.
 */
export function claimableRewards(d: PositionView, node: PoolView, epoch: bigint, base: bigint | null): bigint {
  const earning = d.bondedShares - d.activatingShares;
  let owed = owedOn(earning, node.accRewardPerShare, d.rewardDebt);
  if (needsActivationBase(d, epoch)) {
    if (base === null) throw new Error('the activation base of this delegation is needed');
    owed += owedOn(d.activatingShares, node.accRewardPerShare - base, d.activatingDebt);
  }
  return d.pendingRewards + owed + (d.staker === node.operator ? node.commissionOwed : 0n);
}
