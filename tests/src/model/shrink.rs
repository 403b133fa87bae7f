//! Minimizes a failing sequence and prints it as a ready-to-paste test.
use super::actions::Action;
use std::future::Future;

/// Removes chunks (halves, quarters, … single actions) while the sequence
/// still fails, then shortens slot and time jumps. `fails` runs a candidate
/// and returns its failure.
pub async fn shrink<F, Fut>(
    mut seq: Vec<Action>,
    mut failure: String,
    fails: F,
) -> (Vec<Action>, String)
where
    F: Fn(Vec<Action>) -> Fut,
    Fut: Future<Output = Option<String>>,
{
    let mut chunk = seq.len().div_ceil(2).max(1);
    loop {
        let mut i = seq.len();
        while i > 0 {
            let start = i.saturating_sub(chunk);
            let mut candidate = seq.clone();
            candidate.drain(start..i);
            if let Some(f) = fails(candidate.clone()).await {
                seq = candidate;
                failure = f;
            }
            i = start;
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    for i in 0..seq.len() {
        loop {
            let smaller = match seq[i] {
                Action::Slots { n } if n > 1 => Action::Slots { n: n / 2 },
                Action::Wait { secs } if secs > 1 => Action::Wait { secs: secs / 2 },
                _ => break,
            };
            let mut candidate = seq.clone();
            candidate[i] = smaller;
            match fails(candidate.clone()).await {
                Some(f) => {
                    seq = candidate;
                    failure = f;
                }
                None => break,
            }
        }
    }
    (seq, failure)
}

/// A `#[tokio::test]` that replays `seq` (for `tests/tests/model.rs`).
pub fn as_test(name: &str, seq: &[Action], failure: &str) -> String {
    let mut s = String::new();
    s.push_str("/// Found by the model suite; failed with:\n");
    for line in failure.lines() {
        s.push_str(&format!("/// {line}\n"));
    }
    s.push_str(&format!(
        "#[tokio::test]\nasync fn {name}() {{\n    use edgefuel_tests::model::actions::prelude::*;\n    replay(vec![\n"
    ));
    for a in seq {
        s.push_str(&format!("        Action::{a:?},\n"));
    }
    s.push_str("    ])\n    .await;\n}\n");
    s
}
