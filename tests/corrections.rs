//! Corrections by the person, through the real binary and the real embedding model: a correction saved on
//! an attempt (the window's path, `session::correct`) is listed and cleared by `rehearse rubric corrections`,
//! and `rehearse score` decides the same sentence in a new answer the same way — word for word without the
//! model, and said again in slightly different words with it. Also measures where [`MATCH_COSINE`] sits.

mod support;

use rehearse::embed::cosine;
use rehearse::rubric::corrections::MATCH_COSINE;

/// The same sentence as it may come back from Whisper another time, and different sentences making the
/// same kind of point: the first must match, the second must not.
const SAID_AGAIN: &[(&str, &str)] = &[
    (
        "Past about ten thousand events a second the single writer falls behind and the dashboards go stale.",
        "Past about ten thousand events per second, the single writer falls behind and dashboards go stale.",
    ),
    (
        "Where this approach breaks is when events arrive days late.",
        "Um, where this approach breaks is when the events arrive days late.",
    ),
    (
        "We get fresher numbers, but we pay for it in compute.",
        "We get fresher numbers but we pay for that in compute.",
    ),
    (
        "So the real question is how we know the numbers can be trusted.",
        "So the real question is how do we know the numbers can be trusted?",
    ),
    (
        "Once the backlog grows past a day, the hourly batch stops being good enough.",
        "Once the backlog grows past a day the hourly batch stops being good enough, right.",
    ),
];

const DIFFERENT: &[(&str, &str)] = &[
    // One content word changed is another claim (0.76): left to the rubric.
    (
        "Past about ten thousand events a second the single writer falls behind and the dashboards go stale.",
        "Past about ten thousand events a second the single database falls behind and the dashboards go stale.",
    ),
    (
        "Past about ten thousand events a second the single writer falls behind and the dashboards go stale.",
        "Where this approach breaks is when events arrive days late.",
    ),
    (
        "Past about ten thousand events a second the single writer falls behind and the dashboards go stale.",
        "The single writer keeps the dashboards fresh at ten thousand events a second.",
    ),
    (
        "We get fresher numbers, but we pay for it in compute.",
        "Batch is cheaper, but the numbers are a day old.",
    ),
    (
        "Trade-offs, there are always trade-offs.",
        "The trade-off is latency versus cost.",
    ),
    (
        "So the real question is how we know the numbers can be trusted.",
        "What metrics would you track to know Product Metrics is working well?",
    ),
];

#[test]
fn the_match_threshold_separates_a_sentence_said_again_from_another_one() {
    let m = support::embedder();
    let cos = |a: &str, b: &str| cosine(&m.embed(a), &m.embed(b));
    let again: Vec<f32> = SAID_AGAIN.iter().map(|(a, b)| cos(a, b)).collect();
    let different: Vec<f32> = DIFFERENT.iter().map(|(a, b)| cos(a, b)).collect();
    eprintln!("said again: {again:.3?}\ndifferent:  {different:.3?}");
    for ((a, b), c) in SAID_AGAIN.iter().zip(&again) {
        assert!(*c >= MATCH_COSINE, "{c:.3}: {a:?} / {b:?} should match");
    }
    for ((a, b), c) in DIFFERENT.iter().zip(&different) {
        assert!(*c < MATCH_COSINE, "{c:.3}: {a:?} / {b:?} should not match");
    }
}

use std::path::Path;
use std::process::{Command, Output, Stdio};

use rehearse::bank::Deck;
use rehearse::rubric::Rubric;
use rehearse::rubric::corrections::{Correction, Verdict};
use rehearse::session::{self, Ending, TimeBox};
use rehearse::store::Store;
use rehearse::transcript::Transcript;

const QUESTION: &str = "pm-01-success-metrics";
/// A boundary in the person's own words, which the rubric misses.
const BOUNDARY: &str =
    "Past about ten thousand events a second the single writer falls behind and the dashboards go stale.";
