pub mod batch;
pub mod governance;
pub mod network;
pub mod network_token;
pub mod node;
pub mod stake;

pub use batch::*;
pub use governance::*;
pub use network::*;
pub use node::*;
pub use stake::*;
