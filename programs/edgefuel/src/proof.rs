//! Receipts, the Merkle **sum** tree and work-weighted sampling: the one
//! implementation, used by the program and off-chain by the node agent, the
//! verifier, the CLI and the tests.
//!
//! ## Leaves
//! A receipt leaf commits one job the node ran:
//!
//! ```text
//! leaf hash = H(0x00 ‖ job_id[32] ‖ kind u8 ‖ work_units u64 LE ‖ output_commitment[32])
//! leaf sum  = work_units
//! ```
//!
//! `job_id = SHA-256(spec bytes)` and `work_units` is the spec's work formula
//! (`edgefuel-spec`); the spec's seed is bound to the leaf's position
//! (`edgefuel_spec::job_seed(program, node, seq, index)`).
//!
//! ## Inner nodes
//! Every node of the tree is a [`SumNode`]: a hash and the work sum of its
//! subtree.
//!
//! ```text
//! inner hash = H(0x01 ‖ left.hash ‖ left.sum u64 LE ‖ right.hash ‖ right.sum u64 LE)
//! inner sum  = left.sum + right.sum            (must not overflow u64)
//! ```
//!
//! An odd node at the end of a level is promoted unchanged (hash and sum) to
//! the next level. The root's hash is the batch `root` and its sum is the
//! batch's `total_work`: the work claim is committed by the tree itself.
//! H = SHA-256 (the `sol_sha256` syscall on-chain, the sha2 crate off-chain).
//!
//! ## Paths
//! A path is the list of sibling [`SumNode`]s from the leaf up (levels where
//! the node is promoted contribute nothing), of exactly [`proof_len`]
//! entries. Verifying it ([`verify_path`]) recomputes hashes *and sums* up to
//! the root and must arrive at the batch's root and `total_work`. The leaf's
//! **work range** is `[start, start + work_units)` with `start` = the sum of
//! the siblings that lie to its left: leaves tile `[0, total_work)` in index
//! order.
//!
//! ## Work-weighted sampling
//! From the 32-byte seed (see [`sample_seed`]) `k` points are drawn in
//! `[0, total_work)`: point `i` = `u128_le(H(seed ‖ i u32 LE)[..16]) mod
//! total_work` for `i = 0..k` (the modulo bias is below 2⁻⁶⁴). Each point
//! samples the leaf whose work range covers it, so a node that fakes or
//! inflates a fraction f of its *work* escapes all k points with probability
//! (1 − f)^k however it spreads the fakes. Two points may hit one leaf; it
//! is revealed once. `k = clamp(ceil(n · sample_bps / 10⁴), min_samples,
//! max_samples)` for a batch of n leaves.

use anchor_lang::prelude::*;

/// A 32-byte SHA-256 digest.
pub type Hash32 = [u8; 32];

/// Domain tag of a leaf hash.
pub const LEAF_TAG: u8 = 0x00;
/// Domain tag of an inner-node hash.
pub const INNER_TAG: u8 = 0x01;

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

    /// The tree node of this receipt (leaf hash, work units).
    pub fn node(&self) -> SumNode {
        SumNode {
            hash: self.leaf(),
            sum: self.work_units,
        }
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

/// A node of the sum tree: its hash and the work units below it.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default, InitSpace,
)]
pub struct SumNode {
    /// Leaf hash or inner hash.
    pub hash: [u8; 32],
    /// Work units of the subtree.
    pub sum: u64,
}

/// The parent of `left` and `right`; `None` when the sums overflow u64.
pub fn inner_node(left: &SumNode, right: &SumNode) -> Option<SumNode> {
    let sum = left.sum.checked_add(right.sum)?;
    let hash = hashv(&[
        &[INNER_TAG],
        &left.hash,
        &left.sum.to_le_bytes(),
        &right.hash,
        &right.sum.to_le_bytes(),
    ]);
    Some(SumNode { hash, sum })
}

/// Why a sum tree could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeError {
    /// A batch has at least one leaf.
    Empty,
    /// The work sums overflow u64.
    SumOverflow,
}

/// Every level of a sum tree, leaves first. Off-chain helper for agents,
/// verifiers and tests.
#[derive(Clone, Debug)]
pub struct SumTree {
    levels: Vec<Vec<SumNode>>,
    /// `starts[i]` = work of leaves `0..i` (the start of leaf i's range).
    starts: Vec<u64>,
}

