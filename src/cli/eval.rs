//! `rehearse eval LABELS`: how often the rubric agrees with a careful reader on labelled answers —
//! precision, recall and balanced accuracy per cell for phrases only, meaning only and both.

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub(super) struct EvalArgs {
    /// Labels file (format: tests/fixtures/rubric-eval.toml).
    labels: PathBuf,
    /// Measure the phrase matcher only, even when the embedding model is installed.
    #[arg(long)]
    phrases_only: bool,
}

impl EvalArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let deck = crate::bank::Deck::embedded()?;
        let embedder = if self.phrases_only {
            None
        } else {
            crate::embed::load_or_explain()
        };
        let encoder = embedder
            .as_ref()
            .map(|e| e as &dyn crate::rubric::semantic::SentenceEncoder);
        print!("{}", crate::rubric::eval::run(&self.labels, &deck, encoder)?);
        Ok(())
    }
}
