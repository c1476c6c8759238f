//! Splits the rubric corpus (`data/rubric-corpus/corpus.jsonl`, built by `data/rubric-corpus/build.py`) and
//! the labelled answer sets of `tests/fixtures/` into the units the runtime judges, and writes them for the
//! encoder's fine-tuning (`scripts/rubric-finetune.py`) to `target/rubric-dump/`:
//!
//! - `corpus.jsonl`: every corpus answer with its split, writer, topic, answer labels (`null` where the writer
//!   and the blind reader disagreed) and units; each unit has its token ids, structural features per cell,
//!   its position and, per cell, a label from the sentences it overlaps (1: a sentence both readers marked,
//!   0: only sentences neither marked, `null`: a sentence only one of them marked).
//! - `dev.jsonl`, `eval.jsonl`, `hard.jsonl`, `deck.jsonl`: the answers of
//!   `tests/fixtures/rubric-{dev,eval,eval-hard,deck-heldout}.toml` (reported, never trained or tuned on).
//!
//! Run by `make train-rubric` (or `cargo xtask rubric-corpus-dump`); needs the embedding model (`make setup`).

use std::io::Write as _;
use std::path::Path;

use rehearse::bank::{Deck, Question};
use rehearse::embed::Embedder;
use rehearse::rubric::Rubric;
use rehearse::rubric::semantic::{Signals, encode};
use rehearse::transcript::Transcript;
use serde_json::{Value, json};

const CELLS: [(&str, &str); 3] = [("restatement", "R"), ("trade-offs", "T"), ("boundaries", "B")];

/// A question outside the deck: the deck's first question with its prompt replaced.
fn own_question(deck: &Deck, prompt: &str) -> anyhow::Result<Question> {
    let mut q = deck
        .questions
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("empty deck"))?;
    q.id = "corpus".into();
    q.prompt = prompt.to_string();
    q.content_points.clear();
    Ok(q)
}

/// The units of one answer, with token ids, features per cell and position (0 = first word, 1 = last).
fn units_json(
    model: &Embedder,
    rubric: &Rubric,
    signals: &Signals,
    q: &Question,
    t: &Transcript,
) -> (Vec<Value>, Vec<(usize, usize)>) {
    let enc = encode(rubric, t, model, Some(&q.prompt));
    let feats: Vec<_> = CELLS
        .iter()
        .map(|(cell, _)| enc.features(signals, rubric, Some(q), t, cell))
        .collect();
    let n = t.words.len().max(1) as f32;
    let units = enc
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            json!({
                "text": u.text, "ids": model.token_ids(&u.text),
                "features": [feats[0][i], feats[1][i], feats[2][i]],
                "position": u.first_word as f32 / n,
            })
        })
        .collect();
    let ranges = enc.units.iter().map(|u| (u.first_word, u.last_word)).collect();
    (units, ranges)
}

