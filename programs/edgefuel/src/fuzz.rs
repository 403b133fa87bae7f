//! Fuzz harnesses: what the cargo-fuzz targets in `fuzz/` call with
//! arbitrary bytes, and what the unit tests below run over the seeded
//! corpora (`fuzz/corpus/<target>/`) and over random bytes on every
//! machine. Each harness must never panic, and each checks a property:
//!
//! - [`proof_verify`]: a sum-tree path verifies only as built, and then
//!   yields the leaf's true work range;
//! - [`reveal_items`]: reveal items and job shapes decoded from any bytes
//!   are accepted by the program's reveal check only when they open a
//!   committed leaf with its own spec;
//! - [`instruction_data`]: the program's entrypoint refuses any instruction
//!   data without panicking, and every argument type that decodes
//!   re-encodes to the same bytes.
use crate::proof::{self, Receipt, SumNode, SumTree};
use crate::{Batch, BatchStatus, Quorum, RevealItem, RevealedLeaf, Verdict, VoteRecord};
use anchor_lang::prelude::*;
use edgefuel_spec::{JobShape, JobSpec};

/// Reads bytes front to back; missing bytes read as zero.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self
            .0
            .split_first()
            .map(|(b, r)| (*b, r))
            .unwrap_or((0, &[]));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | (u16::from(self.u8()) << 8)
    }
}

/// Bytes choose a tree (1..=300 leaves with chosen work), a leaf and one
/// mutation of its hash, its sum, a path node, the index, the path length or
/// the claimed total. The untouched path must verify with the leaf's range
/// start; every mutation must fail.
pub fn proof_verify(data: &[u8]) {
    let mut b = Bytes(data);
    let n = 1 + usize::from(b.u16()) % 300;
    let leaves: Vec<SumNode> = (0..n)
        .map(|i| SumNode {
            hash: proof::hashv(&[&(i as u64).to_le_bytes(), &[b.u8()]]),
            sum: u64::from(b.u16()),
        })
        .collect();
    let Ok(tree) = SumTree::new(leaves.clone()) else {
        return;
    };
    let root = tree.root();
    let i = usize::from(b.u16()) % n;
    let path = tree.proof(i).unwrap_or_default();
    let start = tree.range_start(i).unwrap_or_default();
    let ok = proof::verify_path(&root.hash, root.sum, &leaves[i], i as u64, n as u64, &path);
    assert_eq!(ok, Ok(start), "an honest path verifies with its range");
    let (mut leaf, mut path, mut index, mut total) = (leaves[i], path, i as u64, root.sum);
    let bit = b.u8();
    let kind = b.u8() % 6;
    match kind {
        0 => leaf.hash[usize::from(bit / 8) % 32] ^= 1 << (bit % 8),
        1 => leaf.sum ^= 1 << (bit % 64),
        2 if !path.is_empty() => {
            let j = usize::from(bit) % path.len();
            path[j].sum ^= 1 << (bit % 64);
        }
        3 => index = (index + 1 + u64::from(bit)) % (n as u64 + 2),
        4 => {
            if bit % 2 == 0 {
                path.push(SumNode::default());
            } else if path.pop().is_none() {
                return;
            }
        }
        _ => total ^= 1 << (bit % 64),
    }
    if kind == 3 && index == i as u64 {
        return; // the index wrapped back to itself: nothing was mutated
    }
    if index < n as u64 && index != i as u64 && leaves[index as usize] == leaves[i] {
        return; // the same leaf twice: another opening of identical bytes
    }
    assert!(
        proof::verify_path(&root.hash, total, &leaf, index, n as u64, &path).is_err(),
        "a mutated path must not verify"
    );
}

