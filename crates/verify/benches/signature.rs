//! The per-signature path: one small attached .p7m checked end to end (read, digest,
//! signature value, path to the anchor, CRLs, algorithm policy), with and without trust
//! material, with the batch cache warm (later files of a batch) and cold (the first).
//! Fixtures: `tests/fixtures/pki/`. Run with
//! `cargo bench -p lavoro-agile-verify --bench signature`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code

use std::path::{Path, PathBuf};

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use lavoro_agile_verify::{
    validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use time::macros::datetime;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pki")
}

fn options(trust: &[&str]) -> Options {
    let mut store = TrustStore::new();
    for t in trust {
        store
            .add_bytes(&std::fs::read(fixtures().join(t)).unwrap())
            .unwrap();
    }
    Options {
        trust: store,
        at: ValidationTime::Given(datetime!(2021-06-01 00:00 UTC)),
        now: datetime!(2026-01-01 00:00 UTC),
        keep_content: false,
        revocation: RevocationPolicy::IfAvailable,
    }
}

fn bench(c: &mut Criterion) {
    let input = FileInput {
        display: "chain-ok.p7m".to_owned(),
        path: fixtures().join("chain-ok.p7m"),
        content: None,
    };
    let with_crls = options(&["root.pem", "sub-2021.crl", "root-2021.crl"]);
    let anchor_only = options(&["root.pem"]);
    let none = options(&[]);
    // The same store for every iteration: after the first, certificates, CRLs and their
    // signature checks come from the batch cache, as for the second and later files of a
    // batch signed under the same CA.
    c.bench_function("signature: path + CRLs + policy", |b| {
        b.iter(|| black_box(validate_file(&input, &with_crls)))
    });
    // A new store (and so an empty cache) for every iteration: the first file of a batch.
    c.bench_function("signature: path + CRLs + policy, cold cache", |b| {
        b.iter_batched(
            || options(&["root.pem", "sub-2021.crl", "root-2021.crl"]),
            |fresh| black_box(validate_file(&input, &fresh)),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("signature: path, no CRL", |b| {
        b.iter(|| black_box(validate_file(&input, &anchor_only)))
    });
    c.bench_function("signature: no trust material", |b| {
        b.iter(|| black_box(validate_file(&input, &none)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
