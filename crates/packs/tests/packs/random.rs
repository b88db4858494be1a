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

fn entry_kind() -> impl Strategy<Value = tar::EntryType> {
    prop::sample::select(vec![
        tar::EntryType::Regular,
        tar::EntryType::Regular,
        tar::EntryType::Regular,
        tar::EntryType::Directory,
        tar::EntryType::Symlink,
        tar::EntryType::Link,
        tar::EntryType::Char,
        tar::EntryType::Fifo,
        tar::EntryType::GNUSparse,
        tar::EntryType::new(b'Z'),
    ])
}

fn entry_name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z]{1,8}(/[a-z]{1,8}){0,2}(\\.md)?".prop_map(String::into_bytes),
        Just(b"../x".to_vec()),
        Just(b"/abs".to_vec()),
        Just(b"a/./b".to_vec()),
        Just(b"lavoro-pack.json".to_vec()),
        prop::collection::vec(any::<u8>(), 1..40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random tar archives built entry by entry, with a manifest that lists some of the
    /// files truthfully: never a panic, and what is accepted is exactly what was listed.
    #[test]
    fn random_structured_archives_accepted_only_when_consistent(
        entries in prop::collection::vec((entry_name(), entry_kind(), prop::collection::vec(any::<u8>(), 0..64)), 0..8),
        list_mask in any::<u8>(),
    ) {
        let listed: Vec<(String, Vec<u8>)> = entries
            .iter()
            .enumerate()
            .filter(|(i, (_, k, _))| *k == tar::EntryType::Regular && list_mask & (1 << (i % 8)) != 0)
            .filter_map(|(_, (n, _, d))| Some((String::from_utf8(n.clone()).ok()?, d.clone())))
            .collect();
        let listed_refs: Vec<(&str, &[u8])> = listed.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        let m = manifest_for(Kind::Portal, 1, &listed_refs);
        let raw: Vec<Raw<'_>> = entries
            .iter()
            .filter(|(n, _, _)| n.len() <= 100)
            .map(|(n, k, d)| Raw { path: n, kind: *k, data: if k.is_file() { d } else { &[] }, link: None })
            .collect();
        let a = raw_pack(&m, &raw);
        if let Ok((manifest, files)) = lavoro_agile_packs::verify::check_content_unsigned(&a, &fuzzing::limits()) {
            prop_assert_eq!(files.len(), manifest.raw.files.len());
            for (path, data) in &files {
                let listed = manifest.raw.files.iter().find(|f| f.path == path.as_str());
                prop_assert!(listed.is_some_and(|f| f.size == data.len() as u64));
            }
        }
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
