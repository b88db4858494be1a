//! Search latency on ten times the default content.
//!
//! The default pages are loaded from `resources/portal/` and copied nine more times under
//! new names, so the index holds 10x today's pages. Before the criterion groups run, each
//! query is timed individually many times and its p99 is printed (the target is
//! p99 <= 5 ms per query). Run with `cargo bench -p lavoro-agile-portal --bench search`.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{black_box, Criterion};
use lavoro_agile_portal::Portal;

/// Copies of the content (the original counts as one).
const FACTOR: usize = 10;
/// Timed runs per query for the percentile report.
const RUNS: usize = 2000;

const QUERIES: &[&str] = &[
    "firma",
    "firmare",
    "perche",
    "lavoro agile",
    "accordo individuale disconnessione",
    "deliberazione giunta parere contabile",
    "phishing",
    "vpn applicativi",
    "legge 81/2017",
    "competenze digitali syllabus autovalutazione",
    // As you type: the last word is a prefix.
    "l",
    "la",
    "sicur",
    "libro firma senza prot",
    "raccomandazioni agid per lo smart working sic",
];

fn content_times(factor: usize) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/portal");
    let mut files = Vec::new();
    collect(&root, "", &mut files);
    let mut out = Vec::new();
    for (path, bytes) in files {
        let is_page = path.ends_with(".md")
            && !path.contains('/')
            && String::from_utf8_lossy(&bytes).contains("\nsection:");
        if is_page {
            for i in 1..factor {
                let stem = path.trim_end_matches(".md");
                out.push((format!("{stem}-copia-{i}.md"), bytes.clone()));
            }
        }
        out.push((path, bytes));
    }
    out
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = e.path();
        if path.is_dir() {
            collect(&path, &rel, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((rel, bytes));
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

fn report_percentiles(portal: &Portal) {
    println!(
        "portal search on {} pages ({} words): per-query latency over {RUNS} runs",
        portal.pages().len(),
        portal.word_count()
    );
    let mut worst = Duration::ZERO;
    for q in QUERIES {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            black_box(portal.search(black_box(q), 10));
            times.push(t.elapsed());
        }
        times.sort_unstable();
        let p50 = percentile(&times, 0.50);
        let p99 = percentile(&times, 0.99);
        worst = worst.max(p99);
        println!("  p50 {:>9.3?}  p99 {:>9.3?}  {q:?}", p50, p99);
    }
    println!("  worst p99 {worst:.3?} (target <= 5 ms)");
}

fn main() {
    let files = content_times(FACTOR);
    let t = Instant::now();
    let portal = match Portal::from_files(files.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot load the content: {e}");
            std::process::exit(1);
        }
    };
    println!("load and index 10x content: {:.1?}", t.elapsed());
    report_percentiles(&portal);

    let mut c = Criterion::default().configure_from_args();
    {
        let mut group = c.benchmark_group("portal_search_10x");
        for q in QUERIES {
            group.bench_function(*q, |b| b.iter(|| portal.search(black_box(q), 10)));
        }
        group.finish();
    }
    {
        let mut group = c.benchmark_group("portal_load_10x");
        group.sample_size(10);
        group.bench_function("from_files", |b| {
            b.iter(|| Portal::from_files(black_box(files.clone())))
        });
        group.finish();
    }
    c.final_summary();
}
