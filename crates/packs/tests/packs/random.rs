//! Fuzz-style tests: random bytes and mutated archives through the real entry points must
//! end in a refusal (never a panic), and a mutated signed archive never verifies.
//! Also replays the corpora of the fuzz targets in `fuzz/corpus/`.

use lavoro_agile_packs::fuzzing;
use lavoro_agile_packs::{Kind, Refusal};
use proptest::prelude::*;

use crate::common::*;

fn sample() -> Vec<u8> {
    build(
        Kind::Portal,
        3,
        &[
            ("a.md", b"uno"),
            ("dir/b.md", b"due"),
            ("dir/c.txt", &[7u8; 700]),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(!fuzzing::archive(&bytes) || bytes.len() >= 1024);
        let _ = fuzzing::manifest(&bytes);
    }

    #[test]
    fn mutated_archive_never_panics(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in any::<prop::sample::Index>(), truncate in any::<bool>()) {
        let mut a = sample();
        for (i, b) in &edits {
            let at = i.index(a.len());
            a[at] = *b;
        }
        if truncate {
            a.truncate(cut.index(a.len()));
        }
        let _ = fuzzing::archive(&a);
    }
}

#[test]
fn mutated_signed_archive_never_verifies() {
    let s = Signer::new();
    let r = ring(&s, &[Kind::Portal]);
    let a = sample();
    let sig = s.sign(&a);
    // A fixed linear congruential sequence: reproducible positions and values.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..200 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pos = (x >> 33) as usize % a.len();
        let val = ((x >> 17) as u8).max(1);
        let mut m = a.clone();
        m[pos] ^= val;
        assert_eq!(
            check(&m, Some(&sig), &r).unwrap_err(),
            Refusal::SignatureInvalid
        );
    }
}

fn replay(target: &str, entry: fn(&[u8]) -> bool) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    let mut accepted = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        if entry(&data) {
            accepted += 1;
        }
        n += 1;
    }
    assert!(n > 0, "empty corpus {}", dir.display());
    // The seeds hold valid inputs too, so the corpus exercises the accepting path.
    assert!(
        accepted > 0 && accepted < n,
        "{target}: {accepted} of {n} accepted"
    );
}

#[test]
fn fuzz_corpus_archive_replayed() {
    replay("archive", fuzzing::archive);
}

#[test]
fn fuzz_corpus_manifest_replayed() {
    replay("manifest", fuzzing::manifest);
}

#[test]
fn fuzz_corpus_signature_replayed() {
    replay("signature", fuzzing::signature);
}
