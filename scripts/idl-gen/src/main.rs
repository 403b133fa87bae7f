//! Builds EdgeFuel's IDL the way `anchor idl build` does and writes it to the
//! committed file, or checks that the committed file is current.
//!
//! Run it through `scripts/idl`, never through `cargo run`: cargo sets
//! `RUSTUP_TOOLCHAIN` for its children and the IDL builder would then try to
//! install that toolchain with rustup. This binary refuses to start when the
//! variable is set.
use anyhow::{bail, Context, Result};
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Write or check the committed EdgeFuel IDL")]
struct Cli {
    /// The program crate directory.
    #[arg(long, default_value = "programs/edgefuel")]
    program: PathBuf,
    /// The committed IDL file.
    #[arg(long, default_value = "programs/edgefuel/idl/edgefuel.json")]
    out: PathBuf,
    /// Compare with the committed file instead of writing it; exit 1 when stale.
    #[arg(long)]
    check: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if std::env::var_os("RUSTUP_TOOLCHAIN").is_some() {
        bail!(
            "RUSTUP_TOOLCHAIN is set: the IDL builder would run `rustup toolchain install`. \
             Run `bash scripts/idl` (it unsets the variable) instead of `cargo run`."
        );
    }
    let program = cli
        .program
        .canonicalize()
        .with_context(|| format!("program directory {} not found", cli.program.display()))?;
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program)
        .build()
        .context("building the IDL failed (set ANCHOR_LOG=1 for the build output)")?;
    let mut json = serde_json::to_string_pretty(&idl)?;
    json.push('\n');
    if cli.check {
        let committed = std::fs::read_to_string(&cli.out)
            .with_context(|| format!("reading committed IDL {}", cli.out.display()))?;
        if committed != json {
            bail!(
                "{} is stale: the program's interface changed. Run `bash scripts/idl` and commit the result.",
                cli.out.display()
            );
        }
        println!("IDL is current: {}", cli.out.display());
    } else {
        if let Some(dir) = cli.out.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&cli.out, json).with_context(|| format!("writing {}", cli.out.display()))?;
        println!("wrote {}", cli.out.display());
    }
    Ok(())
}
