//! Receipts, Merkle proofs and sampling: the one implementation, used by the
//! program and off-chain by the node agent and the verifier.
//!
//! - leaf  = H(0x00 ‖ job_id[32] ‖ kind u8 ‖ work_units u64 LE ‖ output_commitment[32])
//! - inner = H(0x01 ‖ left ‖ right); an odd node at the end of a level is
//!   promoted unchanged to the next level.
//! - H = SHA-256 (the `sol_sha256` syscall on-chain, the sha2 crate off-chain).
//!
//! Sampling: from a 32-byte seed and a leaf count `n`, `k` distinct indices:
//! candidate `c` is `u64_le(H(seed ‖ c as u32 LE)[..8]) mod n` for c = 0, 1, …;
//! duplicates are skipped. After `MAX_SAMPLE_DRAWS` candidates (only reachable
//! when k is close to n) the smallest unused indices fill the rest, so the
//! result is always a function of (seed, n, k) alone.

/// A 32-byte SHA-256 digest.
pub type Hash32 = [u8; 32];

/// Domain tag of a leaf hash.
pub const LEAF_TAG: u8 = 0x00;
/// Domain tag of an inner-node hash.
pub const INNER_TAG: u8 = 0x01;
/// Most sample candidates drawn before the deterministic fill.
pub const MAX_SAMPLE_DRAWS: u32 = 4_096;

/// SHA-256 over the concatenation of `parts`.
pub fn hashv(parts: &[&[u8]]) -> Hash32 {
    solana_sha256_hasher::hashv(parts).to_bytes()
}

/// One receipt: a job the node ran and the commitment to its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Receipt {
    /// SHA-256 of the canonical job spec bytes.
    pub job_id: Hash32,
    /// Job kind (the job engine's kind byte).
    pub kind: u8,
    /// Work units from the spec (multiply-accumulates).
    pub work_units: u64,
    /// SHA-256 of the job's canonical output bytes.
    pub output_commitment: Hash32,
}

impl Receipt {
    /// The leaf hash of this receipt.
    pub fn leaf(&self) -> Hash32 {
        leaf_hash(
            &self.job_id,
            self.kind,
            self.work_units,
            &self.output_commitment,
        )
    }
}

/// H(0x00 ‖ job_id ‖ kind ‖ work_units LE ‖ output_commitment).
pub fn leaf_hash(job_id: &Hash32, kind: u8, work_units: u64, output_commitment: &Hash32) -> Hash32 {
    hashv(&[
        &[LEAF_TAG],
        job_id,
        &[kind],
        &work_units.to_le_bytes(),
        output_commitment,
    ])
}

/// H(0x01 ‖ left ‖ right).
pub fn inner_hash(left: &Hash32, right: &Hash32) -> Hash32 {
    hashv(&[&[INNER_TAG], left, right])
}

/// Every level of a Merkle tree, leaves first. Off-chain helper for agents.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash32>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (already leaf-hashed). Empty input gives
    /// an empty tree whose root is all zeros.
    pub fn new(leaves: Vec<Hash32>) -> Self {
        let mut levels = vec![leaves];
        while levels.last().map(|l| l.len() > 1).unwrap_or(false) {
            let prev = levels.last().map(Vec::as_slice).unwrap_or(&[]);
            let next: Vec<Hash32> = prev
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => inner_hash(l, r),
                    [single] => *single,
                    _ => [0u8; 32],
                })
                .collect();
            levels.push(next);
        }
        MerkleTree { levels }
    }

    /// Builds the tree over receipts.
    pub fn from_receipts(receipts: &[Receipt]) -> Self {
        Self::new(receipts.iter().map(Receipt::leaf).collect())
    }

    pub fn leaf_count(&self) -> usize {
        self.levels.first().map(Vec::len).unwrap_or(0)
    }

    pub fn root(&self) -> Hash32 {
        self.levels
            .last()
            .and_then(|l| l.first().copied())
            .unwrap_or([0u8; 32])
    }

    /// Sibling path of leaf `index`, bottom-up; levels where the node is
    /// promoted contribute nothing. `None` when out of range.
    pub fn proof(&self, index: usize) -> Option<Vec<Hash32>> {
        if index >= self.leaf_count() {
            return None;
        }
        let mut path = Vec::new();
        let mut i = index;
        for level in &self.levels[..self.levels.len().saturating_sub(1)] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                path.push(level[sibling]);
            }
            i /= 2;
        }
        Some(path)
    }
}

