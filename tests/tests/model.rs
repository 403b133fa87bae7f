//! The model-based reliability suite (`edgefuel_tests::model`): random
//! action sequences run in lockstep on the program and the reference model.
//!
//! `EDGEFUEL_SEQUENCES=N` runs N sequences instead of the CI count (a long
//! check; the bad-input table is then only printed, not compared);
//! `EDGEFUEL_FIRST_SEED` (default 0) and `EDGEFUEL_SEQUENCE_LEN` (default
//! 60) pick the seeds and the length, e.g. to split a long check over
//! processes.
use edgefuel_tests::model::{self, table};

/// Sequences and actions per sequence in CI.
const CI_SEQUENCES: u64 = 30;
const LEN: usize = 60;

fn env(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} is a number")))
}

#[tokio::test]
async fn random_sequences_match_the_model() {
    let custom = env("EDGEFUEL_SEQUENCES");
    let n = custom.unwrap_or(CI_SEQUENCES);
    let first = env("EDGEFUEL_FIRST_SEED").unwrap_or(0);
    let len = env("EDGEFUEL_SEQUENCE_LEN").map_or(LEN, |l| l as usize);
    let started = std::time::Instant::now();
    let report = model::check(first..first + n, len).await;
    println!(
        "model: seeds {first}..{}, {} sequences, {} steps, {} refusal kinds, {:.1} s",
        first + n,
        report.sequences,
        report.steps,
        report.seen.refusals.len(),
        started.elapsed().as_secs_f64()
    );
    for (what, count) in &report.seen.successes {
        println!("  {count:>6} × {what}");
    }
    let table = table::render(&report.seen.refusals, n, len);
    if custom.is_some() || first != 0 || len != LEN {
        println!("{table}");
        return;
    }
    if std::env::var("EDGEFUEL_BLESS").is_ok() {
        std::fs::write(table::path(), &table).unwrap();
    }
    let committed = std::fs::read_to_string(table::path()).unwrap_or_default();
    assert!(
        committed == table,
        "docs/bad-inputs.md is stale: rerun with EDGEFUEL_BLESS=1\n{table}"
    );
}