/// The `Batch` account of batch `seq` of `node` whose tree root is `root`
/// over `leaf_count` leaves, as it stands once sealed (no sample drawn):
/// what the off-chain checks (this module, the detection simulation) run the
/// program's reveal check against.
pub fn sealed_batch(node: Pubkey, seq: u64, root: SumNode, leaf_count: u32) -> Batch {
    Batch {
        bump: 0,
        node,
        seq,
        root: root.hash,
        leaf_count,
        total_work: root.sum,
        epoch: 0,
        submitted_slot: 0,
        seal_slot: 0,
        reveal_deadline: 0,
        verify_deadline: 0,
        status: BatchStatus::Sealed,
        seed: [0; 32],
        seal_slot_hash: [0; 32],
        sample_count: 0,
        samples: [0; crate::constants::MAX_SAMPLES as usize],
        revealed_mask: 0,
        revealed: [RevealedLeaf::default(); crate::constants::MAX_SAMPLES as usize],
        vote_count: 0,
        votes: [VoteRecord {
            verifier: Pubkey::default(),
            verdict: Verdict::Valid,
        }; crate::constants::MAX_VERIFIERS],
        valid_votes: 0,
        invalid_votes: 0,
        quorum: Quorum::Pending,
        reward: 0,
        slashed: 0,
        finalized_slot: 0,
        reward_rate: 1,
        reserved: [0; 24],
    }
}

/// The honest batch the reveal harness checks items against: five jobs of
/// node `[7; 32]`, batch 1, with their receipts and shapes.
pub fn reveal_fixture() -> (Batch, Vec<Receipt>, Vec<JobShape>, SumTree) {
    let node = Pubkey::new_from_array([7; 32]);
    let shapes: Vec<JobShape> = (0..5u32)
        .map(|i| JobShape::GemmI8 {
            m: 1 + i,
            n: 4,
            k: 8,
        })
        .collect();
    let receipts: Vec<Receipt> = shapes
        .iter()
        .enumerate()
        .filter_map(|(i, shape)| {
            let seed =
                edgefuel_spec::job_seed(&crate::ID.to_bytes(), &node.to_bytes(), 1, i as u32);
            let spec = JobSpec::new(shape.clone(), seed).ok()?;
            Some(Receipt {
                job_id: spec.job_id(),
                kind: spec.kind() as u8,
                work_units: spec.work_units(),
                output_commitment: [i as u8; 32],
            })
        })
        .collect();
    let tree = SumTree::from_receipts(&receipts).unwrap_or_else(|_| unreachable!());
    let root = tree.root();
    let batch = sealed_batch(node, 1, root, receipts.len() as u32);
    (batch, receipts, shapes, tree)
}

/// Bytes are a borsh `Vec<RevealItem>` (and, separately, job shape and spec
/// bytes). An item passes the program's reveal check only if it opens a
/// committed leaf of the fixture batch with that leaf's own shape, and then
/// its range is the leaf's. Shapes and specs that decode re-encode to the
/// same bytes.
pub fn reveal_items(data: &[u8]) {
    if let Ok(shape) = JobShape::from_bytes(data) {
        assert_eq!(
            shape.to_bytes(),
            data,
            "a decoded shape re-encodes to its bytes"
        );
    }
    if let Ok(spec) = JobSpec::from_bytes(data) {
        assert_eq!(
            spec.to_bytes(),
            data,
            "a decoded spec re-encodes to its bytes"
        );
    }
    let Ok(items) = <Vec<RevealItem> as AnchorDeserialize>::try_from_slice(data) else {
        return;
    };
    let (batch, receipts, shapes, tree) = reveal_fixture();
    for item in items {
        if let Ok((start, end, stored)) = item.check(&batch) {
            let i = item.index as usize;
            assert_eq!(
                item.receipt(),
                Some(receipts[i]),
                "only committed leaves open"
            );
            assert_eq!(
                item.shape,
                shapes[i].to_bytes(),
                "only with their own shape"
            );
            assert_eq!(Some(start), tree.range_start(i));
            assert_eq!(end - start, receipts[i].work_units);
            assert_eq!(stored.shape_bytes(), item.shape.as_slice());
        }
    }
}

/// Bytes are instruction data: the program's entrypoint (with no accounts)
/// must return an error, never panic; the argument types that decode from
/// the bytes after a discriminator re-encode to the bytes they consumed.
pub fn instruction_data(data: &[u8]) {
    assert!(
        crate::entry(&crate::ID, &[], data).is_err(),
        "no instruction succeeds without its accounts"
    );
    let Some(args) = data.get(8..) else {
        return;
    };
    round_trip::<crate::SubmitBatchArgs>(args);
    round_trip::<Vec<RevealItem>>(args);
    round_trip::<Verdict>(args);
    round_trip::<crate::InitializeNetworkArgs>(args);
    round_trip::<crate::CreateProposalArgs>(args);
    round_trip::<crate::NodeMetadata>(args);
    round_trip::<crate::PauseScope>(args);
    round_trip::<crate::VoteChoice>(args);
}

