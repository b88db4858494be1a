//! Parse and signature-check times of the real lists in the shared corpus (the bench does
//! nothing when the corpus is absent).

use criterion::{criterion_group, criterion_main, Criterion};
use lavoro_agile_pki::{PublicKeyRef, SignatureVerifier, Verification};

struct Crypto;

impl SignatureVerifier for Crypto {
    fn verify(&self, key: &PublicKeyRef<'_>, alg: &[u8], msg: &[u8], sig: &[u8]) -> Verification {
        use lavoro_agile_cades::{ber::Tlv, cms::AlgorithmIdentifier, crypto};
        let Some(a) = Tlv::parse_exact(alg)
            .ok()
            .and_then(|t| AlgorithmIdentifier::decode(&t).ok())
        else {
            return Verification::Unsupported("algorithm".to_owned());
        };
        let pk = crypto::PublicKey {
            algorithm: key.algorithm.to_owned(),
            curve: key.curve.map(str::to_owned),
            key: key.key,
        };
        match crypto::verify_signature(&pk, &a, None, msg, sig) {
            crypto::SignatureOutcome::Valid => Verification::Valid,
            crypto::SignatureOutcome::Invalid(_) => Verification::Invalid,
            crypto::SignatureOutcome::Unsupported(w) => Verification::Unsupported(w),
        }
    }
}

fn corpus(name: &str) -> Option<Vec<u8>> {
    let shared = std::env::var_os("LAVORO_AGILE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    std::fs::read(shared.join("corpus/trust").join(name)).ok()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("trustlist");
    g.sample_size(10);
    for name in [
        "TSL-IT-seq194-2023-09-26.xml",
        "EU-LOTL-seq332-2023-09-27.xml",
    ] {
        let Some(bytes) = corpus(name) else {
            eprintln!("SKIPPED: {name} not found");
            continue;
        };
        g.bench_function(format!("parse {name}"), |b| {
            b.iter(|| lavoro_agile_trustlist::parse(&bytes).map(|l| l.providers.len()))
        });
        g.bench_function(format!("parse+signature {name}"), |b| {
            b.iter(|| {
                let doc = lavoro_agile_trustlist::parse::parse_xml(&bytes).ok()?;
                lavoro_agile_trustlist::dsig::verify(&doc, &Crypto).ok()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
