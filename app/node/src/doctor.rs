//! `edgefuel-node doctor`: checks every precondition of `run` and prints,
//! for each, `ok` or what to do.
use crate::agent::open_backend;
use crate::settings::NodeConfig;
use edgefuel_client::edgefuel::NodeStatus;
use edgefuel_client::{pda, CommitmentConfig, EdgeFuelClient, RetryPolicy};
use solana_signer::Signer;
use std::time::Duration;

/// SOL an agent should hold: batch account rent (returned at close) and fees.
pub const MIN_AGENT_LAMPORTS: u64 = 200_000_000;

/// One check's finding.
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok,
        detail: detail.into(),
    }
}

fn efuel(base: u64) -> String {
    format!("{}.{:09}", base / 1_000_000_000, base % 1_000_000_000)
}

/// Runs every check (later ones are skipped when an earlier one makes them
/// meaningless) and returns the findings.
pub async fn run(config: &NodeConfig) -> Vec<Check> {
    let mut out = Vec::new();
    let url = &config.settings.rpc_url;
    let agent = match edgefuel_daemon::keys::read(&config.agent_keypair) {
        Ok(k) => {
            out.push(check(
                "agent key",
                true,
                format!("{} ({})", k.pubkey(), config.agent_keypair.display()),
            ));
            Some(k.pubkey())
        }
        Err(e) => {
            out.push(check(
                "agent key",
                false,
                format!("{e}: run `edgefuel-node init` or point agent_keypair at the key"),
            ));
            None
        }
    };
    let client =
        EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed()).with_retry(RetryPolicy {
            transport_attempts: 1,
            initial_backoff: Duration::from_millis(100),
            ..RetryPolicy::default()
        });
    match client.slot().await {
        Ok(slot) => out.push(check("RPC", true, format!("{url} answers (slot {slot})"))),
        Err(e) => {
            out.push(check(
                "RPC",
                false,
                format!("{e}: is the cluster up and rpc_url right?"),
            ));
            return out;
        }
    }
    let network = match client.network().await {
        Ok(n) => {
            out.push(check(
                "network",
                true,
                format!(
                    "{} (program {})",
                    pda::network(),
                    edgefuel_client::edgefuel::ID
                ),
            ));
            n
        }
        Err(e) => {
            out.push(check(
                "network",
                false,
                format!("{e}: no EdgeFuel network on this cluster"),
            ));
            return out;
        }
    };
    let op = config.operator;
    let node = match client.node(&op).await {
        Ok(n) => {
            out.push(check("node registered", true, pda::node(&op).to_string()));
            n
        }
        Err(e) => {
            out.push(check(
                "node registered",
                false,
                format!("{e}: with the operator wallet run `edgefuel -u {url} node register --endpoint … --gpu-model … --vram-mib … --region … --stake 1000`"),
            ));
            return out;
        }
    };
    if let Some(agent) = agent {
        if node.agent == agent {
            out.push(check(
                "agent key on-chain",
                true,
                "the node names this agent key",
            ));
        } else {
            out.push(check(
                "agent key on-chain",
                false,
                format!("the node names {} as its agent: run `edgefuel -u {url} node set-agent {agent}` with the operator wallet", node.agent),
            ));
        }
        match client.sol_balance(&agent).await {
            Ok(l) if l >= MIN_AGENT_LAMPORTS => out.push(check("agent SOL", true, format!("{} lamports", l))),
            Ok(l) => out.push(check(
                "agent SOL",
                false,
                format!("{l} lamports: send the agent at least 0.2 SOL for batch rent (returned at close) and fees"),
            )),
            Err(e) => out.push(check("agent SOL", false, e.to_string())),
        }
    }
    let min = network.params.min_node_stake;
    let own = node.operator_stake().unwrap_or(0);
    out.push(check(
        "own stake",
        own >= min,
        if own >= min {
            format!("{} EFUEL ≥ minimum {}", efuel(own), efuel(min))
        } else {
            format!("{} EFUEL < minimum {}: `edgefuel stake delegate {op} <EFUEL>` with the operator wallet", efuel(own), efuel(min))
        },
    ));
    let now = client.clock().await.map(|c| c.unix_timestamp).unwrap_or(0);
    out.push(match node.status {
        NodeStatus::Active => check("not jailed", true, "Active"),
        NodeStatus::Jailed => check(
            "not jailed",
            false,
            format!(
                "jailed until unix time {} (in {} s); then `edgefuel node unjail` with the operator wallet",
                node.jailed_until,
                (node.jailed_until - now).max(0)
            ),
        ),
        NodeStatus::Exiting => check("not jailed", false, "the node is exiting: it cannot submit work"),
    });
    match tokio::task::spawn_blocking({
        let choice = config.settings.backend;
        move || open_backend(choice).map(|(b, note)| (b.name(), note))
    })
    .await
    {
        Ok(Ok((name, note))) => out.push(check(
            "device",
            true,
            match note {
                Some(n) => format!("{name} ({n})"),
                None => name,
            },
        )),
        Ok(Err(e)) => out.push(check(
            "device",
            false,
            format!("{e:#}: set backend = \"cpu\" or install a GPU driver"),
        )),
        Err(e) => out.push(check("device", false, e.to_string())),
    }
    out.push(data_dir_check(config));
    out
}

fn data_dir_check(config: &NodeConfig) -> Check {
    let dir = &config.data_dir;
    let probe_in = if dir.exists() {
        dir.clone()
    } else {
        match dir.ancestors().find(|p| p.exists()) {
            Some(p) => p.to_path_buf(),
            None => {
                return check(
                    "data dir",
                    false,
                    format!("{}: no existing parent", dir.display()),
                )
            }
        }
    };
    let probe = probe_in.join(format!(".edgefuel-doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            check(
                "data dir",
                true,
                if dir.exists() {
                    format!("{} is writable", dir.display())
                } else {
                    format!("{} will be created", dir.display())
                },
            )
        }
        Err(e) => check("data dir", false, format!("{}: {e}", probe_in.display())),
    }
}
