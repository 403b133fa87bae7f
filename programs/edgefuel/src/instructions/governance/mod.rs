pub mod actions;
pub mod cancel_proposal;
pub mod cast_vote;
pub mod create_proposal;
pub mod execute_proposal;
pub mod finalize_proposal;

pub use cancel_proposal::*;
pub use cast_vote::*;
pub use create_proposal::*;
pub use execute_proposal::*;
pub use finalize_proposal::*;
