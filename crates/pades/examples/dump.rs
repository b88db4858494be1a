//! Prints what the reader finds in each PDF given on the command line (a developer aid).
use lavoro_agile_pades::source::FileSource;

fn main() {
    for arg in std::env::args().skip(1) {
        let src = match FileSource::open(std::path::Path::new(&arg)) {
            Ok(s) => s,
            Err(e) => {
                println!("{arg}: {e}");
                continue;
            }
        };
        match lavoro_agile_pades::read_signatures(&src, &Default::default()) {
            Err(e) => println!("{arg}: ERROR {e}"),
            Ok(r) => {
                println!(
                    "{arg}: revisions {:?} trailing {}",
                    r.revision_ends, r.trailing_bytes
                );
                for s in &r.signatures {
                    let crypto = match &s.crypto {
                        lavoro_agile_pades::signatures::Crypto::Cms {
                            outcome,
                            sha1_content,
                        } => match &**outcome {
                            lavoro_agile_cades::ReadOutcome::Signed(d) => {
                                d.signatures
                                    .iter()
                                    .map(|e| match &e.facts {
                                        Ok(f) => format!(
                                            "digest={:?} sig={:?} attrs={}",
                                            f.digest, f.signature, f.has_signed_attributes
                                        ),
                                        Err(e) => format!("undecodable: {e}"),
                                    })
                                    .collect::<Vec<_>>()
                                    .join(" | ")
                                    + &format!(" sha1_content={sha1_content:?}")
                            }
                            other => format!("{other:?}").chars().take(80).collect(),
                        },
                        lavoro_agile_pades::signatures::Crypto::Timestamp(t) => {
                            format!("tst imprint={:?} problem={:?}", t.imprint, t.format_problem)
                        }
                        other => format!("{other:?}").chars().take(200).collect(),
                    };
                    println!(
                        "  {:?} {:?} br={:?} problems={:?} rev={:?} whole={} perms={:?}\n    crypto: {crypto}\n    changes: {:?}",
                        s.kind,
                        s.sub_filter.as_str(),
                        s.byte_range,
                        s.byte_range_problems,
                        s.signed_revision,
                        s.covers_whole_file,
                        s.permissions,
                        s.changes
                    );
                }
            }
        }
    }
}
