//! The verifier's share of compute and end-to-end throughput, from real
//! daemon runs: a local chain, three `edgefuel-verifier` processes
//! (threshold 2, crank on) and, for each job kind and batch size in turn,
//! one fresh operator's `edgefuel-node` process, all started by
//! `edgefuel-launch` exactly as the demo starts them.
//!
//! Each run lasts a fixed window from the node's start. Figures come from
//! the processes themselves: CPU seconds (utime + stime of
//! `/proc/<pid>/stat`) of the node, each verifier and the chain, read at the
//! start and end of the window; the daemons' `/metrics`
//! (`phase_seconds_total{phase}`: where their time went; jobs; votes;
//! re-execution seconds); the chain's `/metrics` (transactions, seconds
//! spent executing them); and the node's account on the chain (batches
//! submitted and accepted within the window).
use crate::svg::fmt_num;
use anyhow::{bail, Context};
use edgefuel_client::amount::EFUEL;
use edgefuel_client::edgefuel::NodeMetadata;
use edgefuel_client::{CommitmentConfig, EdgeFuelClient};
use edgefuel_daemon::phases;
use edgefuel_launch::daemon::{free_addr, metric, spawn, spawn_verifier, Daemon};
use edgefuel_launch::{operator, LocalChain};
use edgefuel_node::workload::{JobMix, JobSize};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::time::{Duration, Instant};

/// The phases of a daemon, in report order.
pub const PHASES: [&str; 6] = [
    phases::INPUTS,
    phases::KERNEL,
    phases::HASHING,
    phases::JOURNAL,
    phases::CHAIN,
    phases::IDLE,
];

/// What to run.
pub struct Plan {
    pub kinds: Vec<JobMix>,
    pub sizes: Vec<u32>,
    pub job_size: JobSize,
    /// Wall time of each run, from the node's start.
    pub window: Duration,
}

/// A process's CPU seconds and metrics page at one moment.
struct Sample {
    cpu: f64,
    page: String,
}

async fn sample(d: &Daemon) -> anyhow::Result<Sample> {
    Ok(Sample {
        cpu: d.cpu_seconds()?,
        page: d
            .metrics()
            .await
            .with_context(|| format!("{}'s /metrics ({})", d.name, d.http))?,
    })
}

/// The phases of a metrics page (seconds, in [`PHASES`] order).
fn phase_seconds(page: &str, prefix: &str) -> [f64; 6] {
    PHASES.map(|p| {
        metric(
            page,
            &format!("{prefix}_phase_seconds_total"),
            &format!("phase=\"{p}\""),
        )
    })
}

/// One run: one node, one job kind, one batch size.
#[derive(Clone, Debug)]
pub struct DaemonRun {
    pub kind: JobMix,
    pub jobs: u32,
    /// Wall seconds of the window.
    pub seconds: f64,
    /// Batches the node submitted and that were accepted within the window.
    pub submitted: u64,
    pub accepted: u64,
    /// Jobs the node ran (its metrics).
    pub node_jobs: u64,
    /// Transactions the chain executed in the window (all senders).
    pub txs: u64,
    pub node_cpu: f64,
    /// CPU seconds of each verifier over the window.
    pub verifier_cpu: Vec<f64>,
    /// Votes each verifier sent in the window.
    pub verifier_votes: Vec<u64>,
    /// Jobs the verifiers re-executed (all of them).
    pub reexec_jobs: u64,
    /// Device seconds: the node's jobs, the verifiers' re-executions (all).
    pub node_job_seconds: f64,
    pub reexec_seconds: f64,
    /// Seconds by phase ([`PHASES`]): the node; the verifiers' mean.
    pub node_phases: [f64; 6],
    pub verifier_phases: [f64; 6],
    /// The chain: CPU seconds, and seconds executing transactions.
    pub chain_cpu: f64,
    pub chain_execute: f64,
}

impl DaemonRun {
    /// Node CPU seconds per batch it built.
    pub fn node_cpu_per_batch(&self) -> f64 {
        let batches = self.node_jobs as f64 / self.jobs as f64;
        self.node_cpu / batches.max(1e-9)
    }

