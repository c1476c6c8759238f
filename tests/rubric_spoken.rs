//! Labelled answers spoken, transcribed and scored: twelve answers of `tests/fixtures/rubric-eval.toml`
//! (questions pm-01 to pm-12, kinds cycling explicit, paraphrase, trap, spoken, hedged, rambling; chosen by
//! that rule, not by how they score) are read by espeak-ng, transcribed by the real Whisper model through
//! `rehearse transcribe`, and judged by the hybrid rubric with the real embedding model. The balanced
//! accuracy per cell and over the three cells must hold the level measured when the head was trained.
//!
//! Needs espeak-ng, the Whisper model (`REHEARSE_TEST_MODEL`) and the embedding model
//! (`REHEARSE_EMBED_MODEL`); ignored by a plain `cargo test`, run by scripts/test.sh.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::bank::Deck;
use rehearse::embed::Embedder;
use rehearse::rubric::Rubric;
use rehearse::rubric::eval::{LabelSet, evaluate, render};
use rehearse::rubric::semantic::{Head, Mode};
use rehearse::transcript::Transcript;

/// Hybrid balanced accuracy per cell on the twelve spoken answers, as measured with tiny.en when the head
/// was last trained (floors, a little under): restatement 1.00, trade-offs 0.42, boundaries 1.00, mean
/// 0.81. Trade-offs suffer most from transcription: misheard words ("tighter fresh as pushes the cost up")
/// take the contrast out of the sentence that carried it, and it then misses 5 of 6.
const CELL_FLOORS: [(&str, f64); 3] = [("restatement", 0.85), ("trade-offs", 0.40), ("boundaries", 0.85)];
// Measured 0.778 (0.875 / 0.583 / 0.875, precision 1.00 in every cell) with the classifier trained on the
// rubric corpus, whose bar is set for precision first: the misses are trade-offs Whisper garbled ("the
// trade-off is not tighter fresh as pushes the cost up").
const MEAN_FLOOR: f64 = 0.77;
const KINDS: [&str; 6] = ["explicit", "paraphrase", "trap", "spoken", "hedged", "rambling"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn speak(text: &str, dir: &Path, name: &str) -> PathBuf {
    let txt = dir.join(format!("{name}.txt"));
    std::fs::write(&txt, text).expect("write text");
    let wav = dir.join(format!("{name}.wav"));
    let ok = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(&wav)
        .arg("-f")
        .arg(&txt)
        .status()
        .expect("espeak-ng (installed by make setup)");
    assert!(ok.success());
    wav
}

fn transcribe(wav: &Path) -> Transcript {
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("transcribe")
        .arg(wav)
        .args(["--json", "--model", &support::model()])
        .output()
        .expect("run rehearse");
    assert!(
        out.status.success(),
        "transcribe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON transcript")
}

#[test]
#[ignore = "needs espeak-ng, the Whisper model and the embedding model; scripts/test.sh runs it"]
fn twelve_spoken_labelled_answers_keep_their_rubric_accuracy() {
    let set = LabelSet::load(&root().join("tests/fixtures/rubric-eval.toml")).expect("labels");
    let mut picked = Vec::new();
    for (i, kind) in KINDS.iter().cycle().take(12).enumerate() {
        let prefix = format!("pm{:02}-", i + 1);
        let a = set
            .answer
            .iter()
            .find(|a| a.id.starts_with(&prefix) && a.kind == *kind)
            .unwrap_or_else(|| panic!("no {kind} answer for {prefix}"));
        picked.push(a.clone());
    }
    for cell in [0, 1, 2] {
        let positives = picked
            .iter()
            .filter(|a| [a.restatement, a.trade_offs, a.boundaries][cell])
            .count();
        assert!((3..=9).contains(&positives), "cell {cell}: {positives} of 12 positive");
    }
    let dir = tempfile::tempdir().expect("tmp");
    for a in &mut picked {
        let t = transcribe(&speak(&a.text, dir.path(), &a.id));
        eprintln!("{}: {}", a.id, t.text.trim());
        assert!(!t.words.is_empty(), "{}: nothing transcribed", a.id);
        a.text = t.text.trim().to_string();
        a.points.clear();
    }
    let spoken = LabelSet { answer: picked };
    let path = rehearse::embed::find().expect("embedding model (REHEARSE_EMBED_MODEL or make setup)");
    let embedder = Embedder::load(&path).expect("load embedding model");
    let (deck, rubric, head) = (
        Deck::embedded().expect("deck"),
        Rubric::embedded().expect("rubric"),
        Head::embedded().expect("head"),
    );
    let result = evaluate(&spoken, &deck, &rubric, &head, Some(&embedder)).expect("evaluate");
    eprintln!("{}", render(&result));
    let cells: Vec<f64> = CELL_FLOORS
        .iter()
        .map(|(c, _)| result.counts(c, Mode::Hybrid).expect("hybrid row").balanced_accuracy())
        .collect();
    let mean = cells.iter().sum::<f64>() / cells.len() as f64;
    assert!(
        mean + 1e-9 >= MEAN_FLOOR,
        "mean hybrid balanced accuracy {mean:.3} on spoken answers fell below {MEAN_FLOOR} ({cells:?})"
    );
    for ((c, floor), ba) in CELL_FLOORS.iter().zip(&cells) {
        assert!(ba + 1e-9 >= *floor, "{c}: {ba:.3} on spoken answers fell below {floor}");
    }
}
