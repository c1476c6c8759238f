//! The `rehearse` command line: one module per subcommand, each a clap `Args` struct with its own `run`.
//! With no subcommand the window opens. `main.rs` only parses, runs and prints the one error line, so the
//! commands live in the library where tests can reach them.

mod attempts;
mod devices;
mod model;
mod questions;
mod record;
mod score;
mod transcribe;

use std::path::Path;

use clap::{Parser, Subcommand};

use crate::store::Store;
use crate::{bank, paths};

/// The whole command line.
#[derive(Parser)]
#[command(
    name = "rehearse",
    version,
    about = "Rehearse technical-interview answers out loud: record, transcribe locally with Whisper, see what your answer covered.",
    long_about = "Rehearse technical-interview answers out loud, alone.\n\nWith no subcommand, opens the app window. \
Nothing leaves this machine: audio, transcripts and reports live in the data dir \
(~/.local/share/rehearse, or $REHEARSE_DATA_DIR).",
    after_long_help = "Window settings from the environment:\n  REHEARSE_MODEL=NAME|PATH            use this Whisper model instead of the saved choice\n\nTesting aids (used by tests/gui_e2e.rs; they press the same buttons a person would):\n  REHEARSE_FAKE_MIC=FILE.wav          record by streaming this WAV at speaking pace instead of the microphone\n  REHEARSE_AUTOSTART_QUESTION=ID      select this question and press Start when the window opens\n  REHEARSE_AUTOSTOP_AFTER_S=N         press Stop after N seconds of recording\n  REHEARSE_AUTO_SELF_SCORE=a,b,c,d    in Review, enter these self-scores (1-5) and reveal the coverage"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a WAV file (8–48 kHz, mono or stereo, int or float) and print the transcript.
    Transcribe(transcribe::TranscribeArgs),
    /// List the questions (the built-in Product Metrics deck plus your decks).
    Questions(questions::QuestionsArgs),
    /// Score an answer against the rubric: coverage with evidence, content points, mistakes, delivery.
    Score(score::ScoreArgs),
    /// Record one answer from the microphone and score it. Stops at the time-box, after --seconds, or on
    /// Ctrl-C — the audio is on disk throughout. It is transcribed in chunks, cut at pauses, while you
    /// speak, so the report follows Stop within moments.
    Record(record::RecordArgs),
    /// List input devices with their default configuration.
    Devices(devices::DevicesArgs),
    /// List your attempts (id, question, date, duration, status), or act on one.
    Attempts(attempts::AttemptsArgs),
    /// Manage Whisper models.
    Model(model::ModelArgs),
}

impl Cli {
    /// Runs the chosen subcommand, or the window when there is none.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            None => crate::app::run(),
            Some(Command::Transcribe(args)) => args.run(),
            Some(Command::Questions(args)) => args.run(),
            Some(Command::Score(args)) => args.run(),
            Some(Command::Record(args)) => args.run(),
            Some(Command::Devices(args)) => args.run(),
            Some(Command::Attempts(args)) => args.run(),
            Some(Command::Model(args)) => args.run(),
        }
    }
}

/// Opens the attempt store and repairs attempts a crash left in `recording`.
fn open_store() -> anyhow::Result<Store> {
    let store = Store::open_default()?;
    for id in store.recover()? {
        eprintln!("recovered attempt {id} (left recording by a crash; its audio was kept)");
    }
    Ok(store)
}

/// Loads every deck (built-in, data dir, `--deck`), printing decks that failed as warnings.
fn load_decks(deck: Option<&Path>) -> anyhow::Result<Vec<bank::Deck>> {
    let (mut decks, errors) = bank::load_all(Some(&paths::data_dir()), None);
    for e in errors {
        eprintln!("warning: {e}");
    }
    if let Some(file) = deck {
        // An explicitly named deck must load.
        decks.push(bank::Deck::load_file(file)?);
    }
    Ok(decks)
}

fn find_question(decks: &[bank::Deck], id: &str) -> anyhow::Result<bank::Question> {
    decks
        .iter()
        .find_map(|d| d.question(id))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no question '{id}'; list them with `rehearse questions`"))
}
