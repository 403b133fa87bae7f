pub mod claim_rewards;
mod common;
pub mod delegate;
pub mod undelegate;
pub mod withdraw;

pub use claim_rewards::*;
pub use delegate::*;
pub use undelegate::*;
pub use withdraw::*;
