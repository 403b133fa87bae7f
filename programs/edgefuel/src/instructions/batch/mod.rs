pub mod close_batch;
pub mod common;
pub mod finalize_batch;
pub mod report_missed;
pub mod reveal_samples;
pub mod seal_batch;
pub mod submit_batch;
pub mod unjail_node;
pub mod vote;

pub use close_batch::*;
pub use finalize_batch::*;
pub use report_missed::*;
pub use reveal_samples::*;
pub use seal_batch::*;
pub use submit_batch::*;
pub use unjail_node::*;
pub use vote::*;