impl SumTree {
    /// Builds the tree over `leaves` (leaf hash and work units each).
    pub fn new(leaves: Vec<SumNode>) -> std::result::Result<Self, TreeError> {
        if leaves.is_empty() {
            return Err(TreeError::Empty);
        }
        let mut starts = Vec::with_capacity(leaves.len());
        let mut acc = 0u64;
        for l in &leaves {
            starts.push(acc);
            acc = acc.checked_add(l.sum).ok_or(TreeError::SumOverflow)?;
        }
        let mut levels = vec![leaves];
        while let Some(prev) = levels.last().filter(|l| l.len() > 1) {
            let next = prev
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => inner_node(l, r).ok_or(TreeError::SumOverflow),
                    [single] => Ok(*single),
                    _ => Err(TreeError::Empty),
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            levels.push(next);
        }
        Ok(SumTree { levels, starts })
    }

    /// Builds the tree over receipts.
    pub fn from_receipts(receipts: &[Receipt]) -> std::result::Result<Self, TreeError> {
        Self::new(receipts.iter().map(Receipt::node).collect())
    }

    pub fn leaf_count(&self) -> usize {
        self.levels.first().map(Vec::len).unwrap_or(0)
    }

    /// The root: its hash is the batch root, its sum the total work.
    pub fn root(&self) -> SumNode {
        self.levels
            .last()
            .and_then(|l| l.first().copied())
            .unwrap_or_default()
    }

    /// Sibling path of leaf `index`, bottom-up; levels where the node is
    /// promoted contribute nothing. `None` when out of range.
    pub fn proof(&self, index: usize) -> Option<Vec<SumNode>> {
        if index >= self.leaf_count() {
            return None;
        }
        let mut path = Vec::new();
        let mut i = index;
        for level in &self.levels[..self.levels.len().saturating_sub(1)] {
            if let Some(sibling) = level.get(i ^ 1) {
                path.push(*sibling);
            }
            i /= 2;
        }
        Some(path)
    }

    /// Start of leaf `index`'s work range.
    pub fn range_start(&self, index: usize) -> Option<u64> {
        self.starts.get(index).copied()
    }

    /// The leaf whose work range covers `point`; `None` when `point` is not
    /// below the total work.
    pub fn leaf_at(&self, point: u64) -> Option<usize> {
        if point >= self.root().sum {
            return None;
        }
        // The last leaf whose range starts at or before the point (zero-work
        // leaves have empty ranges and are skipped by taking the last).
        let i = self.starts.partition_point(|s| *s <= point);
        i.checked_sub(1)
    }
}

/// Number of sibling nodes a path for `index` in a tree of `leaf_count`
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

/// Why a path does not prove a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Index out of range, wrong path length, sum overflow, or the hashes do
    /// not lead to the root.
    Invalid,
    /// The hashes lead to the root but the work sums do not add up to the
    /// batch's claimed total work.
    WorkSum,
}

/// Checks that `leaf` sits at `index` of a sum tree of `leaf_count` leaves
/// whose root is (`root`, `total_work`), given its sibling path. Returns the
/// start of the leaf's work range (`leaf.sum` units from there on).
pub fn verify_path(
    root: &Hash32,
    total_work: u64,
    leaf: &SumNode,
    index: u64,
    leaf_count: u64,
    path: &[SumNode],
) -> std::result::Result<u64, PathError> {
    if index >= leaf_count || path.len() != proof_len(index, leaf_count) {
        return Err(PathError::Invalid);
    }
    let (mut i, mut width, mut node, mut start) = (index, leaf_count, *leaf, 0u64);
    let mut siblings = path.iter();
    while width > 1 {
        if (i ^ 1) < width {
            let s = siblings.next().ok_or(PathError::Invalid)?;
            node = if i % 2 == 0 {
                inner_node(&node, s)
            } else {
                start = start.checked_add(s.sum).ok_or(PathError::Invalid)?;
                inner_node(s, &node)
            }
            .ok_or(PathError::Invalid)?;
        }
        i /= 2;
        width = width.div_ceil(2);
    }
    if node.hash != *root {
        return Err(PathError::Invalid);
    }
    if node.sum != total_work {
        return Err(PathError::WorkSum);
    }
    Ok(start)
}

/// Bytes of a 1 232-byte transaction left for `reveal_samples` items once
/// the envelope (two signatures, six account keys — payer, agent, node,
/// batch, event authority, program — blockhash, instruction header with five
/// account indices, discriminator and vector length) is paid for.
pub const REVEAL_TX_BUDGET: usize = 846;

/// Height of a tree of `leaf_count` leaves (the longest path).
pub fn tree_depth(leaf_count: u64) -> usize {
    let (mut width, mut depth) = (leaf_count, 0usize);
    while width > 1 {
        width = width.div_ceil(2);
        depth += 1;
    }
    depth
}

