//! `rehearse deck import GUIDE`: a prep guide (text, Markdown or saved HTML) becomes a deck in the data
//! dir's `decks/`, listed by `rehearse questions` and the window at once. The reading is
//! `bank::import`; this module only reads the file, prints and saves.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::bank::{self, import};
use crate::paths;

#[derive(Args)]
pub(super) struct DeckArgs {
    #[command(subcommand)]
    command: DeckCommand,
}

#[derive(Subcommand)]
enum DeckCommand {
    /// Import a prep guide as a deck: "Q1." … questions with difficulty, hint, example, common mistakes
    /// and follow-up; content points are derived from each hint. Written to <data>/decks/<id>.toml;
    /// importing the same guide again replaces that deck and keeps the history of unchanged questions.
    Import(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The guide: plain text (.txt), Markdown (.md) or a saved HTML page (.html); UTF-8, LF or CRLF.
    guide: PathBuf,
    /// Deck id (lowercase letters, digits, dashes); default: from the guide's topic.
    #[arg(long)]
    id: Option<String>,
    /// Print the deck as JSON: {id, title, questions: [{id, difficulty, prompt, hint, example, mistakes,
    /// follow_up, content_points}], warnings}.
    #[arg(long)]
    json: bool,
    /// Read and report only; write nothing.
    #[arg(long)]
    dry_run: bool,
}

impl DeckArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        match self.command {
            DeckCommand::Import(args) => args.run(),
        }
    }
}

impl ImportArgs {
    fn run(self) -> anyhow::Result<()> {
        let bytes = std::fs::read(&self.guide).with_context(|| format!("cannot read {}", self.guide.display()))?;
        let opts = import::ImportOptions {
            id: self.id.clone(),
            file_name: self.guide.file_name().map(|n| n.to_string_lossy().into_owned()),
            format: None,
        };
        let imported =
            import::import_guide(&bytes, &opts).with_context(|| format!("cannot import {}", self.guide.display()))?;
        let mut warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
        let deck = &imported.deck;
        if bank::Deck::embedded().is_ok_and(|e| e.id == deck.id) {
            warnings.push(format!(
                "deck id '{}' is also the built-in deck's; both are listed (pass --id to name this one apart)",
                deck.id
            ));
        }
        let saved = if self.dry_run {
            None
        } else {
            Some(crate::store::save_user_deck(&paths::data_dir(), deck)?)
        };
        if self.json {
            let questions: Vec<_> = deck
                .questions
                .iter()
                .map(|q| {
                    json!({
                        "id": q.id,
                        "difficulty": q.difficulty,
                        "prompt": q.prompt,
                        "hint": q.hint,
                        "example": (!q.example.is_empty()).then_some(&q.example),
                        "mistakes": q.mistakes.iter().map(|m| &m.mistake).collect::<Vec<_>>(),
                        "follow_up": q.follow_up,
                        "content_points": q.content_points,
                    })
                })
                .collect();
            let out = json!({
                "id": deck.id,
                "title": deck.title,
                "questions": questions,
                "warnings": warnings,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            return Ok(());
        }
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        for q in &deck.questions {
            let points: Vec<&str> = q.content_points.iter().map(|p| p.point.as_str()).collect();
            println!("{:<40} {:<7} {}", q.id, q.difficulty.as_str(), q.prompt);
            println!("{:<40}         points: {}", "", points.join(" | "));
        }
        let mix = bank::Mix::of(&deck.questions);
        match saved {
            Some(path) => println!(
                "imported '{}' ({} questions: {mix}) to {}; rehearse with `rehearse questions` or the window",
                deck.id,
                deck.questions.len(),
                path.display()
            ),
            None => println!(
                "read '{}' ({} questions: {mix}); nothing written (--dry-run)",
                deck.id,
                deck.questions.len()
            ),
        }
        Ok(())
    }
}
