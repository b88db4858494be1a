//! The per-signature path: one small attached .p7m checked end to end (read, digest,
//! signature value, path to the anchor, CRLs, algorithm policy), with and without trust
//! material. Fixtures: `tests/fixtures/pki/`. Run with
//! `cargo bench -p lavoro-agile-verify --bench signature`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code

use std::path::{Path, PathBuf};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
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
    c.bench_function("signature: path + CRLs + policy", |b| {
        b.iter(|| black_box(validate_file(&input, &with_crls)))
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