/// Serialized size of one reveal item: index u32, leaf fields without the
/// kind byte (72 bytes; the kind is the shape's first byte),
/// shape bytes (u32 length + `shape_len`), path (u32 length + 40 bytes a node).
pub fn reveal_item_len(shape_len: usize, path_len: usize) -> usize {
    4 + 72 + 4 + shape_len + 4 + (32 + 8) * path_len
}

/// k = clamp(ceil(n · sample_bps / 10⁴), min_samples, max_samples).
pub fn sample_count(leaf_count: u64, sample_bps: u16, min_samples: u16, max_samples: u16) -> u64 {
    let by_rate = (leaf_count as u128 * sample_bps as u128).div_ceil(10_000) as u64;
    by_rate.clamp(min_samples as u64, max_samples.max(min_samples) as u64)
}

/// The `k` sample points of a batch of `total_work` units (see module docs).
/// Empty when `total_work` is 0.
pub fn sample_points(seed: &Hash32, total_work: u64, k: u64) -> Vec<u64> {
    if total_work == 0 {
        return Vec::new();
    }
    (0..k.min(u32::MAX as u64) as u32)
        .map(|i| {
            let h = hashv(&[seed, &i.to_le_bytes()]);
            let mut word = [0u8; 16];
            word.copy_from_slice(&h[..16]);
            (u128::from_le_bytes(word) % total_work as u128) as u64
        })
        .collect()
}

