//! The limiter against children that misbehave, and text extraction of generated PDFs,
//! hostile ones included, each in a limited child process.
//!
//! The child processes are this test binary itself, re-executed to run only the ignored
//! test `child_role`, which does what the `LAVORO_PREVIEW_TEST_ROLE` variable says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lavoro_agile_preview::{
    pdf_text, run_child, run_limited, ChildLimits, LimitError, PreviewError, CHILD_FLAG,
};

const ROLE: &str = "LAVORO_PREVIEW_TEST_ROLE";

/// Limits of the test children: small, so that the tests are quick.
const LIMITS: ChildLimits = ChildLimits {
    memory_budget: 128 << 20,
    cpu_seconds: 2,
};

/// A command re-running this binary as a child with `role`.
fn child(role: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        "child_role",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ROLE, role);
    cmd
}

#[test]
#[ignore = "runs only as the child process of the other tests"]
fn child_role() {
    let role = std::env::var(ROLE).unwrap_or_default();
    match role.split_once(':').unwrap_or((role.as_str(), "")) {
        ("hello", _) => {
            LIMITS.apply().unwrap();
            println!("ciao dal processo figlio");
        }
        ("alloc", _) => {
            LIMITS.apply().unwrap();
            // 1 GiB, touched: far past the budget.
            let v = vec![1u8; 1 << 30];
            println!("allocated {}", v.iter().map(|&b| u64::from(b)).sum::<u64>());
        }
        ("loop", _) => {
            LIMITS.apply().unwrap();
            let mut x: u64 = 0;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        ("sleep", _) => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        ("pdf", path) if run_child(Path::new(path), &LIMITS) != std::process::ExitCode::SUCCESS => {
            std::process::exit(3);
        }
        _ => {}
    }
}

const WALL: Duration = Duration::from_secs(60);

#[test]
fn limiter_child_within_limits_returns_its_output() {
    let out = run_limited(child("hello"), WALL, 1 << 20).unwrap();
    assert!(String::from_utf8_lossy(&out).contains("ciao dal processo figlio"));
}

#[test]
fn limiter_child_allocating_past_budget_is_stopped_by_memory_limit() {
    let err = run_limited(child("alloc"), WALL, 1 << 20).unwrap_err();
    // Ended by the allocation failure (abort), not by the wall clock.
    assert!(
        matches!(err, LimitError::Failed { .. }),
        "unexpected outcome: {err:?}"
    );
}

#[test]
fn limiter_child_looping_is_stopped_by_cpu_limit() {
    let err = run_limited(child("loop"), WALL, 1 << 20).unwrap_err();
    assert!(
        matches!(
            err,
            LimitError::Failed {
                signal: Some(_),
                ..
            }
        ),
        "unexpected outcome: {err:?}"
    );
}

#[test]
fn limiter_child_sleeping_past_wall_clock_is_killed() {
    let err = run_limited(child("sleep"), Duration::from_millis(500), 1 << 20).unwrap_err();
    assert!(matches!(err, LimitError::TimedOut(_)), "{err:?}");
}

#[test]
fn limiter_child_writing_too_much_is_stopped() {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "yes lavoro-agile"]);
    let err = run_limited(cmd, WALL, 4096).unwrap_err();
    assert!(matches!(err, LimitError::OutputTooLarge(4096)), "{err:?}");
}

/// A PDF with one page whose content stream is `content` (with `filter`, when given), and
/// a correct cross-reference table.
fn pdf_with_page(content: &[u8], filter: Option<&str>, extra_object: Option<&[u8]>) -> Vec<u8> {
    let filter = filter.map(|f| format!(" /Filter /{f}")).unwrap_or_default();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        [
            format!("<< /Length {}{filter} >>\nstream\n", content.len()).as_bytes(),
            content,
            b"\nendstream",
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    if let Some(o) = extra_object {
        objects.push(o.to_vec());
    }
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

const TEXT: &str = "Determinazione n. 42 del 1 marzo 2024";

fn text_pdf() -> Vec<u8> {
    pdf_with_page(
        format!("BT /F1 12 Tf 72 770 Td ({TEXT}) Tj ET").as_bytes(),
        None,
        None,
    )
}

#[test]
fn pdf_text_generated_pdf_has_its_text() {
    let text = pdf_text(&text_pdf()).unwrap();
    assert!(text.contains(TEXT), "{text}");
}

#[test]
fn zero_bomb_inflates_to_zeros() {
    use std::io::Read;
    let bomb = lavoro_agile_preview::testing::zlib_zero_bomb(1000);
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(&bomb[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len(), 1 + 258 * 1000);
    assert!(out.iter().all(|&b| b == 0));
}

#[test]
fn pdf_text_not_a_pdf_is_an_error() {
    assert!(pdf_text(b"not a pdf at all").is_err());
}

/// Runs the preview child on `pdf` bytes, as the app does, with the test limits.
fn preview_in_child(pdf: &[u8]) -> Result<Vec<u8>, LimitError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("documento.pdf");
    std::fs::write(&path, pdf).unwrap();
    run_limited(child(&format!("pdf:{}", path.display())), WALL, 4 << 20)
}

#[test]
fn child_generated_pdf_text_reaches_the_parent() {
    let out = preview_in_child(&text_pdf()).unwrap();
    assert!(String::from_utf8_lossy(&out).contains(TEXT));
}

#[test]
fn child_decompression_bomb_is_stopped_not_hung() {
    // About 1 GiB of zeros behind 7 MB of deflate: past the 128 MiB budget once decoded.
    let bomb = lavoro_agile_preview::testing::zlib_zero_bomb(4_200_000);
    let err = preview_in_child(&pdf_with_page(&bomb, Some("FlateDecode"), None)).unwrap_err();
    assert!(matches!(err, LimitError::Failed { .. }), "{err:?}");
}

#[test]
fn child_deeply_nested_arrays_end_with_an_error() {
    let depth = 200_000;
    let nested = [b"[".repeat(depth), b"]".repeat(depth)].concat();
    let result = preview_in_child(&pdf_with_page(b"BT ET", None, Some(&nested)));
    // Either the reader refuses it, or the child dies (stack overflow), or it copes: never
    // a hang past the wall clock.
    assert!(
        !matches!(result, Err(LimitError::TimedOut(_))),
        "{result:?}"
    );
}

#[test]
fn preview_error_messages_are_in_italian_and_english() {
    let e = PreviewError::TooComplex(LimitError::TimedOut(WALL));
    assert!(e.message(true).contains("troppo complesso"));
    assert!(e.message(false).contains("too complex"));
    assert_eq!(e.code(), "preview_too_complex");
}

#[test]
fn child_main_ignores_ordinary_arguments() {
    let args = ["lavoro-agile", "atto.pdf.p7m"].map(std::ffi::OsString::from);
    assert!(lavoro_agile_preview::child_main(args.into_iter()).is_none());
    let args = ["lavoro-agile", CHILD_FLAG].map(std::ffi::OsString::from);
    assert!(lavoro_agile_preview::child_main(args.into_iter()).is_some());
}