    /// A verifier's CPU seconds per batch it voted on (mean over verifiers
    /// that voted).
    pub fn verifier_cpu_per_batch(&self) -> f64 {
        let per: Vec<f64> = self
            .verifier_cpu
            .iter()
            .zip(&self.verifier_votes)
            .filter(|(_, v)| **v > 0)
            .map(|(c, v)| c / *v as f64)
            .collect();
        if per.is_empty() {
            f64::NAN
        } else {
            per.iter().sum::<f64>() / per.len() as f64
        }
    }

    /// One verifier's CPU per batch ÷ the node's CPU per batch.
    pub fn share(&self) -> f64 {
        self.verifier_cpu_per_batch() / self.node_cpu_per_batch()
    }

    /// Re-execution seconds per re-executed job ÷ job seconds per job run:
    /// the kernel-only share of one verifier, per batch (× jobs re-executed
    /// per vote ÷ jobs per batch).
    pub fn kernel_share(&self) -> f64 {
        let votes: u64 = self.verifier_votes.iter().sum();
        if votes == 0 || self.node_jobs == 0 || self.node_job_seconds <= 0.0 {
            return f64::NAN;
        }
        let per_vote = self.reexec_seconds / votes as f64;
        let per_batch = self.node_job_seconds / (self.node_jobs as f64 / self.jobs as f64);
        per_vote / per_batch
    }

    pub fn verified_jobs_per_second(&self) -> f64 {
        (self.accepted * self.jobs as u64) as f64 / self.seconds
    }

    pub fn txs_per_second(&self) -> f64 {
        self.txs as f64 / self.seconds
    }

    pub fn label(&self) -> String {
        format!("{} ×{}", self.kind.name(), self.jobs)
    }
}

/// Everything the daemon runs measured.
#[derive(Clone, Debug)]
pub struct DaemonReport {
    pub runs: Vec<DaemonRun>,
    pub verifiers: usize,
    pub threshold: u8,
    pub job_size: JobSize,
    pub window: f64,
    /// How the daemons were started (binaries next to edgefuel-bench, or
    /// edgefuel-bench re-run as each).
    pub processes: String,
    pub chain_boot: f64,
    pub seal_delay_slots: u64,
    pub min_samples: u16,
    pub max_samples: u16,
    pub sample_bps: u16,
}

/// Runs the plan; `log` prints progress.
pub fn run(plan: &Plan, log: &dyn Fn(&str)) -> anyhow::Result<DaemonReport> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(run_async(plan, log))
}

