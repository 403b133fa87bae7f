//! `edgefuel-verifier`: see `edgefuel_verifier::cli` and the README's verifier guide.
fn main() {
    std::process::exit(edgefuel_verifier::cli::main(std::env::args_os()));
}