fn round_trip<T: AnchorDeserialize + AnchorSerialize>(bytes: &[u8]) {
    let mut rest = bytes;
    if let Ok(value) = T::deserialize(&mut rest) {
        let used = bytes.len() - rest.len();
        let mut again = Vec::new();
        if value.serialize(&mut again).is_ok() {
            assert_eq!(
                again,
                bytes[..used],
                "decoded arguments re-encode to their bytes"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn encode<T: AnchorSerialize>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        value.serialize(&mut out).unwrap_or_default();
        out
    }

    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus")
            .join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .unwrap_or_default();
        files.sort();
        assert!(!files.is_empty(), "{} has no seeds", dir.display());
        files
            .iter()
            .map(|f| std::fs::read(f).unwrap_or_default())
            .collect()
    }

    #[test]
    fn seeded_corpora_pass_every_harness() {
        for seed in corpus("proof_verify") {
            proof_verify(&seed);
        }
        for seed in corpus("reveal_items") {
            reveal_items(&seed);
        }
        for seed in corpus("instruction_data") {
            instruction_data(&seed);
        }
    }

    #[test]
    fn the_reveal_seeds_open_the_fixture() {
        // At least one seed is a real, accepted reveal.
        let (batch, ..) = reveal_fixture();
        let accepted = corpus("reveal_items").iter().any(|seed| {
            <Vec<RevealItem> as AnchorDeserialize>::try_from_slice(seed)
                .map(|items| !items.is_empty() && items.iter().all(|i| i.check(&batch).is_ok()))
                .unwrap_or(false)
        });
        assert!(accepted);
    }

    /// Writes the seed corpora (`cargo test -p edgefuel -- --ignored write_seed_corpora`).
    #[test]
    #[ignore]
    fn write_seed_corpora() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
        let write = |target: &str, name: &str, bytes: Vec<u8>| {
            let dir = root.join(target);
            std::fs::create_dir_all(&dir).unwrap_or_default();
            std::fs::write(dir.join(name), bytes).unwrap_or_default();
        };
        for (i, seed) in [[0u8; 12], [7; 12], [255; 12]].iter().enumerate() {
            write("proof_verify", &format!("seed-{i}"), seed.to_vec());
        }
        let (_, receipts, shapes, tree) = reveal_fixture();
        let items: Vec<RevealItem> = (0..receipts.len())
            .map(|i| {
                RevealItem::new(
                    i as u32,
                    &receipts[i],
                    &shapes[i],
                    tree.proof(i).unwrap_or_default(),
                )
            })
            .collect();
        write("reveal_items", "honest", encode(&items));
        write("reveal_items", "shape", shapes[2].to_bytes());
        let mut ix =
            <crate::instruction::RevealSamples as anchor_lang::Discriminator>::DISCRIMINATOR
                .to_vec();
        ix.extend(encode(&items));
        write("instruction_data", "reveal_samples", ix);
        let mut ix =
            <crate::instruction::Vote as anchor_lang::Discriminator>::DISCRIMINATOR.to_vec();
        ix.extend(encode(&Verdict::Invalid {
            leaf_index: 3,
            expected_commitment: [9; 32],
        }));
        write("instruction_data", "vote", ix);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_break_a_harness(data in prop::collection::vec(any::<u8>(), 0..400)) {
            proof_verify(&data);
            reveal_items(&data);
            instruction_data(&data);
        }

        #[test]
        fn mutated_honest_reveals_are_refused_or_equal(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let seeds = corpus("reveal_items");
            let mut bytes = seeds.iter().find(|s| s.len() > 100).cloned().unwrap_or_default();
            let p = pos.index(bytes.len());
            bytes[p] ^= 1 << bit;
            reveal_items(&bytes);
        }
    }
}
