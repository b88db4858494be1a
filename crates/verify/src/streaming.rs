//! Large binary `.p7m` files checked without loading them: the file is read once through a
//! few shared buffers, its SHA-256 (over every byte) and the content digests (over the
//! eContent octets only) computed on the way, on two threads
//! (`lavoro_agile_cades::stream::stream_signed_data_with_sha256`), and only the signature
//! structure is kept in memory.
//! Archive timestamps get their imprints in the same pass: the content is also hashed with
//! the imprint algorithms archive timestamps may use, and the encapsulated content info's
//! hash states are kept for ATSv2/v1 (`lavoro_agile_cades::stream::ARCHIVE_ALGORITHMS`).
//! Any other shape, or a case that needs the content itself (extraction, signatures
//! without signed attributes, an archive timestamp whose imprint the stream could not
//! match, e.g. one computed over the DER form of BER content in chunks), falls back to the
//! whole-file path.

use lavoro_agile_cades::{Container, ReadOptions, ReadOutcome};

use crate::report::FileReport;
use crate::{report_document, FileInput, FileOutcome, Options, MAX_FILE_SIZE};

/// Files at least this large are streamed.
pub const STREAM_THRESHOLD: u64 = 16 << 20;

/// Checks `input` as a stream when it is a large binary SignedData with its content;
/// `None` means "read it whole instead".
pub(crate) fn validate_large(
    input: &FileInput,
    report: &FileReport,
    options: &Options,
) -> Option<FileOutcome> {
    validate_from(input, report, options, STREAM_THRESHOLD)
}

