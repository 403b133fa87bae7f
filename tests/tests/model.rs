//! The model-based reliability suite (`edgefuel_tests::model`): random
//! action sequences run in lockstep on the program and the reference model.
//!
//! `EDGEFUEL_SEQUENCES=N` runs N sequences instead of the CI count (a long
//! check; the bad-input table is then only printed, not compared).
use edgefuel_tests::model::{self, table};

/// Sequences and actions per sequence in CI.
const CI_SEQUENCES: u64 = 40;
const LEN: usize = 60;

#[tokio::test]
async fn random_sequences_match_the_model() {
    let custom = std::env::var("EDGEFUEL_SEQUENCES").ok();
    let n = custom.as_deref().map_or(CI_SEQUENCES, |v| {
        v.parse().expect("EDGEFUEL_SEQUENCES is a number")
    });
    let started = std::time::Instant::now();
    let report = model::check(0..n, LEN).await;
    println!(
        "model: {} sequences, {} steps, {} refusal kinds, {:.1} s",
        report.sequences,
        report.steps,
        report.seen.refusals.len(),
        started.elapsed().as_secs_f64()
    );
    for (what, count) in &report.seen.successes {
        println!("  {count:>6} × {what}");
    }
    let table = table::render(&report.seen.refusals, n, LEN);
    if custom.is_some() {
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
