pub mod initialize_network;
pub mod pause;

pub use initialize_network::*;
pub use pause::*;
