//! Detection: a node cheats on a fraction f of its claimed work, every epoch,
//! either **faking** outputs (committing a result its jobs do not produce)
//! or **inflating** work (leaves claiming twice their job's multiply-
//! accumulates). Each epoch it commits one batch; the sample is drawn as the
//! program draws it (`sample_seed` from the batch key and an unpredictable
//! slot hash, `sample_count`, `sample_points`), every sampled cheating leaf
//! goes through the program's own reveal check (`RevealItem::check`) and the
//! verifiers' re-execution (edgefuel-jobs on the CPU). Measured: how often a
//! career of E epochs is caught by epoch e, against the prediction
//! 1 − Π (1 − g_e)^k with g_e the batch's exact cheating fraction.
//!
//! Only the slot hash is simulated (it is what the node cannot know); every
//! job is real, and the cheating leaves are spread over the batch at random.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorDeserialize;
use anyhow::{anyhow, bail};
use edgefuel::error::EdgeFuelError;
use edgefuel::proof::{hashv, sample_count, sample_points, sample_seed, Receipt};
use edgefuel::spec::JobShape;
use edgefuel::Batch;
use edgefuel_client::ReceiptBatch;
use edgefuel_jobs::{execute, CpuBackend};
use edgefuel_tests::default_params;
use rayon::prelude::*;

/// How a cheating leaf lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Commits an output its job does not produce (caught by re-execution).
    Faked,
    /// Claims twice its job's work units (refused at reveal: WorkUnitsMismatch).
    Inflated,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Faked => "faked outputs",
            Mode::Inflated => "inflated work (2×)",
        }
    }
}

