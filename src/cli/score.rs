//! `rehearse score`: one answer (a WAV, or a transcript) scored against a question and the rubric, with the
//! person's corrections (`rehearse rubric corrections list`) taken into account.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::asr::models;
use crate::report;
use crate::rubric::Rubric;
use crate::transcript::Transcript;

#[derive(Args)]
pub(super) struct ScoreArgs {
    /// Question id (see `rehearse questions`).
    #[arg(long)]
    question: String,
    /// The recorded answer (transcribed first).
    #[arg(required_unless_present = "transcript", conflicts_with = "transcript")]
    wav: Option<PathBuf>,
    /// Score an existing transcript instead: JSON from `rehearse transcribe --json`, or plain text.
    #[arg(long)]
    transcript: Option<PathBuf>,
    /// Also load this deck file.
    #[arg(long)]
    deck: Option<PathBuf>,
    #[arg(long, default_value = models::DEFAULT_MODEL)]
    model: String,
    /// Time-box in seconds (default: the question's, usually 180).
    #[arg(long)]
    seconds: Option<f64>,
    #[arg(long)]
    json: bool,
}

impl ScoreArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let decks = super::load_decks(self.deck.as_deref())?;
        let (_, q) = super::find_question(&decks, &self.question)?;
        let rubric = Rubric::embedded()?;
        let transcript = match (&self.wav, &self.transcript) {
            (Some(wav), _) => super::transcribe::transcribe_file(wav, &self.model, false)?,
            (None, Some(file)) => read_transcript(file)?,
            (None, None) => anyhow::bail!("give an answer WAV or --transcript FILE"),
        };
        let personal = super::rubric::personal_or_warn();
        let scorer = super::scorer();
        let report::Outcome::Scored(report) = report::assess_corrected(
            q,
            &rubric,
            &transcript,
            self.seconds.unwrap_or(q.time_box_s),
            scorer.semantic(),
            report::Corrections {
                own: &[],
                personal: &personal,
            },
        ) else {
            anyhow::bail!("{}; `rehearse devices` lists inputs", report::NO_SPEECH);
        };
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("{}", report.summary());
        }
        Ok(())
    }
}

/// Reads a transcript: JSON as printed by `rehearse transcribe --json`, or plain text (words spread evenly).
fn read_transcript(file: &Path) -> anyhow::Result<Transcript> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a transcript JSON (expected the output of `rehearse transcribe --json`)",
                file.display()
            )
        })
    } else {
        Ok(Transcript::from_plain_text(&text, None))
    }
}
