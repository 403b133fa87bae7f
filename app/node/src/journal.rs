//! The agent's journal: one SQLite file (`<data_dir>/journal.sqlite`, WAL).
//!
//! Every receipt of a batch is written, with the batch row in state
//! `built`, in one transaction before anything is sent; each transaction's
//! signature is written before it is sent; each state the chain confirms
//! (`built → submitted → sealed → revealed → final`) is written as it is
//! seen. After a crash the agent reads the batches not `final` and follows
//! each one on the chain from where it is (see `agent`).
//!
//! ```sql
//! batches(seq PK, state, root, leaf_count, total_work, epoch, outcome, reward, slashed,
//!         submit_sig, seal_sig, reveal_sigs, built_at, submitted_at, sealed_at,
//!         revealed_at, final_at, job_seconds, joules, energy_source, faked)
//! receipts(seq, leaf, spec, job_id, kind, work_units, output_commitment, seconds, joules,
//!          PK(seq, leaf))
//! claims(at, amount, signature)
//! ```
use crate::batch::JobRecord;
use edgefuel_client::edgefuel::proof::Receipt;
use edgefuel_jobs::{JobShape, JobSpec};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("journal: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("journal: batch {seq} has a malformed {field}")]
    Corrupt { seq: u64, field: &'static str },
}

/// Where a batch is, as far as the agent has seen it confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchState {
    Built,
    Submitted,
    Sealed,
    Revealed,
    Final,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Built => "built",
            BatchState::Submitted => "submitted",
            BatchState::Sealed => "sealed",
            BatchState::Revealed => "revealed",
            BatchState::Final => "final",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "built" => BatchState::Built,
            "submitted" => BatchState::Submitted,
            "sealed" => BatchState::Sealed,
            "revealed" => BatchState::Revealed,
            "final" => BatchState::Final,
            _ => return None,
        })
    }

    fn time_column(self) -> &'static str {
        match self {
            BatchState::Built => "built_at",
            BatchState::Submitted => "submitted_at",
            BatchState::Sealed => "sealed_at",
            BatchState::Revealed => "revealed_at",
            BatchState::Final => "final_at",
        }
    }
}

/// Which transaction a signature belongs to.
#[derive(Debug, Clone, Copy)]
pub enum SigKind {
    Submit,
    Seal,
    Reveal,
}

/// A batch row.
#[derive(Debug, Clone, Serialize)]
pub struct JournalBatch {
    pub seq: u64,
    pub state: BatchState,
    #[serde(skip)]
    pub root: [u8; 32],
    pub leaf_count: u32,
    pub total_work: u64,
    pub epoch: Option<u64>,
    /// Accepted, Rejected, Expired, Missed, or Closed (the account was closed
    /// before the agent saw its verdict).
    pub outcome: Option<String>,
    pub reward: u64,
    pub slashed: u64,
    pub submit_sig: Option<String>,
    pub seal_sig: Option<String>,
    pub reveal_sigs: Vec<String>,
    pub built_at: f64,
    pub submitted_at: Option<f64>,
    pub sealed_at: Option<f64>,
    pub revealed_at: Option<f64>,
    pub final_at: Option<f64>,
    pub job_seconds: f64,
    pub joules: f64,
    pub energy_source: String,
    pub faked: u32,
}

/// Totals over every journaled job and claim.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub jobs: u64,
    pub work_units: u64,
    pub job_seconds: f64,
    pub joules: f64,
    pub claimed: u64,
}

/// Unix time in seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

