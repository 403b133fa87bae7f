//! `edgefuel-localnet`: see `edgefuel_localnet::Options` and the README.
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let opts = edgefuel_localnet::Options::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = edgefuel_localnet::run(opts).await {
        eprintln!("edgefuel-localnet: {e:#}");
        std::process::exit(1);
    }
}
