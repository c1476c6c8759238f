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
    /// After the table, show for each disagreement the sentences that decided it and their scores.
    #[arg(long)]
    errors: bool,
    /// Measure this head file instead of the compiled-in one (a candidate from `make train-rubric`).
    #[arg(long, value_name = "HEAD_JSON")]
    head: Option<PathBuf>,
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
        let head = match &self.head {
            Some(p) => {
                let src =
                    std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
                crate::rubric::semantic::Head::from_json(&src)?
            }
            None => crate::rubric::semantic::Head::embedded()?,
        };
        print!(
            "{}",
            crate::rubric::eval::run(&self.labels, &deck, &head, encoder, self.errors)?
        );
        Ok(())
    }
}