/// One cheater: fraction, mode, its batches and what the samples found.
#[derive(Clone, Debug)]
pub struct Curve {
    pub f: f64,
    pub mode: Mode,
    /// Exact fraction of claimed work in cheating leaves, per epoch.
    pub g: Vec<f64>,
    /// Cheating leaves per epoch (mean).
    pub leaves: f64,
    /// Per-epoch detection: measured over all draws, and predicted.
    pub per_epoch: (f64, f64),
    /// Draws (batches sampled) behind the per-epoch figure.
    pub draws: u64,
    /// P(caught by epoch e), e = 1..=E: measured, predicted.
    pub measured: Vec<f64>,
    pub predicted: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct DetectionReport {
    pub leaves: usize,
    pub k: u64,
    pub epochs: usize,
    pub careers: usize,
    pub curves: Vec<Curve>,
}

/// Varied job sizes (work-weighted sampling must not care how work is spread).
fn shapes(n: usize) -> Vec<JobShape> {
    (0..n)
        .map(|i| {
            let h = hashv(&[b"shape", &(i as u64).to_le_bytes()]);
            let m = 1 + u32::from(h[0] % 64);
            JobShape::GemmI8 { m, n: 16, k: 16 }
        })
        .collect()
}

/// A batch account as the program holds it once sealed (fields the reveal
/// check reads; everything else zero).
fn batch_account(rb: &ReceiptBatch) -> anyhow::Result<Batch> {
    let zeros = vec![0u8; <Batch as anchor_lang::Space>::INIT_SPACE];
    let mut b = Batch::deserialize(&mut zeros.as_slice())?;
    b.node = rb.node();
    b.seq = rb.seq();
    b.root = rb.root();
    b.leaf_count = rb.leaf_count();
    b.total_work = rb.total_work();
    Ok(b)
}

struct Epoch {
    rb: ReceiptBatch,
    caught: Vec<bool>,
    g: f64,
    cheaters: usize,
}

/// Runs the simulation: `leaves` per batch, `epochs` per career, `careers`
/// careers per (f, mode).
pub fn run(
    leaves: usize,
    epochs: usize,
    careers: usize,
    fractions: &[f64],
    progress: &dyn Fn(&str),
) -> anyhow::Result<DetectionReport> {
    let p = default_params();
    let k = sample_count(leaves as u64, p.sample_bps, p.min_samples, p.max_samples);
    let operator = Pubkey::new_from_array(hashv(&[b"edgefuel-bench:cheater"]));
    let cpu = CpuBackend::new();
    progress(&format!(
        "detection: running {} honest jobs ({epochs} batches of {leaves})",
        epochs * leaves
    ));
    // Honest batches, one per epoch (seq = epoch + 1), every job executed.
    let mut honest = Vec::new();
    for e in 0..epochs {
        let seq = e as u64 + 1;
        let specs = ReceiptBatch::job_specs(&operator, seq, shapes(leaves))?;
        let truth = specs
            .par_iter()
            .map(|s| execute(s, &cpu).map(|o| o.output_commitment()))
            .collect::<Result<Vec<_>, _>>()?;
        honest.push(ReceiptBatch::new(&operator, seq, &specs, &truth)?);
    }
    let mut curves = Vec::new();
    for &f in fractions {
        for mode in [Mode::Faked, Mode::Inflated] {
            progress(&format!("detection: f = {} %, {}", f * 100.0, mode.name()));
            let batches = honest
                .iter()
                .map(|h| cheat(h, f, mode))
                .collect::<anyhow::Result<Vec<Epoch>>>()?;
            curves.push(simulate(&batches, f, mode, k, careers)?);
        }
    }
    Ok(DetectionReport {
        leaves,
        k,
        epochs,
        careers,
        curves,
    })
}

/// The cheater's version of an honest batch, and which leaves a sample
/// would catch (checked with the program's reveal check and re-execution).
fn cheat(honest: &ReceiptBatch, f: f64, mode: Mode) -> anyhow::Result<Epoch> {
    let n = honest.receipts().len();
    let truth: Vec<[u8; 32]> = honest
        .receipts()
        .iter()
        .map(|r| r.output_commitment)
        .collect();
    // A seeded shuffle: the cheater spreads its lies at random.
    let mut order: Vec<usize> = (0..n).collect();
    let tag = [f.to_bits().to_le_bytes(), (mode as u64).to_le_bytes()].concat();
    order.sort_by_key(|i| {
        hashv(&[
            b"pick",
            &tag,
            &honest.seq().to_le_bytes(),
            &(*i as u64).to_le_bytes(),
        ])
    });
    let mut receipts: Vec<Receipt> = honest.receipts().to_vec();
    let mut total: u64 = receipts.iter().map(|r| r.work_units).sum();
    let mut bad_work = 0u64;
    let mut cheaters = Vec::new();
    for i in order {
        if bad_work as f64 >= f * total as f64 {
            break;
        }
        let r = &mut receipts[i];
        match mode {
            Mode::Faked => r.output_commitment = hashv(&[b"forged", &r.output_commitment]),
            Mode::Inflated => {
                total += r.work_units;
                r.work_units *= 2;
            }
        }
        bad_work += r.work_units;
        cheaters.push(i);
    }
    let rb = ReceiptBatch::from_receipts(
        honest.operator(),
        honest.seq(),
        honest.shapes().to_vec(),
        receipts,
    )?;
    let batch = batch_account(&rb)?;
    let cpu = CpuBackend::new();
    let mut caught = vec![false; n];
    // Every cheating leaf, and a few honest ones, through reveal + re-execution.
    let honest_probe = (0..n).filter(|i| !cheaters.contains(i)).take(4);
    for i in cheaters.iter().copied().chain(honest_probe) {
        let item = rb
            .reveal_item(i as u32)
            .ok_or_else(|| anyhow!("no reveal item for leaf {i}"))?;
        let found = match item.check(&batch) {
            Ok((_, _, leaf)) => {
                let spec = batch.job_spec(&leaf)?;
                execute(&spec, &cpu)?.output_commitment() != item.output_commitment
            }
            Err(anchor_lang::error::Error::AnchorError(e))
                if e.error_code_number == u32::from(EdgeFuelError::WorkUnitsMismatch) =>
            {
                true
            }
            Err(e) => bail!("leaf {i}: unexpected refusal {e:?}"),
        };
        let is_cheater = cheaters.contains(&i);
        if found != is_cheater {
            bail!("leaf {i}: cheating {is_cheater}, caught {found}");
        }
        if is_cheater && mode == Mode::Faked && truth[i] == item.output_commitment {
            bail!("leaf {i} was not faked");
        }
        caught[i] = found;
    }
    Ok(Epoch {
        g: bad_work as f64 / rb.total_work() as f64,
        rb,
        caught,
        cheaters: cheaters.len(),
    })
}

fn simulate(
    batches: &[Epoch],
    f: f64,
    mode: Mode,
    k: u64,
    careers: usize,
) -> anyhow::Result<Curve> {
    let epochs = batches.len();
    // Per career: the epoch it is first caught in, if any.
    let first: Vec<Option<usize>> = (0..careers)
        .into_par_iter()
        .map(|c| {
            batches.iter().enumerate().find_map(|(e, b)| {
                let slot_hash = hashv(&[
                    b"slot",
                    &(c as u64).to_le_bytes(),
                    &(e as u64).to_le_bytes(),
                    &f.to_bits().to_le_bytes(),
                    &[mode as u8],
                ]);
                let seed = sample_seed(&b.rb.key().to_bytes(), &slot_hash);
                let points = sample_points(&seed, b.rb.total_work(), k);
                points
                    .iter()
                    .any(|p| b.rb.tree().leaf_at(*p).is_some_and(|i| b.caught[i]))
                    .then_some(e)
            })
        })
        .collect();
    let p_epoch = |g: f64| 1.0 - (1.0 - g).powi(k as i32);
    let mut measured = Vec::with_capacity(epochs);
    let mut predicted = Vec::with_capacity(epochs);
    let (mut escape, mut draws, mut hits, mut expected_hits) = (1.0f64, 0u64, 0u64, 0.0f64);
    for (e, b) in batches.iter().enumerate() {
        // Careers still uncaught draw a sample this epoch.
        let alive = first.iter().filter(|x| x.is_none_or(|x| x >= e)).count() as u64;
        let caught_now = first.iter().filter(|x| **x == Some(e)).count() as u64;
        draws += alive;
        hits += caught_now;
        expected_hits += alive as f64 * p_epoch(b.g);
        let caught = first.iter().filter(|x| x.is_some_and(|x| x <= e)).count();
        measured.push(caught as f64 / careers as f64);
        escape *= 1.0 - p_epoch(b.g);
        predicted.push(1.0 - escape);
    }
    let g: Vec<f64> = batches.iter().map(|b| b.g).collect();
    Ok(Curve {
        f,
        mode,
        leaves: batches.iter().map(|b| b.cheaters as f64).sum::<f64>() / epochs as f64,
        g,
        per_epoch: (
            hits as f64 / draws.max(1) as f64,
            expected_hits / draws.max(1) as f64,
        ),
        draws,
        measured,
        predicted,
    })
}