async fn run_async(plan: &Plan, log: &dyn Fn(&str)) -> anyhow::Result<DaemonReport> {
    let chain = LocalChain::start()?;
    let url = chain.url.clone();
    log(&format!(
        "daemons: local chain {url} up in {:.1} s",
        chain.boot.as_secs_f64()
    ));
    let logs = chain.dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let client = EdgeFuelClient::new(url.clone(), CommitmentConfig::confirmed());
    let network = client.network().await.context("reading the network")?;
    let p = network.params;
    let funder_file = chain.keys_dir.join("genesis-owner.json");
    let funder = solana_keypair::read_keypair_file(&funder_file)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", funder_file.display()))?;

    let level = "warn";
    let mut verifiers = Vec::new();
    for (i, v) in network.verifier_set().iter().enumerate() {
        let name = format!("verifier-{}", i + 1);
        let key = chain.keys_dir.join(format!("{name}.json"));
        let key_pub = solana_keypair::read_keypair_file(&key)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", key.display()))?
            .pubkey();
        if key_pub != *v {
            bail!("{} is not the network's verifier {v}", key.display());
        }
        client
            .send(
                &[edgefuel_client::ix::create_efuel_ata(&funder.pubkey(), v)],
                &[&funder],
            )
            .await
            .map_err(|e| operator::refused("verifier EFUEL account", &url, e))?;
        verifiers.push(spawn_verifier(&name, &key, &url, "cpu", &logs, level)?);
    }
    let processes = match verifiers.first() {
        Some(v) => process_name(v),
        None => bail!("the network has no verifiers"),
    };
    wait_healthy(&mut verifiers).await?;

    let stake = 100_000 * EFUEL;
    let mut runs = Vec::new();
    for kind in &plan.kinds {
        for &jobs in &plan.sizes {
            let name = format!("node-{}-{jobs}", kind.name());
            let operator_key = Keypair::new();
            let ixs = operator::fund(
                &funder.pubkey(),
                &operator_key.pubkey(),
                2_000_000_000,
                stake,
            )?;
            client
                .send(&ixs, &[&funder])
                .await
                .map_err(|e| operator::refused("funding an operator", &url, e))?;
            let dir = chain.dir.join(&name);
            let http = free_addr()?;
            operator::register_node(
                &client,
                &operator_key,
                &operator::NodePlan {
                    name: &name,
                    dir: &dir,
                    http,
                    stake,
                    metadata: NodeMetadata {
                        endpoint: format!("http://{http}"),
                        gpu_model: "cpu".into(),
                        vram_mib: 1_024,
                        region: "local".into(),
                        commission_bps: 500.min(p.max_commission_bps),
                    },
                    init_log: &logs.join(format!("{name}-init.log")),
                },
            )
            .await?;
            let size = match plan.job_size {
                JobSize::Small => "small",
                JobSize::Medium => "medium",
                JobSize::Large => "large",
            };
            let kind_value = match kind {
                JobMix::Mixed => "mixed",
                JobMix::Gemm => "gemm",
                JobMix::Mlp => "mlp",
                JobMix::Conv => "conv",
            };
            let env = vec![
                ("EDGEFUEL_NODE_BATCH__JOBS".to_string(), jobs.to_string()),
                ("EDGEFUEL_NODE_BATCH__INTERVAL_SECS".into(), "0.1".into()),
                ("EDGEFUEL_NODE_BATCH__JOB_SIZE".into(), size.into()),
                ("EDGEFUEL_NODE_BATCH__JOB_KIND".into(), kind_value.into()),
            ];
            let v0 = sample_all(&verifiers).await?;
            let chain0 = chain_sample(&chain).await?;
            let started = Instant::now();
            let mut node = spawn(
                "node",
                &name,
                &[
                    "run".into(),
                    "--config".into(),
                    dir.join("node.toml").into(),
                ],
                &env,
                http,
                &logs,
                level,
            )?;
            while started.elapsed() < plan.window {
                if let Ok(Some(status)) = node.child.try_wait() {
                    bail!(
                        "{name} exited early ({status}); its log {}:\n{}",
                        node.log.display(),
                        edgefuel_launch::chain::tail(&node.log, 20)
                    );
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let n1 = sample(&node).await?;
            let v1 = sample_all(&verifiers).await?;
            let chain1 = chain_sample(&chain).await?;
            let seconds = started.elapsed().as_secs_f64();
            let on_chain = client.node(&operator_key.pubkey()).await?;
            node.stop(Duration::from_secs(10));

            let vm = |s: &[Sample], name: &str, label: &str| -> Vec<f64> {
                s.iter().map(|x| metric(&x.page, name, label)).collect()
            };
            let diff = |a: Vec<f64>, b: Vec<f64>| -> Vec<f64> {
                b.iter().zip(&a).map(|(y, x)| y - x).collect()
            };
            let votes = diff(
                vm(&v0, "edgefuel_verifier_verdicts_total", ""),
                vm(&v1, "edgefuel_verifier_verdicts_total", ""),
            );
            let mut verifier_phases = [0.0; 6];
            for (a, b) in v0.iter().zip(&v1) {
                let (pa, pb) = (
                    phase_seconds(&a.page, "edgefuel_verifier"),
                    phase_seconds(&b.page, "edgefuel_verifier"),
                );
                for i in 0..6 {
                    verifier_phases[i] += (pb[i] - pa[i]) / v0.len() as f64;
                }
            }
            let total =
                |name: &str| -> f64 { diff(vm(&v0, name, ""), vm(&v1, name, "")).iter().sum() };
            let run = DaemonRun {
                kind: *kind,
                jobs,
                seconds,
                submitted: on_chain.batches_submitted,
                accepted: on_chain.batches_accepted,
                node_jobs: metric(&n1.page, "edgefuel_node_jobs_total", "") as u64,
                txs: (chain1.txs - chain0.txs).max(0.0) as u64,
                node_cpu: n1.cpu,
                verifier_cpu: v0.iter().zip(&v1).map(|(a, b)| b.cpu - a.cpu).collect(),
                verifier_votes: votes.iter().map(|v| v.round() as u64).collect(),
                reexec_jobs: total("edgefuel_verifier_samples_checked_total") as u64,
                node_job_seconds: metric(&n1.page, "edgefuel_node_job_seconds_total", ""),
                reexec_seconds: total("edgefuel_verifier_reexec_seconds_total"),
                node_phases: phase_seconds(&n1.page, "edgefuel_node"),
                verifier_phases,
                chain_cpu: chain1.cpu - chain0.cpu,
                chain_execute: chain1.execute - chain0.execute,
            };
            log(&format!(
                "daemons: {} in {:.0} s: {} batches submitted, {} accepted, {} verified jobs/s, {} tx/s, verifier/node CPU per batch {}",
                run.label(),
                seconds,
                run.submitted,
                run.accepted,
                fmt_num(run.verified_jobs_per_second()),
                fmt_num(run.txs_per_second()),
                fmt_num(run.share())
            ));
            runs.push(run);
        }
    }
    for v in verifiers.iter_mut() {
        v.stop(Duration::from_secs(10));
    }
    Ok(DaemonReport {
        runs,
        verifiers: verifiers.len(),
        threshold: network.verifier_threshold,
        job_size: plan.job_size,
        window: plan.window.as_secs_f64(),
        processes,
        chain_boot: chain.boot.as_secs_f64(),
        seal_delay_slots: p.seal_delay_slots,
        min_samples: p.min_samples,
        max_samples: p.max_samples,
        sample_bps: p.sample_bps,
    })
}

/// Which executable runs the daemons.
fn process_name(d: &Daemon) -> String {
    let exe = std::fs::read_link(format!("/proc/{}/exe", d.child.id()))
        .ok()
        .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "?".into());
    if exe.starts_with("edgefuel-verifier") {
        "the built `edgefuel-node` and `edgefuel-verifier` binaries".into()
    } else {
        format!("`{exe}` re-run as each daemon (the same library entry points)")
    }
}

async fn sample_all(ds: &[Daemon]) -> anyhow::Result<Vec<Sample>> {
    let mut out = Vec::new();
    for d in ds {
        out.push(sample(d).await?);
    }
    Ok(out)
}

struct ChainSample {
    cpu: f64,
    txs: f64,
    execute: f64,
}

async fn chain_sample(chain: &LocalChain) -> anyhow::Result<ChainSample> {
    let page = reqwest::get(format!("{}/metrics", chain.url))
        .await
        .context("the chain's /metrics")?
        .text()
        .await
        .context("the chain's /metrics")?;
    Ok(ChainSample {
        cpu: edgefuel_launch::daemon::cpu_seconds(chain.pid())?,
        txs: metric(&page, "edgefuel_localnet_transactions_total", ""),
        execute: metric(&page, "edgefuel_localnet_execute_seconds_total", ""),
    })
}

/// Waits until every daemon's `/metrics` answers (at most 60 s).
async fn wait_healthy(ds: &mut [Daemon]) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    for d in ds {
        while d.metrics().await.is_none() {
            if let Ok(Some(status)) = d.child.try_wait() {
                bail!("{} exited ({status}): see {}", d.name, d.log.display());
            }
            if Instant::now() > deadline {
                bail!("{} did not answer on {} within 60 s", d.name, d.http);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}
