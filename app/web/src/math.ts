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
}

/** What `claim_rewards` would mint now: settled + accrued since the last settlement (+ commission for the operator). */
export function claimableRewards(d: PositionView, node: PoolView): bigint {
  const accrued = (d.bondedShares * node.accRewardPerShare) / REWARD_SCALE;
  const owed = accrued > d.rewardDebt ? accrued - d.rewardDebt : 0n;
  return d.pendingRewards + owed + (d.staker === node.operator ? node.commissionOwed : 0n);
}
