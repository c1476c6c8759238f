//! Scores a 3-minute (~450-word) answer many times and prints the mean and median time per `score` call.
//! Budget: under 5 ms per call with phrases. Then, when the embedding model is installed, the semantic
//! rubric: model load time and added resident memory (targets 1 s, 150 MB), and the hybrid `score_with`
//! (target 300 ms). Run with `cargo bench --bench score`.

use std::time::{Duration, Instant};

use rehearse::{bank, report, rubric, transcript};

/// A realistic 3-minute answer to pm-01 (~460 words), shared with the main crate's benches.
const ANSWER: &str = include_str!("answer-3min.txt");

fn main() {
    let deck = match bank::Deck::embedded() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("embedded deck: {e}");
            std::process::exit(1);
        }
    };
    let rubric = match rubric::Rubric::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("embedded rubric: {e}");
            std::process::exit(1);
        }
    };
    let Some(question) = deck.question("pm-01-success-metrics") else {
        eprintln!("question pm-01-success-metrics missing");
        std::process::exit(1);
    };
    // Spread the words over a full 180 s time box, as Whisper would time them.
    let t = transcript::Transcript::from_plain_text(ANSWER.trim(), Some(180.0));

    for _ in 0..20 {
        std::hint::black_box(report::score(question, &rubric, &t, 180.0));
    }
    let iterations = 500;
    let mut samples: Vec<Duration> = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let r = report::score(question, &rubric, std::hint::black_box(&t), 180.0);
        samples.push(start.elapsed());
        std::hint::black_box(r);
    }
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>() / iterations as u32;
    let median = samples[iterations / 2];
    let p99 = samples[iterations * 99 / 100];
    println!(
        "score: {} words, {iterations} iterations: mean {:.3} ms, median {:.3} ms, p99 {:.3} ms (budget 5 ms)",
        t.words.len(),
        mean.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    if median > Duration::from_millis(5) {
        eprintln!("over budget");
        std::process::exit(1);
    }
    semantic(question, &rubric, &t);
}

/// Resident memory of this process in MB (Linux), for the model's added footprint.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn semantic(question: &rehearse::bank::Question, rubric: &rubric::Rubric, t: &transcript::Transcript) {
    let before = rss_mb();
    let start = Instant::now();
    let model = match rehearse::embed::Embedder::load_default() {
        Ok(m) => m,
        Err(e) => {
            println!("semantic: skipped ({e}); {}", rehearse::embed::HOW_TO_INSTALL);
            return;
        }
    };
    let load = start.elapsed();
    let added = rss_mb() - before;
    let head = match rubric::semantic::Head::embedded() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("head: {e}");
            std::process::exit(1);
        }
    };
    let sem = report::Semantic {
        head: &head,
        encoder: &model,
    };
    let units = rubric::semantic::units(rubric, t).len();
    let iterations = 5;
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        // Every sentence encoded afresh, as for an answer scored once at Stop without prescoring.
        model.clear_cache();
        let start = Instant::now();
        std::hint::black_box(report::score_with(question, rubric, t, 180.0, Some(sem)));
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    let median = samples[iterations / 2];
    println!(
        "semantic: model load {:.0} ms (target 1000), added RSS {added:.0} MB (target 150), rubric's tuned layers {}; hybrid score of {} words in {units} units, nothing cached: median {:.0} ms, min {:.0} ms (target 300)",
        load.as_secs_f64() * 1e3,
        if model.has_tuned() { "loaded" } else { "missing" },
        t.words.len(),
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3
    );
}
