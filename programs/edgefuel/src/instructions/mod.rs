pub mod network;
pub mod node;
pub mod stake;

pub use network::*;
pub use node::*;
pub use stake::*;