/// Number of sibling hashes a proof for `index` in a tree of `leaf_count`
/// leaves has (levels where the node is promoted have none).
pub fn proof_len(index: u64, leaf_count: u64) -> usize {
    let (mut i, mut width, mut len) = (index, leaf_count, 0usize);
    while width > 1 {
        if (i ^ 1) < width {
            len += 1;
        }
        i /= 2;
        width = width.div_ceil(2);
    }
    len
}

/// Checks that `leaf` sits at `index` of a tree of `leaf_count` leaves with
/// root `root`, given its sibling path. The path must have exactly the
/// expected length.
pub fn verify_proof(
    root: &Hash32,
    leaf: &Hash32,
    index: u64,
    leaf_count: u64,
    proof: &[Hash32],
) -> bool {
    if index >= leaf_count || proof.len() != proof_len(index, leaf_count) {
        return false;
    }
    let (mut i, mut width, mut node) = (index, leaf_count, *leaf);
    let mut siblings = proof.iter();
    while width > 1 {
        if (i ^ 1) < width {
            let Some(s) = siblings.next() else {
                return false;
            };
            node = if i % 2 == 0 {
                inner_hash(&node, s)
            } else {
                inner_hash(s, &node)
            };
        }
        i /= 2;
        width = width.div_ceil(2);
    }
    node == *root
}

/// Bytes of a 1 232-byte transaction left for `reveal_samples` items once
/// the envelope (two signatures, five account keys, blockhash, instruction
/// header and discriminator) is paid for.
pub const REVEAL_TX_BUDGET: usize = 880;

/// Height of a tree of `leaf_count` leaves (the longest proof).
pub fn tree_depth(leaf_count: u64) -> usize {
    let (mut width, mut depth) = (leaf_count, 0usize);
    while width > 1 {
        width = width.div_ceil(2);
        depth += 1;
    }
    depth
}

/// Serialized size of one reveal item (index, leaf fields, proof vector).
pub fn reveal_item_len(leaf_count: u64) -> usize {
    4 + 73 + 4 + 32 * tree_depth(leaf_count)
}

/// Reveal items that fit in one transaction for a batch of `leaf_count`.
pub fn reveals_per_tx(leaf_count: u64) -> usize {
    (REVEAL_TX_BUDGET / reveal_item_len(leaf_count)).max(1)
}

/// k = clamp(ceil(n · sample_bps / 10⁴), min_samples, max_samples), capped at n.
pub fn sample_count(leaf_count: u64, sample_bps: u16, min_samples: u16, max_samples: u16) -> u64 {
    let by_rate = (leaf_count as u128 * sample_bps as u128).div_ceil(10_000) as u64;
    by_rate
        .clamp(min_samples as u64, max_samples.max(min_samples) as u64)
        .min(leaf_count)
}

/// `k` distinct indices in `0..n` derived from `seed` (see module docs).
/// Returns indices in draw order; `k` is capped at `n`.
pub fn sample_indices(seed: &Hash32, leaf_count: u64, k: u64) -> Vec<u64> {
    let k = k.min(leaf_count) as usize;
    let mut out: Vec<u64> = Vec::with_capacity(k);
    let mut counter: u32 = 0;
    while out.len() < k && counter < MAX_SAMPLE_DRAWS {
        let h = hashv(&[seed, &counter.to_le_bytes()]);
        let mut word = [0u8; 8];
        word.copy_from_slice(&h[..8]);
        let candidate = u64::from_le_bytes(word) % leaf_count;
        if !out.contains(&candidate) {
            out.push(candidate);
        }
        counter += 1;
    }
    let mut next = 0u64;
    while out.len() < k {
        if !out.contains(&next) {
            out.push(next);
        }
        next += 1;
    }
    out
}

