pub mod batch;
pub mod network;
pub mod node;
pub mod stake;

pub use batch::*;
pub use network::*;
pub use node::*;
pub use stake::*;
