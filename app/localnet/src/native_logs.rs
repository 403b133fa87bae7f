//! `msg!` output of the natively hosted program, back into transaction logs.
//!
//! On a non-SBF target `msg!` is `println!` (solana-msg), so a native
//! program's log lines — `Instruction: Delegate`, Anchor's `AnchorError …
//! Error Code: …` — never reach the runtime's log collector. Clients rely on
//! them (Anchor's TypeScript client builds its errors from them; the CLI
//! prints them when a transaction fails). So the process's stdout is pointed
//! at a pipe: a reader thread echoes every line to the real stdout and hands
//! it to the execution that printed it. Executions that invoke the native
//! program are serialized (the chain's commit lock) and end with a marker
//! line, so each gets exactly its own lines.
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// Prefix of the marker lines (never echoed).
const MARK: &str = "\u{1}edgefuel-localnet-mark ";
/// How long `take` waits for its marker before giving up (never hang).
const MARK_TIMEOUT: Duration = Duration::from_secs(5);

enum Line {
    Text(String),
    Mark(u64),
}

pub struct NativeLogs {
    lines: Mutex<Receiver<Line>>,
    next_mark: AtomicU64,
}

impl NativeLogs {
    /// Redirects stdout into the capture pipe (Unix only).
    pub fn install() -> std::io::Result<NativeLogs> {
        let real = std::io::stdout().as_fd().try_clone_to_owned()?;
        let (reader, writer) = std::io::pipe()?;
        std::io::stdout().flush()?;
        rustix::stdio::dup2_stdout(&writer)?;
        drop(writer);
        let (tx, rx) = channel();
        let mut echo = std::fs::File::from(real);
        std::thread::Builder::new()
            .name("localnetStdout".into())
            .spawn(move || {
                for line in BufReader::new(reader).lines() {
                    let Ok(line) = line else { break };
                    let item = match line.strip_prefix(MARK) {
                        Some(n) => Line::Mark(n.parse().unwrap_or(0)),
                        None => {
                            let _ = writeln!(echo, "{line}");
                            Line::Text(line)
                        }
                    };
                    // Keep draining even if nobody collects any more:
                    // a full pipe would block the program's next `msg!`.
                    let _ = tx.send(item);
                }
            })?;
        Ok(NativeLogs {
            lines: Mutex::new(rx),
            next_mark: AtomicU64::new(1),
        })
    }

    /// Every line printed to stdout since the previous call. Call it with
    /// native executions serialized: once before (to drop stray lines) and
    /// once after each.
    pub fn take(&self) -> Vec<String> {
        let mark = self.next_mark.fetch_add(1, Ordering::Relaxed);
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{MARK}{mark}");
            let _ = out.flush();
        }
        let Ok(lines) = self.lines.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        loop {
            match lines.recv_timeout(MARK_TIMEOUT) {
                Ok(Line::Text(t)) => out.push(t),
                Ok(Line::Mark(m)) if m >= mark => break,
                Ok(Line::Mark(_)) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        out
    }
}

/// Puts a native program's printed lines into a transaction's logs, as
/// `Program log: …` right after the program's first top-level invoke line
/// (its CPIs' lines follow; with several instructions of the program in one
/// transaction, all its lines sit under the first).
pub fn merge(logs: &mut Vec<String>, program: &str, printed: Vec<String>) {
    if printed.is_empty() {
        return;
    }
    let invoke = format!("Program {program} invoke [1]");
    let at = match logs.iter().position(|l| *l == invoke) {
        Some(mut i) => {
            // program-test logs the invoke line twice for builtins.
            while logs.get(i + 1) == Some(&invoke) {
                i += 1;
            }
            i + 1
        }
        None => logs.len(),
    };
    let lines = printed.into_iter().map(|l| format!("Program log: {l}"));
    logs.splice(at..at, lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_under_the_first_invoke() {
        let mut logs = vec![
            "Program P invoke [1]".to_string(),
            "Program P invoke [1]".to_string(),
            "Program T invoke [2]".to_string(),
            "Program P success".to_string(),
        ];
        merge(&mut logs, "P", vec!["Instruction: Delegate".into()]);
        assert_eq!(logs[2], "Program log: Instruction: Delegate");
        assert_eq!(logs[3], "Program T invoke [2]");
        let mut none = vec!["x".to_string()];
        merge(&mut none, "P", vec!["y".into()]);
        assert_eq!(none, vec!["x".to_string(), "Program log: y".to_string()]);
    }
}
