pub mod exit_node;
pub mod register_node;
pub mod set_agent_key;
pub mod update_node;

pub use exit_node::*;
pub use register_node::*;
pub use set_agent_key::*;
pub use update_node::*;