/// Keyword stuffing, which the phrase matcher takes for a trade-off.
const STUFFING: &str = "Trade-offs, there are always trade-offs.";
const OPENING: &str = "So you want to know which numbers tell us the product metrics pipeline is healthy. I would \
                       track freshness, error rate and cost per run.";

fn rehearse(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data);
    cmd
}

/// Without the embedding model: a path that does not exist (scoring falls back to phrases and says so).
fn phrases_only(cmd: &mut Command) -> &mut Command {
    cmd.env("REHEARSE_EMBED_MODEL", "/nonexistent/embedding-model")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `rehearse score --json` on a plain-text answer; returns the report's cells by id.
fn score(cmd: &mut Command, dir: &Path, answer: &str) -> serde_json::Value {
    let file = dir.join("answer.txt");
    std::fs::write(&file, answer).expect("write answer");
    let out = ok(cmd
        .args(["score", "--question", QUESTION, "--json", "--transcript"])
        .arg(&file)
        .output()
        .expect("run score"));
    let report: serde_json::Value = serde_json::from_str(&out).expect("report JSON");
    let mut cells = serde_json::Map::new();
    for c in report["rubric"].as_array().expect("rubric") {
        cells.insert(c["cell"].as_str().expect("id").to_owned(), c.clone());
    }
    serde_json::Value::Object(cells)
}

fn quotes(cell: &serde_json::Value) -> Vec<String> {
    cell["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| {
            format!(
                "{} | {}",
                e["text"].as_str().unwrap_or(""),
                e["why"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// An answer recorded, transcribed and scored through the lifecycle, then corrected the way Review does it
/// (`session::correct`), without the model (`semantic`: None).
fn corrected_attempt(data: &Path, text: &str, fixes: &[(&str, Verdict, &str)]) -> String {
    let store = Store::open(data).expect("store");
    let deck = Deck::embedded().expect("deck");
    let q = deck.question(QUESTION).expect("question");
    let new = session::begin(&store, q, &deck.id, TimeBox::for_question(q, None).expect("time-box")).expect("begin");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&new.wav_path, spec).expect("wav");
    for _ in 0..16_000 {
        w.write_sample(0_i16).expect("sample");
    }
    w.finalize().expect("finalize");
    let id = new.attempt.id.clone();
    session::stopped(&store, &id, 20.0, &Ending::User).expect("stopped");
    let rubric = Rubric::embedded().expect("rubric");
    let t = Transcript::from_plain_text(text, Some(20.0));
    session::transcribed(&store, &id, t, "tiny.en", Some(q), &rubric, None).expect("transcribed");
    for (cell, verdict, sentence) in fixes {
        let (attempt, report) = session::correct(
            &store,
            &id,
            Correction {
                cell: (*cell).into(),
                verdict: *verdict,
                sentence: (*sentence).into(),
                start_s: 0.0,
                end_s: 1.0,
            },
            Some(q),
            &rubric,
            None,
        )
        .expect("correct");
        assert!(attempt.corrections.iter().any(|c| c.sentence == *sentence));
        let report = report.expect("scored again");
        let c = report.rubric.iter().find(|c| c.cell == *cell).expect("cell");
        assert_eq!(
            c.covered,
            *verdict == Verdict::Counts,
            "{cell} on the corrected attempt: {c:?}"
        );
    }
    id
}

#[test]
fn score_uses_saved_corrections_word_for_word_without_the_model_and_clear_forgets_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let answer = format!("{OPENING} {STUFFING} {BOUNDARY}");

    // Before any correction: the stuffing counts as a trade-off and the boundary is missed (phrases only).
    let before = score(phrases_only(&mut rehearse(&data)), tmp.path(), &answer);
    assert_eq!(
        before["trade-offs"]["covered"],
        true,
        "{:?}",
        quotes(&before["trade-offs"])
    );
    assert_eq!(before["boundaries"]["covered"], false);
    let listed = ok(rehearse(&data)
        .args(["rubric", "corrections", "list"])
        .output()
        .expect("run"));
    assert!(listed.contains("no corrections yet"), "{listed}");

    let id = corrected_attempt(
        &data,
        &answer,
        &[
            ("boundaries", Verdict::Counts, BOUNDARY),
            ("trade-offs", Verdict::DoesNotCount, STUFFING),
        ],
    );

    // The same sentences in a new answer are decided the person's way.
    let after = score(phrases_only(&mut rehearse(&data)), tmp.path(), &answer);
    assert_eq!(after["boundaries"]["covered"], true);
    let b = quotes(&after["boundaries"]);
    assert!(
        b.iter()
            .any(|q| q.starts_with(BOUNDARY) && q.contains("your correction")),
        "{b:?}"
    );
    assert_eq!(
        after["trade-offs"]["covered"],
        false,
        "{:?}",
        quotes(&after["trade-offs"])
    );
    assert!(quotes(&after["trade-offs"]).iter().all(|q| !q.contains("always")));
    // Other cells are as before.
    assert_eq!(after["restatement"], before["restatement"]);

    let listed = ok(rehearse(&data)
        .args(["rubric", "corrections", "list"])
        .output()
        .expect("run"));
    assert!(
        listed.contains("boundaries") && listed.contains("counts") && listed.contains(BOUNDARY),
        "{listed}"
    );
    assert!(listed.contains("doesn't count") && listed.contains(&id), "{listed}");
    let json: serde_json::Value = serde_json::from_str(&ok(rehearse(&data)
        .args(["rubric", "corrections", "list", "--json"])
        .output()
        .expect("run")))
    .expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(2), "{json}");
    assert_eq!(json[0]["cell"], "boundaries");
    assert_eq!(json[1]["verdict"], "does-not-count");
    assert_eq!(json[1]["attempt_id"], id.as_str());

    // Clearing asks first; with no terminal to ask on, it needs --yes.
    let out = rehearse(&data)
        .args(["rubric", "corrections", "clear"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--yes") && err.lines().count() == 1, "{err}");
    let cleared = ok(rehearse(&data)
        .args(["rubric", "corrections", "clear", "--yes"])
        .output()
        .expect("run"));
    assert!(cleared.contains("cleared 2"), "{cleared}");
    assert_eq!(score(phrases_only(&mut rehearse(&data)), tmp.path(), &answer), before);
    // The corrected attempt keeps its own corrections.
    let shown = ok(rehearse(&data)
        .args(["attempts", "show", &id, "--json"])
        .output()
        .expect("run"));
    let attempt: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(attempt["corrections"].as_array().map(Vec::len), Some(2), "{attempt}");
}

#[test]
fn with_the_model_a_correction_decides_the_sentence_said_again_in_slightly_other_words() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    corrected_attempt(
        &data,
        &format!("{OPENING} {BOUNDARY}"),
        &[("boundaries", Verdict::Counts, BOUNDARY)],
    );
    // Said again another day, as Whisper may write it: not the same words, but the same sentence.
    let again = "Past about ten thousand events per second, the single writer falls behind and dashboards go stale.";
    let new_answer = format!("{OPENING} {again}");
    let with_model = score(&mut rehearse(&data), tmp.path(), &new_answer);
    let b = quotes(&with_model["boundaries"]);
    assert_eq!(with_model["boundaries"]["covered"], true, "{b:?}");
    assert!(
        b.iter()
            .any(|q| q.starts_with(again) && q.contains("which you said counts")),
        "{b:?}"
    );
    // Without the model only the same words match: this one is left to the rubric, which misses it.
    let words_only = score(phrases_only(&mut rehearse(&data)), tmp.path(), &new_answer);
    assert_eq!(words_only["boundaries"]["covered"], false);
    // A different sentence is not decided by the correction (the rubric's own verdict on it is its business).
    let other = format!("{OPENING} The single writer keeps the dashboards fresh at ten thousand events a second.");
    let unrelated = score(&mut rehearse(&data), tmp.path(), &other);
    let u = quotes(&unrelated["boundaries"]);
    assert!(!u.iter().any(|q| q.contains("which you said counts")), "{u:?}");
}
