//! EdgeFuel's model-based reliability suite.
//!
//! A plain-Rust reference model of the protocol (`state`, `rules`,
//! `rewards`: pools, shares, unbonding, reward accrual, batches, votes,
//! slashes, proposals, emission), written from the README's rules and not
//! calling the program's handlers or `math.rs`, runs in lockstep with the
//! program on solana-program-test (`chain`). Random action sequences
//! (`gen`) with seven actors, three nodes and four verifier keys drive both;
//! after every step `compare` checks every field of every account, every
//! token balance and the invariants, and every refusal must be the model's
//! refusal with the same error (and every success a success). A failing
//! sequence is minimized (`shrink`) and printed as a ready-to-paste test.
//! The refusals observed make the bad-input table (`table`,
//! `docs/bad-inputs.md`).
pub mod actions;
pub mod chain;
pub mod compare;
pub mod gen;
pub mod rewards;
pub mod rules;
pub mod shrink;
pub mod state;
pub mod table;

use actions::Action;
use chain::Chain;
use state::Model;
use std::collections::BTreeSet;

/// A refusal seen: (instruction, failure class, error name).
pub type Row = (&'static str, &'static str, String);

/// What the runs exercised: the refusals (for the bad-input table) and how
/// often each instruction succeeded, and the batches' final states.
#[derive(Default)]
pub struct Seen {
    pub refusals: BTreeSet<Row>,
    pub successes: std::collections::BTreeMap<String, u64>,
}

/// The instruction an action sends.
pub fn instruction(a: &Action) -> &'static str {
    match a {
        Action::Delegate { .. } => "delegate",
        Action::Undelegate { .. } => "undelegate",
        Action::Withdraw { .. } => "withdraw",
        Action::Claim { .. } => "claim_rewards",
        Action::Submit { .. } => "submit_batch",
        Action::Seal { .. } => "seal_batch",
        Action::Reveal { .. } => "reveal_samples",
        Action::Vote { .. } => "vote",
        Action::Finalize { .. } => "finalize_batch",
        Action::ReportMissed { .. } => "report_missed",
        Action::CloseBatch { .. } => "close_batch",
        Action::Unjail { .. } => "unjail_node",
        Action::Exit { .. } => "exit_node",
        Action::Pause { on: true, .. } => "pause",
        Action::Pause { on: false, .. } => "unpause",
        Action::Propose { .. } => "create_proposal",
        Action::CastVote { .. } => "cast_vote",
        Action::FinalizeProposal { .. } => "finalize_proposal",
        Action::Execute { .. } => "execute_proposal",
        Action::Cancel { .. } => "cancel_proposal",
        Action::Wait { .. } => "(clock)",
        Action::Slots { .. } => "(slots)",
    }
}

fn a_node(a: &Action) -> u8 {
    match *a {
        Action::Finalize { node, .. } | Action::ReportMissed { node, .. } => node,
        _ => 0,
    }
}

/// The holder whose own position an action changes.
fn holder(a: &Action) -> Option<u8> {
    match *a {
        Action::Delegate { actor, .. }
        | Action::Undelegate { actor, .. }
        | Action::Withdraw { actor, .. }
        | Action::Claim { actor, .. }
        | Action::CastVote { actor, .. } => Some(actor),
        _ => None,
    }
}

