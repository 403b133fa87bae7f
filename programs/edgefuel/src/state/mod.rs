mod batch;
mod delegation;
mod network;
mod node;
mod params;
mod proposal;

pub use batch::*;
pub use delegation::*;
pub use network::*;
pub use node::*;
pub use params::*;
pub use proposal::*;
