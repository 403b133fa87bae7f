mod delegation;
mod network;
mod node;
mod params;

pub use delegation::*;
pub use network::*;
pub use node::*;
pub use params::*;