fn validate_from(
    input: &FileInput,
    report: &FileReport,
    options: &Options,
    threshold: u64,
) -> Option<FileOutcome> {
    if options.keep_content {
        return None;
    }
    let file = std::fs::File::open(&input.path).ok()?;
    let len = file.metadata().ok()?.len();
    if !(threshold..=MAX_FILE_SIZE).contains(&len) {
        return None;
    }
    // One pass: the content digests and the file's SHA-256 (trailing bytes included) from
    // the same buffers.
    let (streamed, file_sha) = lavoro_agile_cades::stream::stream_signed_data_with_sha256(file)
        .ok()
        .flatten()?;
    let file_sha = hex::encode(file_sha);
    let read_options = ReadOptions {
        detached_content: None,
        supplied_certificates: options.trust.anchors().to_vec(),
        keep_content: false,
    };
    let outcome =
        lavoro_agile_cades::read_streamed(&streamed.skeleton, &streamed.content, &read_options)
            .ok()?;
    let ReadOutcome::Signed(doc) = outcome else {
        return None;
    };
    // A signature without signed attributes covers the content itself: read it whole.
    let needs_content = doc.container != Container::Attached
        || doc.signatures.iter().any(|e| {
            e.facts
                .as_ref()
                .is_ok_and(|f| !f.has_signed_attributes && e.countersignature_of.is_none())
        });
    // An archive timestamp that does not match the streamed forms may still match the
    // whole file's (DER of chunked BER content): the whole-file path decides.
    let archive_unmatched = doc.signatures.iter().any(|e| {
        e.timestamps.iter().any(|(k, f)| {
            *k == lavoro_agile_cades::TimestampKind::Archive
                && f.imprint != lavoro_agile_cades::timestamp::ImprintOutcome::Match
        })
    });
    if needs_content || archive_unmatched {
        return None;
    }
    tracing::debug!(
        bytes = len,
        content = streamed.content.length,
        "large file checked as a stream"
    );
    let mut report = report.clone();
    report.sha256 = Some(file_sha);
    Some(report_document(report, doc, options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RevocationPolicy, TrustStore, ValidationTime};

    fn fixture(dir: &str, name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(dir)
            .join(name)
    }

    fn options() -> Options {
        let mut trust = TrustStore::new();
        trust
            .add_bytes(&std::fs::read(fixture("pki", "root.pem")).unwrap())
            .unwrap();
        Options {
            trust,
            at: ValidationTime::Given(time::macros::datetime!(2021-06-01 00:00 UTC)),
            now: time::macros::datetime!(2026-01-01 00:00 UTC),
            keep_content: false,
            revocation: RevocationPolicy::IfAvailable,
        }
    }

    fn empty(display: &str) -> FileReport {
        FileReport {
            path: display.to_owned(),
            sha256: None,
            format: None,
            error: None,
            signatures: Vec::new(),
            timestamps: Vec::new(),
        }
    }

    fn verdicts(r: &FileReport) -> Vec<String> {
        r.signatures
            .iter()
            .map(|s| format!("{:?}/{:?}/{:?}", s.indication, s.subindication, s.checks))
            .collect()
    }

    #[test]
    fn streamed_file_report_equals_whole_file_report() {
        for (dir, name) in [
            ("pki", "chain-ok.p7m"),
            ("pki", "sha1.p7m"),
            ("cades", "ber.p7m"),
            ("cades", "tampered.p7m"),
            ("cades", "countersigned.p7m"),
        ] {
            let input = FileInput {
                display: name.to_owned(),
                path: fixture(dir, name),
                content: None,
            };
            let opts = options();
            let streamed = validate_from(&input, &empty(name), &opts, 0)
                .unwrap_or_else(|| panic!("{name} not streamed"))
                .report;
            let bytes = std::fs::read(&input.path).unwrap();
            let whole = crate::validate_bytes(empty(name), &bytes, None, &opts).report;
            assert_eq!(streamed.sha256, whole.sha256, "{name}");
            assert_eq!(verdicts(&streamed), verdicts(&whole), "{name}");
        }
    }

    fn timestamp_verdicts(r: &FileReport) -> Vec<String> {
        r.timestamps
            .iter()
            .map(|t| {
                format!(
                    "{}/{:?}/{:?}/{:?}",
                    t.kind, t.indication, t.covers, t.checks
                )
            })
            .collect()
    }

    fn archive_options() -> Options {
        let mut trust = TrustStore::new();
        trust
            .add_bytes(&std::fs::read(fixture("archive", "ca.pem")).unwrap())
            .unwrap();
        Options {
            trust,
            at: ValidationTime::Given(time::macros::datetime!(2026-01-01 00:00 UTC)),
            now: time::macros::datetime!(2026-11-27 00:00 UTC),
            keep_content: false,
            revocation: RevocationPolicy::IfAvailable,
        }
    }

    #[test]
    fn streamed_archive_timestamps_equal_whole_file() {
        let opts = archive_options();
        for name in [
            "chain-atsv1.p7m",
            "chain-atsv2.p7m",
            "chain-atsv3.p7m",
            "chain-two-archives.p7m",
            "chain-atsv3-certs-changed.p7m",
        ] {
            let input = FileInput {
                display: name.to_owned(),
                path: fixture("archive", name),
                content: None,
            };
            let streamed = validate_from(&input, &empty(name), &opts, 0)
                .unwrap_or_else(|| panic!("{name} not streamed"))
                .report;
            let bytes = std::fs::read(&input.path).unwrap();
            let whole = crate::validate_bytes(empty(name), &bytes, None, &opts).report;
            assert_eq!(verdicts(&streamed), verdicts(&whole), "{name}");
            assert_eq!(
                timestamp_verdicts(&streamed),
                timestamp_verdicts(&whole),
                "{name}"
            );
        }
    }

    #[test]
    fn streamed_archive_timestamp_wrong_imprint_read_whole() {
        let name = "chain-atsv2-wrong-imprint.p7m";
        let input = FileInput {
            display: name.to_owned(),
            path: fixture("archive", name),
            content: None,
        };
        assert!(validate_from(&input, &empty(name), &archive_options(), 0).is_none());
    }

    /// A 17 MiB envelope (above [`STREAM_THRESHOLD`]) with an ATSv2 and an ATSv3: streamed
    /// in one pass with every imprint matched, and the same report as the whole-file path.
    #[test]
    fn large_envelope_archive_imprints_streamed_equal_whole_file() {
        use std::io::Read;
        let gz = std::fs::read(fixture("archive", "large-atsv2-atsv3.p7m.gz")).unwrap();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut bytes)
            .unwrap();
        assert!(bytes.len() as u64 > STREAM_THRESHOLD);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.p7m");
        std::fs::write(&path, &bytes).unwrap();
        let input = FileInput {
            display: "large.p7m".to_owned(),
            path,
            content: None,
        };
        let opts = archive_options();
        let streamed = validate_large(&input, &empty("large.p7m"), &opts)
            .expect("streamed")
            .report;
        let whole = crate::validate_bytes(empty("large.p7m"), &bytes, None, &opts).report;
        assert_eq!(verdicts(&streamed), verdicts(&whole));
        assert_eq!(timestamp_verdicts(&streamed), timestamp_verdicts(&whole));
        assert_eq!(streamed.sha256, whole.sha256);
        let kinds: Vec<String> = streamed
            .timestamps
            .iter()
            .map(|t| format!("{}:{:?}", t.kind, t.indication))
            .collect();
        assert_eq!(
            kinds,
            [
                "signature:TotalPassed",
                "archive:TotalPassed",
                "archive:TotalPassed"
            ]
        );
        assert_eq!(
            streamed.signatures[0].validation_time.basis,
            crate::report::TimeBasis::Timestamp
        );
    }

    #[test]
    fn streaming_declines_extraction_and_unstreamable_shapes() {
        let mut opts = options();
        let input = |dir: &str, name: &str| FileInput {
            display: name.to_owned(),
            path: fixture(dir, name),
            content: None,
        };
        for (dir, name) in [
            ("cades", "base64.p7m"),
            ("cades", "nested.pdf.p7m.p7m"),
            ("cades", "no-signed-attributes.p7m"),
        ] {
            assert!(
                validate_from(&input(dir, name), &empty(name), &opts, 0).is_none(),
                "{name}"
            );
        }
        opts.keep_content = true;
        let name = "chain-ok.p7m";
        assert!(validate_from(&input("pki", name), &empty(name), &opts, 0).is_none());
    }
}
