//! Scores a 3-minute (~450-word) answer many times and prints the mean and median time per `score` call.
//! Budget: under 5 ms per call. Run with `cargo bench --bench score`.

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
}