pub struct Journal {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    root BLOB NOT NULL,
    leaf_count INTEGER NOT NULL,
    total_work INTEGER NOT NULL,
    epoch INTEGER,
    outcome TEXT,
    reward INTEGER NOT NULL DEFAULT 0,
    slashed INTEGER NOT NULL DEFAULT 0,
    submit_sig TEXT,
    seal_sig TEXT,
    reveal_sigs TEXT NOT NULL DEFAULT '',
    built_at REAL NOT NULL,
    submitted_at REAL,
    sealed_at REAL,
    revealed_at REAL,
    final_at REAL,
    job_seconds REAL NOT NULL,
    joules REAL NOT NULL,
    energy_source TEXT NOT NULL,
    faked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS receipts (
    seq INTEGER NOT NULL,
    leaf INTEGER NOT NULL,
    spec BLOB NOT NULL,
    job_id BLOB NOT NULL,
    kind INTEGER NOT NULL,
    work_units INTEGER NOT NULL,
    output_commitment BLOB NOT NULL,
    seconds REAL NOT NULL,
    joules REAL NOT NULL,
    PRIMARY KEY (seq, leaf)
);
CREATE TABLE IF NOT EXISTS claims (
    at REAL NOT NULL,
    amount INTEGER NOT NULL,
    signature TEXT NOT NULL
);
";

const BATCH_COLUMNS: &str = "seq, state, root, leaf_count, total_work, epoch, outcome, reward, \
    slashed, submit_sig, seal_sig, reveal_sigs, built_at, submitted_at, sealed_at, revealed_at, \
    final_at, job_seconds, joules, energy_source, faked";

fn hash32(seq: u64, field: &'static str, v: Vec<u8>) -> Result<[u8; 32], JournalError> {
    v.try_into()
        .map_err(|_| JournalError::Corrupt { seq, field })
}

fn batch_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(JournalBatch, String, Vec<u8>)> {
    let seq: i64 = row.get(0)?;
    let state: String = row.get(1)?;
    let root: Vec<u8> = row.get(2)?;
    let sigs: String = row.get(11)?;
    Ok((
        JournalBatch {
            seq: seq as u64,
            state: BatchState::Built,
            root: [0; 32],
            leaf_count: row.get::<_, i64>(3)? as u32,
            total_work: row.get::<_, i64>(4)? as u64,
            epoch: row.get::<_, Option<i64>>(5)?.map(|e| e as u64),
            outcome: row.get(6)?,
            reward: row.get::<_, i64>(7)? as u64,
            slashed: row.get::<_, i64>(8)? as u64,
            submit_sig: row.get(9)?,
            seal_sig: row.get(10)?,
            reveal_sigs: sigs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            built_at: row.get(12)?,
            submitted_at: row.get(13)?,
            sealed_at: row.get(14)?,
            revealed_at: row.get(15)?,
            final_at: row.get(16)?,
            job_seconds: row.get(17)?,
            joules: row.get(18)?,
            energy_source: row.get(19)?,
            faked: row.get::<_, i64>(20)? as u32,
        },
        state,
        root,
    ))
}

fn finish_row(
    (mut b, state, root): (JournalBatch, String, Vec<u8>),
) -> Result<JournalBatch, JournalError> {
    b.state = BatchState::parse(&state).ok_or(JournalError::Corrupt {
        seq: b.seq,
        field: "state",
    })?;
    b.root = hash32(b.seq, "root", root)?;
    Ok(b)
}

impl Journal {
    /// Opens (creating) the journal at `path`; its folder must exist.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let open_err = |source| JournalError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        Ok(Journal {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes a built batch and all its receipts in one transaction.
    pub fn record_built(
        &self,
        seq: u64,
        root: &[u8; 32],
        jobs: &[JobRecord],
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let total_work = jobs
            .iter()
            .fold(0u64, |a, j| a.saturating_add(j.receipt.work_units));
        let seconds: f64 = jobs.iter().map(|j| j.seconds).sum();
        let joules: f64 = jobs.iter().map(|j| j.joules).sum();
        let source = jobs
            .first()
            .map(|j| j.energy_source.as_str())
            .unwrap_or("estimated");
        let faked = jobs.iter().filter(|j| j.faked).count() as i64;
        tx.execute(
            "INSERT INTO batches (seq, state, root, leaf_count, total_work, built_at, job_seconds, \
             joules, energy_source, faked) VALUES (?1, 'built', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                seq as i64,
                &root[..],
                jobs.len() as i64,
                total_work as i64,
                now(),
                seconds,
                joules,
                source,
                faked
            ],
        )?;
        for (leaf, j) in jobs.iter().enumerate() {
            tx.execute(
                "INSERT INTO receipts (seq, leaf, spec, job_id, kind, work_units, \
                 output_commitment, seconds, joules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    seq as i64,
                    leaf as i64,
                    j.spec.to_bytes(),
                    &j.receipt.job_id[..],
                    j.receipt.kind as i64,
                    j.receipt.work_units as i64,
                    &j.receipt.output_commitment[..],
                    j.seconds,
                    j.joules
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The jobs of batch `seq` in leaf order: each one's shape and the
    /// receipt committed for it.
    pub fn jobs(&self, seq: u64) -> Result<Vec<(JobShape, Receipt)>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT job_id, kind, work_units, output_commitment, spec FROM receipts \
             WHERE seq = ?1 ORDER BY leaf",
        )?;
        let rows = stmt.query_map([seq as i64], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (job_id, kind, work, commitment, spec) = row?;
            let spec = JobSpec::from_bytes(&spec).map_err(|_| JournalError::Corrupt {
                seq,
                field: "receipt spec",
            })?;
            out.push((
                spec.shape().clone(),
                Receipt {
                    job_id: hash32(seq, "receipt job_id", job_id)?,
                    kind: kind as u8,
                    work_units: work as u64,
                    output_commitment: hash32(seq, "receipt output_commitment", commitment)?,
                },
            ));
        }
        Ok(out)
    }

