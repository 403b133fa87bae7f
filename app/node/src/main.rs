//! `edgefuel-node`: see `edgefuel_node::cli` and the README's operator guide.
fn main() {
    std::process::exit(edgefuel_node::cli::main(std::env::args_os()));
}
