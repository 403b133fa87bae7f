use crate::constants::*;
use crate::error::EdgeFuelError;
use crate::events::BatchSealed;
use crate::proof;
use crate::state::{Batch, BatchStatus, Network};
use anchor_lang::prelude::*;
use anchor_lang::solana_program::sysvar::SysvarId;

#[event_cpi]
#[derive(Accounts)]
pub struct SealBatch<'info> {
    #[account(seeds = [SEED_NETWORK], bump = network.bump)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut)]
    pub batch: Box<Account<'info, Batch>>,
    /// CHECK: the SlotHashes sysvar, checked by address and parsed by hand
    /// (deserializing all 512 entries would waste compute).
    #[account(address = SlotHashes::id())]
    pub slot_hashes: UncheckedAccount<'info>,
}

const ENTRY: usize = 40;

/// Finds the hash of the first SlotHashes entry at or after `target`.
/// Entries are sorted newest first. Errors when no entry ≥ target exists yet
/// (too early) or when entries older than `target` were already evicted so
/// the first one at or after it cannot be known (too late).
pub fn first_hash_at_or_after(data: &[u8], target: u64) -> Result<[u8; 32]> {
    let len_bytes: [u8; 8] = data
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or(EdgeFuelError::BadSlotHashes)?;
    let len = u64::from_le_bytes(len_bytes) as usize;
    require!(data.len() >= 8 + len * ENTRY, EdgeFuelError::BadSlotHashes);
    let slot_at = |i: usize| -> u64 {
        let o = 8 + i * ENTRY;
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[o..o + 8]);
        u64::from_le_bytes(b)
    };
    // Binary search for the number of entries with slot ≥ target (a prefix).
    let (mut lo, mut hi) = (0usize, len);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if slot_at(mid) >= target {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    require!(lo > 0, EdgeFuelError::SealTooEarly);
    let i = lo - 1;
    // Known to be the first at or after target only if it is the target slot
    // itself or an older entry is still present.
    require!(
        slot_at(i) == target || i + 1 < len,
        EdgeFuelError::SealTooLate
    );
    let o = 8 + i * ENTRY + 8;
    let mut h = [0u8; 32];
    h.copy_from_slice(&data[o..o + 32]);
    Ok(h)
}

/// Specification:
/// - before: batch Committed; SlotHashes holds an entry at or after the seal
///   slot (`submitted_slot + seal_delay_slots`) and still proves it is the
///   first one (else SealTooEarly / SealTooLate).
/// - after: seed = H(batch key ‖ hash of that entry); `k = clamp(ceil(n ·
///   sample_bps / 10⁴), min_samples, max_samples)` sample points in
///   `[0, total_work)` derived from the seed (`proof::sample_points`) are
///   stored; status Sealed. Anyone may call; the result does not depend on
///   when.
pub fn handle_seal_batch(ctx: Context<SealBatch>) -> Result<()> {
    let params = ctx.accounts.network.params;
    let batch_key = ctx.accounts.batch.key();
    let batch = &mut ctx.accounts.batch;
    require!(
        batch.status == BatchStatus::Committed,
        EdgeFuelError::WrongBatchStatus
    );
    let slot_hash = {
        let data = ctx.accounts.slot_hashes.try_borrow_data()?;
        first_hash_at_or_after(&data, batch.seal_slot)?
    };
    let seed = proof::sample_seed(&batch_key.to_bytes(), &slot_hash);
    let k = proof::sample_count(
        batch.leaf_count as u64,
        params.sample_bps,
        params.min_samples,
        params.max_samples,
    )
    .min(MAX_SAMPLES as u64);
    let points = proof::sample_points(&seed, batch.total_work, k);
    batch.samples[..points.len()].copy_from_slice(&points);
    batch.sample_count = points.len() as u8;
    batch.seed = seed;
    batch.seal_slot_hash = slot_hash;
    batch.status = BatchStatus::Sealed;
    emit_cpi!(BatchSealed {
        batch: batch_key,
        seed,
        sample: batch.sample().to_vec()
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sysvar(entries: &[(u64, u8)]) -> Vec<u8> {
        let mut d = (entries.len() as u64).to_le_bytes().to_vec();
        for (slot, fill) in entries {
            d.extend_from_slice(&slot.to_le_bytes());
            d.extend_from_slice(&[*fill; 32]);
        }
        d
    }

    #[test]
    fn finds_first_entry_at_or_after_target() {
        // Slot 7 was skipped: the first entry at or after 7 is slot 8.
        let d = sysvar(&[(10, 10), (9, 9), (8, 8), (6, 6), (5, 5)]);
        assert_eq!(first_hash_at_or_after(&d, 7).unwrap(), [8; 32]);
        assert_eq!(first_hash_at_or_after(&d, 8).unwrap(), [8; 32]);
        assert_eq!(first_hash_at_or_after(&d, 10).unwrap(), [10; 32]);
        assert_eq!(first_hash_at_or_after(&d, 5).unwrap(), [5; 32]);
    }

    #[test]
    fn too_early_and_too_late() {
        let d = sysvar(&[(10, 10), (9, 9)]);
        assert!(first_hash_at_or_after(&d, 11).is_err(), "no entry yet");
        // Slot 8 might have existed and been evicted: 9 is not provably first.
        assert!(first_hash_at_or_after(&d, 8).is_err());
        assert!(first_hash_at_or_after(&[1, 0], 1).is_err(), "malformed");
    }
}