    fn batches(&self, clause: &str, args: &[i64]) -> Result<Vec<JournalBatch>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {BATCH_COLUMNS} FROM batches {clause}"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), batch_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(finish_row(row?)?);
        }
        Ok(out)
    }

    /// Batches not final yet, oldest first.
    pub fn active(&self) -> Result<Vec<JournalBatch>, JournalError> {
        self.batches("WHERE state != 'final' ORDER BY seq", &[])
    }

    /// The `n` newest batches, newest first.
    pub fn recent(&self, n: usize) -> Result<Vec<JournalBatch>, JournalError> {
        self.batches("ORDER BY seq DESC LIMIT ?1", &[n as i64])
    }

    /// Every batch, oldest first.
    pub fn all(&self) -> Result<Vec<JournalBatch>, JournalError> {
        self.batches("ORDER BY seq", &[])
    }

    pub fn get(&self, seq: u64) -> Result<Option<JournalBatch>, JournalError> {
        Ok(self
            .batches("WHERE seq = ?1", &[seq as i64])?
            .into_iter()
            .next())
    }

    /// The highest seq journaled.
    pub fn max_seq(&self) -> Result<Option<u64>, JournalError> {
        let conn = self.conn();
        let v: Option<i64> = conn
            .query_row("SELECT MAX(seq) FROM batches", [], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(v.map(|v| v as u64))
    }

    /// Records a transaction's signature before it is sent.
    pub fn note_signature(&self, seq: u64, kind: SigKind, sig: &str) -> Result<(), JournalError> {
        let conn = self.conn();
        match kind {
            SigKind::Submit => conn.execute(
                "UPDATE batches SET submit_sig = ?2 WHERE seq = ?1",
                params![seq as i64, sig],
            )?,
            SigKind::Seal => conn.execute(
                "UPDATE batches SET seal_sig = ?2 WHERE seq = ?1",
                params![seq as i64, sig],
            )?,
            SigKind::Reveal => conn.execute(
                "UPDATE batches SET reveal_sigs = CASE WHEN reveal_sigs = '' THEN ?2 \
                 ELSE reveal_sigs || ',' || ?2 END WHERE seq = ?1",
                params![seq as i64, sig],
            )?,
        };
        Ok(())
    }

    /// Moves batch `seq` forward to `state` (never back), stamping the time;
    /// `epoch` is recorded when given. Returns whether it moved.
    pub fn advance(
        &self,
        seq: u64,
        state: BatchState,
        epoch: Option<u64>,
    ) -> Result<bool, JournalError> {
        let Some(cur) = self.get(seq)? else {
            return Ok(false);
        };
        if cur.state >= state {
            return Ok(false);
        }
        let conn = self.conn();
        conn.execute(
            &format!(
                "UPDATE batches SET state = ?2, {} = ?3, epoch = COALESCE(?4, epoch) WHERE seq = ?1",
                state.time_column()
            ),
            params![seq as i64, state.as_str(), now(), epoch.map(|e| e as i64)],
        )?;
        Ok(true)
    }

    /// Final verdict of batch `seq`.
    pub fn finish(
        &self,
        seq: u64,
        outcome: &str,
        reward: u64,
        slashed: u64,
    ) -> Result<bool, JournalError> {
        let Some(cur) = self.get(seq)? else {
            return Ok(false);
        };
        if cur.state >= BatchState::Final {
            return Ok(false);
        }
        // One statement: a crash can never leave a final row without its outcome.
        self.conn().execute(
            &format!(
                "UPDATE batches SET state = ?2, {} = ?3, outcome = ?4, reward = ?5, slashed = ?6 \
                 WHERE seq = ?1",
                BatchState::Final.time_column()
            ),
            params![
                seq as i64,
                BatchState::Final.as_str(),
                now(),
                outcome,
                reward as i64,
                slashed as i64
            ],
        )?;
        Ok(true)
    }

    pub fn record_claim(&self, amount: u64, sig: &str) -> Result<(), JournalError> {
        self.conn().execute(
            "INSERT INTO claims (at, amount, signature) VALUES (?1, ?2, ?3)",
            params![now(), amount as i64, sig],
        )?;
        Ok(())
    }

    pub fn totals(&self) -> Result<Totals, JournalError> {
        let conn = self.conn();
        let (jobs, work, seconds, joules): (i64, i64, f64, f64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(work_units), 0), COALESCE(SUM(seconds), 0.0), \
             COALESCE(SUM(joules), 0.0) FROM receipts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let claimed: i64 =
            conn.query_row("SELECT COALESCE(SUM(amount), 0) FROM claims", [], |r| {
                r.get(0)
            })?;
        Ok(Totals {
            jobs: jobs as u64,
            work_units: work as u64,
            job_seconds: seconds,
            joules,
            claimed: claimed as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::EnergySource;

    fn job(i: u8) -> JobRecord {
        let spec = JobSpec::gemm(8, 8, 8, [i; 32]).unwrap();
        JobRecord {
            receipt: Receipt {
                job_id: spec.job_id(),
                kind: 0,
                work_units: 512,
                output_commitment: [i; 32],
            },
            spec,
            seconds: 0.5,
            times: Default::default(),
            joules: 2.0,
            energy_source: EnergySource::Estimated,
            faked: false,
        }
    }

    #[test]
    fn a_batch_moves_forward_only_and_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("edgefuel-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.sqlite");
        let _ = std::fs::remove_file(&path);
        let j = Journal::open(&path).unwrap();
        j.record_built(1, &[9; 32], &[job(1), job(2)]).unwrap();
        j.note_signature(1, SigKind::Submit, "sig-a").unwrap();
        assert!(j.advance(1, BatchState::Submitted, Some(4)).unwrap());
        assert!(!j.advance(1, BatchState::Built, None).unwrap());
        j.note_signature(1, SigKind::Reveal, "r1").unwrap();
        j.note_signature(1, SigKind::Reveal, "r2").unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        let b = j.get(1).unwrap().unwrap();
        assert_eq!(b.state, BatchState::Submitted);
        assert_eq!((b.leaf_count, b.total_work, b.epoch), (2, 1024, Some(4)));
        assert_eq!(b.submit_sig.as_deref(), Some("sig-a"));
        assert_eq!(b.reveal_sigs, vec!["r1", "r2"]);
        assert_eq!(b.root, [9; 32]);
        assert_eq!(j.jobs(1).unwrap().len(), 2);
        assert_eq!(j.active().unwrap().len(), 1);
        assert!(j.finish(1, "Accepted", 1024, 0).unwrap());
        assert!(j.active().unwrap().is_empty());
        assert_eq!(j.max_seq().unwrap(), Some(1));
        let t = j.totals().unwrap();
        assert_eq!((t.jobs, t.work_units), (2, 1024));
        // A seq is written once.
        assert!(j.record_built(1, &[9; 32], &[job(3)]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
