//! `rehearse attempts`: list your attempts, show one, transcribe it again, or delete it.

use std::path::Path;

use clap::{Args, Subcommand};

use crate::asr::models;
use crate::rubric::Rubric;
use crate::store::{Attempt, Store};
use crate::{bank, report, session};

#[derive(Args)]
pub(super) struct AttemptsArgs {
    #[command(subcommand)]
    command: Option<AttemptsCommand>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum AttemptsCommand {
    /// Transcribe (again) and score an attempt, e.g. after a failure or with another model.
    Transcribe {
        /// Attempt id (a unique prefix is enough).
        id: String,
        #[arg(long, default_value = models::DEFAULT_MODEL)]
        model: String,
        #[arg(long)]
        json: bool,
    },
    /// Show one attempt's report.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete an attempt and its audio.
    Delete { id: String },
}

impl AttemptsArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let store = super::open_store()?;
        match self.command {
            None => list(&store, self.json),
            Some(AttemptsCommand::Transcribe { id, model, json }) => {
                let path = models::resolve(&model).map_err(anyhow::Error::msg)?;
                let decks = super::load_decks(None)?;
                let id = store.resolve(&id)?;
                let attempt = transcribe_attempt(&store, &decks, &id, &path)?;
                print_attempt(&store, &attempt, json)
            }
            Some(AttemptsCommand::Show { id, json }) => {
                let attempt = store.get(&id)?;
                print_attempt(&store, &attempt, json)
            }
            Some(AttemptsCommand::Delete { id }) => {
                let id = store.resolve(&id)?;
                // Through the lifecycle, which refuses an attempt still being recorded.
                session::delete(&store, &id)?;
                println!("deleted attempt {id}");
                Ok(())
            }
        }
    }
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    // Damaged folders (unreadable or newer attempt.json) are listed, never rewritten.
    let crate::store::Listing {
        attempts: list,
        damaged,
    } = store.listing()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        for d in &damaged {
            eprintln!("damaged attempt {d}");
        }
    } else if list.is_empty() && damaged.is_empty() {
        println!("no attempts yet; record one with `rehearse record --question ID` or in the app");
    } else {
        for d in &damaged {
            println!("{:<40} damaged: {}", d.id, d.reason);
        }
        for a in list {
            let date = a
                .started_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let coverage = session::stored_report(&a).map(|r| format!("{:>4.0}%", report::coverage(&r) * 100.0));
            println!(
                "{:<40} {:<32} {:<25} {:>6.1} s  {:<11} {}",
                a.id,
                a.question_id,
                date,
                a.duration_s,
                a.status.as_str(),
                coverage.unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// Transcribes and scores a stored attempt. On failure the error is saved on the attempt (audio kept).
pub(super) fn transcribe_attempt(
    store: &Store,
    decks: &[bank::Deck],
    id: &str,
    model_path: &Path,
) -> anyhow::Result<Attempt> {
    let wav = session::audio_to_transcribe(store, id)?;
    let model_name = models::name_of(model_path);
    let transcript = match super::transcribe::transcribe_file(&wav, &model_path.display().to_string(), false) {
        Ok(t) => t,
        Err(e) => {
            session::transcription_failed(store, id, &format!("{e:#}"))?;
            return Err(e.context(format!(
                "the audio is kept; retry with `rehearse attempts transcribe {id}`"
            )));
        }
    };
    save_transcript(store, decks, id, &model_name, transcript)
}

/// Saves a transcript made with `model_name` on attempt `id` and scores it against its question.
pub(super) fn save_transcript(
    store: &Store,
    decks: &[bank::Deck],
    id: &str,
    model_name: &str,
    transcript: crate::transcript::Transcript,
) -> anyhow::Result<Attempt> {
    save_transcript_with(store, decks, id, model_name, transcript, &super::scorer())
}

/// [`save_transcript`] with a scorer already loaded.
pub(super) fn save_transcript_with(
    store: &Store,
    decks: &[bank::Deck],
    id: &str,
    model_name: &str,
    transcript: crate::transcript::Transcript,
    scorer: &crate::embed::Scorer,
) -> anyhow::Result<Attempt> {
    let attempt = store.get(id)?;
    let question = session::question_for(decks, &attempt).cloned();
    let (attempt, _) = session::transcribed(
        store,
        id,
        transcript,
        model_name,
        question.as_ref(),
        &Rubric::embedded()?,
        scorer.semantic(),
    )?;
    Ok(attempt)
}

/// Prints an attempt: its report (or transcript) and where it is saved, or the whole record as JSON.
pub(super) fn print_attempt(store: &Store, attempt: &Attempt, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(attempt)?);
        return Ok(());
    }
    if let Some(report) = session::stored_report(attempt) {
        println!("{}\n", report.summary());
    } else if attempt.status == crate::store::Status::NoSpeech {
        println!(
            "{}; choose an input with --device (`rehearse devices` lists them)\n",
            crate::report::NO_SPEECH
        );
    } else if let Some(t) = &attempt.transcript {
        println!("{}\n", t.text);
    }
    println!("attempt {} ({})", attempt.id, attempt.status.as_str());
    println!("saved in {}", store.attempt_dir(&attempt.id).display());
    Ok(())
}
