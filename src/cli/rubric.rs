//! `rehearse rubric corrections list|clear`: the personal exemplars made from corrections in Review
//! (`<data>/rubric/corrections.json`). `score`, `record` and the window use them for every new answer; the
//! attempts keep their own corrections when the list is cleared.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Subcommand};

use crate::paths;
use crate::rubric::corrections::PersonalExemplar;
use crate::store::corrections;

#[derive(Args)]
pub(super) struct RubricArgs {
    #[command(subcommand)]
    command: RubricCommand,
}

#[derive(Subcommand)]
enum RubricCommand {
    /// Your corrections, kept as personal exemplars: a sentence you marked as covering a cell, or evidence
    /// you said doesn't count. A new answer's sentence that is the same (or nearly, with the embedding model)
    /// is decided the same way.
    Corrections {
        #[command(subcommand)]
        command: CorrectionsCommand,
    },
}

#[derive(Subcommand)]
enum CorrectionsCommand {
    /// List them, oldest first.
    List {
        /// Print them as JSON: `[{"cell", "verdict", "text", "attempt_id", "question_id", "created"}]`.
        #[arg(long)]
        json: bool,
    },
    /// Forget them all (the attempts you corrected keep their corrections). Asks first.
    Clear {
        /// Do not ask (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
}

impl RubricArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let RubricCommand::Corrections { command } = self.command;
        let data = paths::data_dir();
        match command {
            CorrectionsCommand::List { json } => {
                let file = corrections::load(&data)?;
                if json {
                    let rows: Vec<serde_json::Value> = file.exemplars.iter().map(row).collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else if file.exemplars.is_empty() {
                    println!(
                        "no corrections yet; in Review, mark a sentence with \u{201c}Counts as\u{2026}\u{201d} or press \
                         \u{201c}Doesn't count\u{201d} on a piece of evidence"
                    );
                } else {
                    for e in &file.exemplars {
                        println!(
                            "{}  {:<13} {:<13} \u{201c}{}\u{201d}  ({})",
                            e.created.date(),
                            e.cell,
                            e.verdict.as_str(),
                            e.text,
                            e.attempt_id
                        );
                    }
                    println!(
                        "{} correction(s) in {}",
                        file.exemplars.len(),
                        corrections::path(&data).display()
                    );
                }
                Ok(())
            }
            CorrectionsCommand::Clear { yes } => {
                if !yes {
                    if !std::io::stdin().is_terminal() {
                        anyhow::bail!("not clearing without confirmation: stdin is not a terminal; pass --yes");
                    }
                    let n = corrections::load(&data).map(|f| f.exemplars.len()).unwrap_or(0);
                    print!("Forget {n} correction(s)? Attempts keep their own. [y/N] ");
                    std::io::stdout().flush()?;
                    let mut answer = String::new();
                    std::io::stdin().lock().read_line(&mut answer)?;
                    if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                        println!("kept");
                        return Ok(());
                    }
                }
                let n = corrections::clear(&data)?;
                println!("cleared {n} correction(s)");
                Ok(())
            }
        }
    }
}

fn row(e: &PersonalExemplar) -> serde_json::Value {
    serde_json::json!({
        "cell": e.cell,
        "verdict": e.verdict,
        "text": e.text,
        "attempt_id": e.attempt_id,
        "question_id": e.question_id,
        "created": e.created.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    })
}

/// The personal exemplars for scoring; a damaged file is reported on stderr and scoring goes on without them.
pub(super) fn personal_or_warn() -> Vec<PersonalExemplar> {
    match corrections::load(&paths::data_dir()) {
        Ok(f) => f.exemplars,
        Err(e) => {
            eprintln!("warning: {e}");
            Vec::new()
        }
    }
}
