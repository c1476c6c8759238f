//! `rehearse export` through the real binary: attempts and a panel made through the attempt lifecycle in a
//! private data dir, exported as HTML (parsed), Markdown and CSV (read back with the `csv` crate).

use std::path::Path;
use std::process::Command;

use rehearse::bank::Deck;
use rehearse::panel;
use rehearse::rubric::Rubric;
use rehearse::session::{self, Ending, TimeBox};
use rehearse::store::{AnswerKind, Store};
use rehearse::transcript::Transcript;

const ANSWER: &str = "So the question is how we know the pipeline is healthy. The trade-off is latency versus cost, \
                      because fresher data costs more. It breaks when events arrive late, so we add a watermark.";

fn rehearse(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
    cmd.env("REHEARSE_DATA_DIR", data);
    cmd
}

fn write_wav(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    for i in 0..(seconds * 16_000.0) as usize {
        w.write_sample(((i as f64 * 0.05).sin() * 3000.0) as i16)
            .expect("sample");
    }
    w.finalize().expect("finalize");
}

/// One answer through the lifecycle: begin (in a panel or not), record, stop, transcribe and score.
fn answer(store: &Store, deck: &Deck, qid: &str, text: &str, slot: Option<rehearse::store::PanelSlot>) -> String {
    let q = deck.question(qid).expect("question");
    let tb = TimeBox::for_question(q, None).expect("time-box");
    let new = match slot {
        Some(s) => session::begin_in_panel(store, q, &deck.id, tb, s),
        None => session::begin(store, q, &deck.id, tb),
    }
    .expect("begin");
    let id = new.attempt.id.clone();
    write_wav(&new.wav_path, 1.0);
    session::stopped(store, &id, 20.0, &Ending::User).expect("stopped");
    let t = Transcript::from_plain_text(text, Some(20.0));
    let rubric = Rubric::embedded().expect("rubric");
    session::transcribed(store, &id, t, "tiny.en", Some(q), &rubric, None).expect("transcribed");
    id
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run rehearse");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn attempts_panels_and_history_export_and_read_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let store = Store::open(&data).expect("store");
    let deck = Deck::embedded().expect("deck");
    let single = answer(&store, &deck, "pm-01-success-metrics", ANSWER, None);
    let pid = "panel-20261125-100000";
    let q_id = answer(
        &store,
        &deck,
        "pm-04-debug-slow",
        ANSWER,
        Some(panel::slot(pid, AnswerKind::Question, 0, 1)),
    );
    let f_id = answer(
        &store,
        &deck,
        "pm-04-debug-slow",
        "We would use Kafka.",
        Some(panel::slot(pid, AnswerKind::FollowUp, 0, 1)),
    );

    // One attempt as HTML, by a unique prefix, to a file.
    let html_path = dir.path().join("out.html");
    run_ok(
        rehearse(&data)
            .args(["export", &single, "--format", "html", "-o"])
            .arg(&html_path),
    );
    let html = std::fs::read_to_string(&html_path).expect("html written");
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).expect("selector");
    assert_eq!(doc.select(&sel("svg rect.bar")).count(), 5, "one bar per rubric cell");
    assert_eq!(doc.select(&sel("script, link, img, [src], [href]")).count(), 0);
    let items: Vec<String> = doc.select(&sel("li")).map(|e| e.text().collect()).collect();
    assert!(
        items
            .iter()
            .any(|i| i.contains("Trade-offs") && i.contains("latency versus cost") && i.contains("0:")),
        "trade-off evidence with its time: {items:?}"
    );
    let title: String = doc.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(title, deck.question("pm-01-success-metrics").expect("q").prompt);

    // The panel as Markdown on stdout: both answers, the means and the worst cell.
    let md = run_ok(rehearse(&data).args(["export", pid, "--format", "md"]));
    assert!(md.starts_with(&format!("# Mock panel {pid}")), "{md}");
    assert!(md.contains(&q_id) && md.contains(&f_id), "{md}");
    assert!(md.contains("Worst cell: "), "{md}");
    assert!(md.contains("complete") && !md.contains("incomplete"), "{md}");

    // The history as CSV, read back: one row per attempt, oldest first.
    let csv_path = dir.path().join("history.csv");
    run_ok(
        rehearse(&data)
            .args(["export", "--history", "--format", "csv", "-o"])
            .arg(&csv_path),
    );
    let mut r = csv::Reader::from_path(&csv_path).expect("csv");
    let head = r.headers().expect("headers").clone();
    let col = |n: &str| {
        head.iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("{n} in {head:?}"))
    };
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
    assert_eq!(rows.len(), 3);
    let ids: Vec<&str> = rows.iter().map(|r| &r[col("attempt_id")]).collect();
    assert_eq!(ids, [single.as_str(), q_id.as_str(), f_id.as_str()]);
    assert_eq!(&rows[2][col("kind")], "follow-up");
    assert_eq!(&rows[2][col("panel_id")], pid);
    assert_eq!(&rows[0][col("difficulty")], "medium");
    let trade: f64 = rows[0][col("cell:trade-offs")].parse().expect("number");
    assert!(trade >= 0.5, "the answer names a trade-off (covered at 0.5): {trade}");
    assert!(rows[0][col("wpm")].parse::<f64>().expect("wpm") > 0.0);
}

#[test]
fn bad_requests_are_one_error_line() {
    let dir = tempfile::tempdir().expect("tmp");
    for (args, needle) in [
        (
            vec!["export", "nothing-here"],
            "no attempt or panel matches \"nothing-here\"",
        ),
        (
            vec!["export", "--history", "--format", "html"],
            "--history is exported as CSV only",
        ),
        (vec!["export", "x", "--format", "csv"], "CSV is for the whole history"),
    ] {
        let out = rehearse(dir.path()).args(&args).output().expect("run");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(needle),
            "{lines:?}"
        );
    }
}
