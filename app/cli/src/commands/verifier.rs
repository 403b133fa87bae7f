//! `edgefuel verifier list`.
use crate::context::Ctx;
use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum VerifierCmd {
    /// The verifier set and how many of them must agree.
    List,
}

pub async fn run(ctx: &Ctx, cmd: VerifierCmd) -> Result<()> {
    match cmd {
        VerifierCmd::List => {
            let n = ctx.network().await?;
            let set: Vec<String> = n.verifier_set().iter().map(|k| k.to_string()).collect();
            let value = json!({
                "verifiers": set,
                "threshold": n.verifier_threshold,
                "count": n.verifier_count,
            });
            ctx.emit(&value, || {
                let mut s = format!(
                    "{} verifier(s), {} must agree:\n",
                    n.verifier_count, n.verifier_threshold
                );
                for k in &set {
                    s += &format!("  {k}\n");
                }
                s.trim_end().to_string()
            })
        }
    }
}