/// Seed of a batch's sample: H(batch key ‖ slot hash).
pub fn sample_seed(batch: &[u8; 32], slot_hash: &Hash32) -> Hash32 {
    hashv(&[batch, slot_hash])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn receipts(n: usize, salt: u8) -> Vec<Receipt> {
        (0..n)
            .map(|i| Receipt {
                job_id: hashv(&[&[salt], &(i as u64).to_le_bytes()]),
                kind: (i % 3) as u8,
                work_units: (i as u64 % 7) * 1_000 + 1,
                output_commitment: hashv(&[b"out", &(i as u64).to_le_bytes()]),
            })
            .collect()
    }

    fn tree(n: usize, salt: u8) -> (Vec<SumNode>, SumTree) {
        let leaves: Vec<SumNode> = receipts(n, salt).iter().map(Receipt::node).collect();
        let t = SumTree::new(leaves.clone()).unwrap();
        (leaves, t)
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
        assert_eq!(r.node().sum, 0x0102_0304_0506_0708);
    }

    #[test]
    fn inner_layout_is_exact() {
        let l = SumNode {
            hash: [1; 32],
            sum: 5,
        };
        let r = SumNode {
            hash: [2; 32],
            sum: 7,
        };
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(&[1; 32]);
        bytes.extend_from_slice(&5u64.to_le_bytes());
        bytes.extend_from_slice(&[2; 32]);
        bytes.extend_from_slice(&7u64.to_le_bytes());
        assert_eq!(bytes.len(), 81);
        let p = inner_node(&l, &r).unwrap();
        assert_eq!(p.hash, hashv(&[&bytes]));
        assert_eq!(p.sum, 12);
        let big = SumNode {
            hash: [0; 32],
            sum: u64::MAX,
        };
        assert_eq!(inner_node(&big, &r), None, "sums never wrap");
    }

    #[test]
    fn small_trees_by_hand() {
        let (l, t) = tree(3, 1);
        // Level 1: P(l0,l1), l2 promoted; root = P(P(l0,l1), l2).
        let p01 = inner_node(&l[0], &l[1]).unwrap();
        assert_eq!(t.root(), inner_node(&p01, &l[2]).unwrap());
        assert_eq!(t.root().sum, l[0].sum + l[1].sum + l[2].sum);
        assert_eq!(t.proof(2).unwrap(), vec![p01]);
        assert_eq!(t.proof(0).unwrap(), vec![l[1], l[2]]);
        let root = t.root();
        assert_eq!(
            verify_path(&root.hash, root.sum, &l[2], 2, 3, &[p01]),
            Ok(l[0].sum + l[1].sum)
        );
        assert_eq!(
            verify_path(&root.hash, root.sum, &l[1], 1, 3, &t.proof(1).unwrap()),
            Ok(l[0].sum)
        );
        let single = SumTree::new(vec![l[0]]).unwrap();
        assert_eq!(single.root(), l[0]);
        assert_eq!(verify_path(&l[0].hash, l[0].sum, &l[0], 0, 1, &[]), Ok(0));
        assert_eq!(
            verify_path(&l[0].hash, l[0].sum + 1, &l[0], 0, 1, &[]),
            Err(PathError::WorkSum),
            "a one-leaf batch cannot claim more than its leaf"
        );
        assert_eq!(SumTree::new(vec![]).err(), Some(TreeError::Empty));
    }

    #[test]
    fn leaf_at_follows_the_work_ranges() {
        let nodes = [3u64, 0, 5, 1]
            .iter()
            .enumerate()
            .map(|(i, w)| SumNode {
                hash: [i as u8; 32],
                sum: *w,
            })
            .collect();
        let t = SumTree::new(nodes).unwrap();
        let owners: Vec<_> = (0..10).map(|p| t.leaf_at(p)).collect();
        let want = [0, 0, 0, 2, 2, 2, 2, 2, 3]
            .iter()
            .map(|i| Some(*i as usize))
            .chain([None]);
        assert_eq!(owners, want.collect::<Vec<_>>());
        assert_eq!(t.range_start(3), Some(8));
    }

    #[test]
    fn sample_count_clamps() {
        assert_eq!(sample_count(1_024, 100, 8, 32), 11);
        assert_eq!(sample_count(100, 100, 8, 32), 8);
        assert_eq!(sample_count(5, 100, 8, 32), 8, "points, not leaves");
        assert_eq!(sample_count(100_000, 100, 8, 32), 32);
        assert_eq!(sample_count(1, 10_000, 1, 64), 1);
    }

    #[test]
    fn sample_points_by_hand() {
        let seed = [3u8; 32];
        let pts = sample_points(&seed, 1_000_003, 4);
        for (i, p) in pts.iter().enumerate() {
            let h = hashv(&[&seed, &(i as u32).to_le_bytes()]);
            let w = u128::from_le_bytes(h[..16].try_into().unwrap());
            assert_eq!(*p as u128, w % 1_000_003);
        }
        assert!(sample_points(&seed, 0, 4).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn paths_verify_for_every_leaf(n in 1usize..=4096, salt in any::<u8>()) {
            let (l, t) = tree(n, salt);
            let root = t.root();
            let step = (n / 64).max(1);
            for i in (0..n).step_by(step).chain([n - 1]) {
                let p = t.proof(i).unwrap();
                prop_assert_eq!(p.len(), proof_len(i as u64, n as u64));
                prop_assert_eq!(
                    verify_path(&root.hash, root.sum, &l[i], i as u64, n as u64, &p),
                    Ok(t.range_start(i).unwrap())
                );
            }
        }

        #[test]
        fn any_flipped_hash_sum_or_index_fails(n in 2usize..=600, pick in any::<prop::sample::Index>(), bit in 0usize..256, which in 0u8..5) {
            let (l, t) = tree(n, 9);
            let root = t.root();
            let i = pick.index(n);
            let mut leaf = l[i];
            let mut path = t.proof(i).unwrap();
            let mut index = i as u64;
            let mut total = root.sum;
            match which {
                0 => leaf.hash[bit / 8] ^= 1 << (bit % 8),
                1 => leaf.sum ^= 1 << (bit % 40),
                2 => index ^= 1 + (bit as u64 % n as u64),
                3 => {
                    if path.is_empty() { return Ok(()); }
                    let j = bit % path.len();
                    if bit % 2 == 0 {
                        path[j].hash[bit / 8] ^= 1 << (bit % 8);
                    } else {
                        path[j].sum ^= 1 << (bit % 40);
                    }
                }
                _ => total ^= 1 << (bit % 40),
            }
            if index != i as u64 {
                prop_assume!(index >= n as u64 || l[index as usize] != l[i]);
            }
            prop_assert!(verify_path(&root.hash, total, &leaf, index, n as u64, &path).is_err());
        }

        #[test]
        fn truncated_or_padded_paths_fail(n in 2usize..=300, pick in any::<prop::sample::Index>()) {
            let (l, t) = tree(n, 4);
            let root = t.root();
            let i = pick.index(n);
            let mut p = t.proof(i).unwrap();
            p.push(SumNode::default());
            prop_assert!(verify_path(&root.hash, root.sum, &l[i], i as u64, n as u64, &p).is_err());
            p.pop();
            p.pop();
            prop_assert!(verify_path(&root.hash, root.sum, &l[i], i as u64, n as u64, &p).is_err());
        }

        #[test]
        fn points_cover_exactly_one_leaf_each(n in 1usize..=300, seed in any::<[u8; 32]>(), k in 1u64..=64) {
            let (l, t) = tree(n, 2);
            let total = t.root().sum;
            let pts = sample_points(&seed, total, k);
            prop_assert_eq!(&pts, &sample_points(&seed, total, k));
            prop_assert_eq!(pts.len() as u64, k);
            for p in pts {
                let i = t.leaf_at(p).unwrap();
                let start = t.range_start(i).unwrap();
                prop_assert!(start <= p && p < start + l[i].sum);
            }
        }
    }
}