/// One step in lockstep: the model's outcome against the program's, then
/// the whole state and the invariants.
async fn step(c: &mut Chain, m: &mut Model, a: &Action, seen: &mut Seen) -> Result<(), String> {
    let plan = m.plan(a);
    let mut next = m.clone();
    let want = next.apply(a, &plan);
    let got = c.send(a, &plan, m).await;
    match (&want, &got) {
        (Ok(()), Ok(())) => {}
        (Err(r), Err(code)) if *code == r.code => {
            seen.refusals
                .insert((instruction(a), r.class.label(), r.name.clone()));
        }
        _ => {
            let want =
                want.map_err(|r| format!("{} ({}, code {})", r.name, r.class.label(), r.code));
            return Err(format!("outcome differs: program {got:?}, model {want:?}"));
        }
    }
    if want.is_ok() {
        let mut done = instruction(a).to_string();
        if let Action::Finalize { .. } | Action::ReportMissed { .. } = a {
            let status = next.batches[&(a_node(a), plan.seq)].status;
            done = format!("{done} → {status:?}");
        }
        *seen.successes.entry(done).or_default() += 1;
        if let Action::Seal { node, .. } = *a {
            let key = c.batch_key(node, plan.seq);
            let batch = c.t.batch(&key).await.expect("sealed batch");
            let b = next
                .batches
                .get_mut(&(node, plan.seq))
                .expect("model batch");
            if batch.sample().len() != b.revealed.len()
                || batch.sample().iter().any(|p| *p >= b.total_work)
            {
                return Err(format!(
                    "sample of ({node}, {}): {:?}, model expects {} points below {}",
                    plan.seq,
                    batch.sample(),
                    b.revealed.len(),
                    b.total_work
                ));
            }
            b.samples = batch.sample().to_vec();
        }
        let before = std::mem::replace(m, next);
        compare::compare(c, m).await?;
        compare::invariants(&before, m, holder(a))?;
    } else {
        compare::compare(c, m).await?;
    }
    Ok(())
}

/// Runs the prelude and then the actions `next` gives (`None` ends the
/// sequence) on a fresh chain, recording them in `seq`. `Err` names the
/// failing action (its index in `seq`) and what failed.
pub async fn run_with(
    seq: &mut Vec<Action>,
    mut next: impl FnMut(&Model) -> Option<Action>,
    seen: &mut Seen,
) -> Result<(), (usize, String)> {
    let (mut c, mut m) = Chain::boot().await;
    for a in gen::prelude() {
        step(&mut c, &mut m, &a, seen)
            .await
            .map_err(|e| (0, format!("prelude {a:?}: {e}")))?;
    }
    while let Some(a) = next(&m) {
        let i = seq.len();
        seq.push(a.clone());
        step(&mut c, &mut m, &a, seen)
            .await
            .map_err(|e| (i, format!("step {i}, {a:?}:\n{e}")))?;
    }
    Ok(())
}

/// Runs the prelude and `seq` on a fresh chain.
pub async fn run(seq: &[Action], seen: &mut Seen) -> Result<(), (usize, String)> {
    let mut actions = seq.iter().cloned();
    run_with(&mut Vec::new(), |_| actions.next(), seen).await
}

/// Replays a sequence (a printed regression test); panics on a difference.
pub async fn replay(seq: Vec<Action>) {
    if let Err((_, e)) = run(&seq, &mut Seen::default()).await {
        panic!("{e}");
    }
}

/// What a batch of sequences did.
#[derive(Default)]
pub struct Report {
    pub sequences: u64,
    pub steps: u64,
    pub seen: Seen,
}

/// Runs sequences `seeds` of `len` actions each. On a failure, shrinks it
/// and panics with the minimal sequence as a ready-to-paste test.
pub async fn check(seeds: std::ops::Range<u64>, len: usize) -> Report {
    let mut report = Report::default();
    for seed in seeds {
        let mut rng = gen::Rng::new(seed);
        let mut seq = Vec::with_capacity(len);
        let mut left = len;
        let next = |m: &Model| {
            left = left.checked_sub(1)?;
            Some(gen::next(&mut rng, m))
        };
        let res = run_with(&mut seq, next, &mut report.seen).await;
        match res {
            Ok(()) => {
                report.sequences += 1;
                report.steps += seq.len() as u64;
            }
            Err((at, failure)) => {
                let prefix = seq[..(at + 1).min(seq.len())].to_vec();
                let (small, failure) = shrink::shrink(prefix, failure, |cand| async move {
                    run(&cand, &mut Seen::default()).await.err().map(|(_, e)| e)
                })
                .await;
                let test = shrink::as_test(&format!("model_seed_{seed}"), &small, &failure);
                panic!(
                    "sequence {seed} diverged from the model; shrunk to {} actions. \
                     Regression test for tests/tests/model.rs:\n\n{test}",
                    small.len()
                );
            }
        }
    }
    report
}