/// Seed of a batch's sample: H(batch key ‖ slot hash).
pub fn sample_seed(batch: &[u8; 32], slot_hash: &Hash32) -> Hash32 {
    hashv(&[batch, slot_hash])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize, salt: u8) -> Vec<Hash32> {
        (0..n)
            .map(|i| {
                let r = Receipt {
                    job_id: hashv(&[&[salt], &(i as u64).to_le_bytes()]),
                    kind: (i % 3) as u8,
                    work_units: i as u64 * 1_000 + 1,
                    output_commitment: hashv(&[b"out", &(i as u64).to_le_bytes()]),
                };
                r.leaf()
            })
            .collect()
    }

    #[test]
    fn leaf_layout_is_exact() {
        let r = Receipt {
            job_id: [7; 32],
            kind: 2,
            work_units: 0x0102_0304_0506_0708,
            output_commitment: [9; 32],
        };
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&[7; 32]);
        bytes.push(2);
        bytes.extend_from_slice(&[8, 7, 6, 5, 4, 3, 2, 1]);
        bytes.extend_from_slice(&[9; 32]);
        assert_eq!(bytes.len(), 74);
        assert_eq!(r.leaf(), hashv(&[&bytes]));
    }

    #[test]
    fn small_trees_by_hand() {
        let l = leaves(3, 1);
        let t = MerkleTree::new(l.clone());
        // Level 1: H(l0,l1), l2 promoted; root = H(H(l0,l1), l2).
        assert_eq!(t.root(), inner_hash(&inner_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(t.proof(2).unwrap(), vec![inner_hash(&l[0], &l[1])]);
        assert_eq!(t.proof(0).unwrap(), vec![l[1], l[2]]);
        let single = MerkleTree::new(vec![l[0]]);
        assert_eq!(single.root(), l[0]);
        assert!(verify_proof(&l[0], &l[0], 0, 1, &[]));
    }

    #[test]
    fn reveal_packing() {
        assert_eq!(tree_depth(1), 0);
        assert_eq!(tree_depth(1_024), 10);
        assert_eq!(tree_depth(1_025), 11);
        assert_eq!(reveals_per_tx(1_024), 2);
        assert_eq!(reveals_per_tx(1 << 20), 1);
        assert_eq!(reveals_per_tx(8), 4);
    }

    #[test]
    fn sample_count_clamps() {
        assert_eq!(sample_count(1_024, 100, 8, 32), 11);
        assert_eq!(sample_count(100, 100, 8, 32), 8);
        assert_eq!(sample_count(5, 100, 8, 32), 5);
        assert_eq!(sample_count(100_000, 100, 8, 32), 32);
        assert_eq!(sample_count(1, 10_000, 1, 64), 1);
    }

    #[test]
    fn full_sample_covers_everything() {
        let mut s = sample_indices(&[3; 32], 64, 64);
        s.sort_unstable();
        assert_eq!(s, (0..64).collect::<Vec<_>>());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn proofs_verify_for_every_leaf(n in 1usize..=4096, salt in any::<u8>()) {
            let l = leaves(n, salt);
            let t = MerkleTree::new(l.clone());
            let root = t.root();
            // Every leaf for small trees, a spread of leaves for big ones.
            let step = (n / 64).max(1);
            for i in (0..n).step_by(step).chain([n - 1]) {
                let p = t.proof(i).unwrap();
                prop_assert_eq!(p.len(), proof_len(i as u64, n as u64));
                prop_assert!(verify_proof(&root, &l[i], i as u64, n as u64, &p));
            }
        }

        #[test]
        fn any_flipped_bit_fails(n in 2usize..=600, pick in any::<prop::sample::Index>(), bit in 0usize..256, which in 0u8..3) {
            let l = leaves(n, 9);
            let t = MerkleTree::new(l.clone());
            let root = t.root();
            let i = pick.index(n);
            let mut leaf = l[i];
            let mut proof = t.proof(i).unwrap();
            let mut index = i as u64;
            match which {
                0 => leaf[bit / 8] ^= 1 << (bit % 8),
                1 => {
                    // Another index (in range or not) must not verify.
                    index ^= 1 + (bit as u64 % n as u64);
                }
                _ => {
                    if proof.is_empty() { return Ok(()); }
                    let j = bit % proof.len();
                    proof[j][bit / 8] ^= 1 << (bit % 8);
                }
            }
            if index != i as u64 {
                // Different index: only the very same leaf hash twice could pass.
                prop_assume!(index >= n as u64 || l[index as usize] != l[i]);
            }
            prop_assert!(!verify_proof(&root, &leaf, index, n as u64, &proof));
        }

        #[test]
        fn truncated_or_padded_proofs_fail(n in 2usize..=300, pick in any::<prop::sample::Index>()) {
            let l = leaves(n, 4);
            let t = MerkleTree::new(l.clone());
            let i = pick.index(n);
            let mut p = t.proof(i).unwrap();
            p.push([0; 32]);
            prop_assert!(!verify_proof(&t.root(), &l[i], i as u64, n as u64, &p));
            p.pop();
            p.pop();
            prop_assert!(!verify_proof(&t.root(), &l[i], i as u64, n as u64, &p));
        }

        #[test]
        fn samples_distinct_in_range_deterministic(seed in any::<[u8; 32]>(), n in 1u64..=1_000_000, k in 1u64..=64) {
            let a = sample_indices(&seed, n, k);
            let b = sample_indices(&seed, n, k);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.len() as u64, k.min(n));
            let mut sorted = a.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), a.len());
            prop_assert!(a.iter().all(|i| *i < n));
        }
    }
}
