//! Where scoring's time goes after Stop: the answer scored as the live coach does while it is recorded (the
//! transcript up to `PRESCORE_S`, default 150 s), then the whole answer as at Stop, timed in parts.
//!
//!     rehearse transcribe ANSWER.wav --json > t.json
//!     cargo run --release --example score_parts -- t.json [QUESTION_ID]

use std::time::Instant;

use rehearse::transcript::Transcript;
use rehearse::{bank, embed, report, rubric};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a transcript JSON");
    let qid = args.next().unwrap_or_else(|| "pm-01-success-metrics".into());
    let full: Transcript = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    let cut: f64 = std::env::var("PRESCORE_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150.0);
    let deck = bank::Deck::embedded().expect("deck");
    let question = deck.question(&qid).expect("question");
    let t = Instant::now();
    let scorer = embed::Scorer::load();
    println!("load scorer {:.3} s", t.elapsed().as_secs_f64());
    let sem = scorer.semantic();
    let mut part = full.clone();
    part.words.retain(|w| w.end_s <= cut);
    part.segments.retain(|s| s.end_s <= cut);
    part.text = part
        .segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    for (name, tr) in [("prescore", &part), ("at Stop", &full), ("again", &full)] {
        let t = Instant::now();
        let rubric = rubric::Rubric::embedded().expect("rubric");
        let t_rubric = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let _ = report::score(question, &rubric, tr, 180.0);
        let t_phrases = t.elapsed().as_secs_f64();
        let t = Instant::now();
        if let Some(s) = sem.as_ref() {
            let _ = rubric::semantic::encode(&rubric, tr, s.encoder, Some(&question.prompt));
        }
        let t_encode = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let _ = report::score_with(question, &rubric, tr, 180.0, sem);
        let t_all = t.elapsed().as_secs_f64();
        println!(
            "{name:<9} {} words: rubric {:.1} ms, phrases {:.1} ms, encode {:.1} ms, score_with (encode again) {:.1} ms",
            tr.words.len(),
            t_rubric * 1e3,
            t_phrases * 1e3,
            t_encode * 1e3,
            t_all * 1e3
        );
    }
}