/// `cargo xtask rubric-corpus-dump`: `root` is the checkout.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let dir = std::env::var_os("REHEARSE_RUBRIC_DUMP").map_or_else(|| root.join("target/rubric-dump"), Into::into);
    std::fs::create_dir_all(&dir)?;
    let (deck, rubric) = (Deck::embedded()?, Rubric::embedded()?);
    let signals = Signals::new(&rubric);
    let model = Embedder::load_default()?;
    let started = std::time::Instant::now();

    let corpus = std::env::var_os("REHEARSE_RUBRIC_CORPUS")
        .map_or_else(|| root.join("data/rubric-corpus/corpus.jsonl"), Into::into);
    let src = std::fs::read_to_string(&corpus)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("corpus.jsonl"))?);
    let mut count = 0;
    for line in src.lines().filter(|l| !l.trim().is_empty()) {
        let a: Value = serde_json::from_str(line)?;
        let sentences = a["sentences"].as_array().cloned().unwrap_or_default();
        // Word ranges of the writer's sentences in the joined transcript.
        let mut spans = Vec::new();
        let mut at = 0usize;
        let mut texts = Vec::new();
        for s in &sentences {
            let text = s["text"].as_str().unwrap_or("").trim().to_string();
            let n = Transcript::from_plain_text(&text, None).words.len();
            spans.push((at, at + n.saturating_sub(1), n));
            at += n;
            texts.push(text);
        }
        let t = Transcript::from_plain_text(&texts.join(" "), None);
        if t.words.len() != at {
            eprintln!("{}: word count differs ({} vs {at}), skipped", a["id"], t.words.len());
            continue;
        }
        let q = own_question(&deck, a["question"].as_str().unwrap_or(""))?;
        let (mut units, ranges) = units_json(&model, &rubric, &signals, &q, &t);
        for (u, (first, last)) in units.iter_mut().zip(&ranges) {
            let mut labels = Vec::new();
            for (_, key) in CELLS {
                let (mut pos, mut unsure) = (false, false);
                for (s, &(sf, sl, sn)) in sentences.iter().zip(&spans) {
                    let overlap = (*last).min(sl) as i64 - (*first).max(sf) as i64 + 1;
                    if sn == 0 || overlap <= 0 {
                        continue;
                    }
                    // A unit carries a sentence's label when it holds most of it (or 8 of its words).
                    let holds = overlap as usize * 2 >= sn || overlap >= 8;
                    match s[key].as_i64() {
                        Some(1) if holds => pos = true,
                        Some(1) | None => unsure = true,
                        _ => {}
                    }
                }
                labels.push(if pos {
                    json!(1)
                } else if unsure {
                    Value::Null
                } else {
                    json!(0)
                });
            }
            u["labels"] = Value::Array(labels);
        }
        let labels: Vec<Value> = CELLS.iter().map(|(_, k)| a["labels"][k].clone()).collect();
        let line = json!({
            "id": a["id"], "split": a["split"], "writer": a["writer"], "topic": a["topic"],
            "traps": a["traps"], "labels": labels, "units": units,
        });
        writeln!(out, "{line}")?;
        count += 1;
        if count % 200 == 0 {
            eprintln!("{count} answers ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    out.flush()?;

    // The older template sentences (assets/rubric-training.txt), one unit each, for `--template-weight`.
    let src = std::fs::read_to_string(root.join("assets/rubric-training.txt"))?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("template.jsonl"))?);
    let mut q = deck.questions.first().cloned();
    for line in src
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            q = match h.strip_prefix("prompt:") {
                Some(p) => Some(own_question(&deck, p.trim())?),
                None => deck.question(h).or(deck.questions.first()).cloned(),
            };
            continue;
        }
        let Some((labels, text)) = line.split_once('|') else {
            continue;
        };
        let Some(q) = &q else { continue };
        let t = Transcript::from_plain_text(text.trim(), None);
        let (mut units, _) = units_json(&model, &rubric, &signals, q, &t);
        if units.len() != 1 {
            continue;
        }
        let l: Vec<u8> = CELLS.iter().map(|(_, k)| u8::from(labels.contains(k))).collect();
        units[0]["labels"] = json!(l);
        writeln!(out, "{}", units[0])?;
    }
    out.flush()?;

    for (name, file) in [
        ("dev", "rubric-dev.toml"),
        ("eval", "rubric-eval.toml"),
        ("hard", "rubric-eval-hard.toml"),
        ("deck", "rubric-deck-heldout.toml"),
    ] {
        let set = rehearse::rubric::eval::LabelSet::load(&root.join("tests/fixtures").join(file))?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.jsonl")))?);
        for a in &set.answer {
            let Some(q) = deck.question(&a.question) else { continue };
            let t = Transcript::from_plain_text(a.text.trim(), None);
            let (units, _) = units_json(&model, &rubric, &signals, q, &t);
            let line = json!({
                "id": a.id, "kind": a.kind, "labels": [a.restatement, a.trade_offs, a.boundaries], "units": units,
            });
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    eprintln!(
        "wrote {count} corpus answers and the labelled sets to {} in {:.0} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
