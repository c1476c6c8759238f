//! The checkout's build tools: what makes `assets/` from the rubric's training data. They use the app's
//! library (the rubric, the sentence encoder, the default deck) but are no part of the app, so a release
//! build of `rehearse` never compiles them. `cargo xtask TASK` (an alias in `.cargo/config.toml`);
//! `make train-rubric` runs them in order with the Python steps around them.

use std::path::Path;

mod rubric_corpus_dump;
mod train_rubric;

const TASKS: &str = "train-rubric (fit the rubric's heads: assets/rubric-head.json, and target/rubric-dump/), \
                     rubric-corpus-dump (the corpus's units for the encoder's fine-tuning: target/rubric-dump/)";

fn main() -> anyhow::Result<()> {
    // The checkout: this crate's folder is xtask/ inside it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or_else(|| anyhow::anyhow!("xtask/ has no parent folder"))?;
    match std::env::args().nth(1).as_deref() {
        Some("train-rubric") => train_rubric::run(root),
        Some("rubric-corpus-dump") => rubric_corpus_dump::run(root),
        Some(other) => anyhow::bail!("no task {other:?}; the tasks: {TASKS}"),
        None => anyhow::bail!("which task? {TASKS}"),
    }
}
