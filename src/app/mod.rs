//! The desktop window: pick a question, answer it out loud against a visible clock, and review the
//! recording beside its transcript and rubric coverage.
//!
//! Split the way rerun's viewer is: [`App`] holds the state; `logic.rs` is the one place that drains the
//! engines' events and applies [`logic::Command`]s (eframe's `App::logic`); `views/*` only draw and emit
//! commands (eframe's `App::ui`). Audio, transcription and disk work run on named threads (`engines.rs`,
//! `io.rs`, the ASR worker) that wake the UI with `request_repaint`, so a frame never waits on them.

mod engines;
mod io;
mod logic;
mod state;
pub mod theme;
mod views;
pub mod widgets;

use std::path::PathBuf;
use std::sync::Arc;

use crate::asr::models::{self, InstalledModel};
use crate::asr::worker::{AsrCommand, AsrWorker};
use crate::bank::Deck;
use crate::rubric::Rubric;

pub use logic::Command;
pub use state::{Screen, Stage};

use engines::{FileRecorder, MicRecorder, Player, Recorder, Waker};
use io::{IoCommand, IoWorker};
use state::{Entry, ModelState, Prefs, UiState};

/// Input devices as (name, is default), or why there are none.
pub(crate) type DeviceList = Result<Vec<(String, bool)>, String>;

/// eframe storage key for [`Prefs`].
const PREFS_KEY: &str = "rehearse.prefs";

/// Where recordings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureSource {
    /// The real input device.
    Microphone,
    /// Stream this WAV as if it were spoken (UI tests, demos). `realtime`: at speaking pace.
    File { wav: PathBuf, realtime: bool },
}

/// Testing aids: drive the real window without a mouse. Read from environment variables by
/// [`Config::from_env`] and documented in `rehearse --help`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Automation {
    /// `REHEARSE_AUTOSTART_QUESTION`: select this question and press Start once the window is up.
    pub start_question: Option<String>,
    /// `REHEARSE_AUTOSTOP_AFTER_S`: press Stop after this many seconds of recording.
    pub stop_after_s: Option<f64>,
    /// `REHEARSE_AUTO_SELF_SCORE=4,3,3,4`: enter these self-scores in Review and reveal the coverage.
    pub self_scores: Option<[u8; 4]>,
}

/// How the window is put together: where data lives and which engines it uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub capture: CaptureSource,
    /// Model name or path; overrides the saved preference (e.g. tests pin one).
    pub model: Option<String>,
    /// Play to a silent clock instead of the output device.
    pub silent_playback: bool,
    pub automation: Automation,
}

impl Config {
    /// The normal configuration, plus `REHEARSE_FAKE_MIC`/`REHEARSE_MODEL` and the automation variables.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let capture = var("REHEARSE_FAKE_MIC").map_or(CaptureSource::Microphone, |wav| CaptureSource::File {
            wav: PathBuf::from(wav),
            realtime: true,
        });
        let self_scores = var("REHEARSE_AUTO_SELF_SCORE").and_then(|s| {
            let v: Vec<u8> = s.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            <[u8; 4]>::try_from(v).ok()
        });
        Self {
            data_dir: crate::paths::data_dir(),
            capture,
            model: var("REHEARSE_MODEL"),
            silent_playback: false,
            automation: Automation {
                start_question: var("REHEARSE_AUTOSTART_QUESTION"),
                stop_after_s: var("REHEARSE_AUTOSTOP_AFTER_S").and_then(|s| s.parse().ok()),
                self_scores,
            },
        }
    }
}

/// Opens the main window and blocks until it is closed.
pub fn run() -> anyhow::Result<()> {
    let config = Config::from_env();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("rehearse")
            .with_inner_size([1100.0, 760.0])
            .with_min_inner_size([720.0, 520.0]),
        ..Default::default()
    };
    eframe::run_native(
        "rehearse",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, config)?))),
    )
    .map_err(|e| {
        anyhow::anyhow!("cannot open the window: {e}; without a display, use the commands in `rehearse --help`")
    })
}

/// The application: state, engines and the pending commands.
pub struct App {
    pub(crate) prefs: Prefs,
    pub(crate) config: Config,
    pub(crate) decks: Vec<Deck>,
    pub(crate) rubric: Option<Rubric>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) entries_loaded: bool,
    pub(crate) screen: Screen,
    pub(crate) selected: Option<String>,
    pub(crate) stage: Stage,
    pub(crate) model: ModelState,
    pub(crate) installed_models: Vec<InstalledModel>,
    pub(crate) devices: Option<DeviceList>,
    pub(crate) notice: Option<String>,
    /// A model import is running: fraction done.
    pub(crate) import_progress: Option<f32>,
    import_cancel: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) ui_state: UiState,
    pub(crate) commands: Vec<Command>,
    asr: AsrWorker,
    io: IoWorker,
    recorder: Box<dyn Recorder>,
    player: Player,
    devices_rx: crossbeam_channel::Receiver<DeviceList>,
    devices_tx: crossbeam_channel::Sender<DeviceList>,
    waker: Waker,
    next_job: u64,
    automation_started: bool,
    automation_scored: bool,
}

impl App {
    /// Builds the app and starts its engines; the model loads in the background.
    pub fn new(cc: &eframe::CreationContext<'_>, config: Config) -> anyhow::Result<Self> {
        let ctx = cc.egui_ctx.clone();
        let waker: Waker = Arc::new(move || ctx.request_repaint());
        let prefs: Prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, PREFS_KEY))
            .unwrap_or_default();
        cc.egui_ctx.set_theme(if prefs.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let w = Arc::clone(&waker);
        let asr = AsrWorker::spawn(Box::new(move || w()))?;
        let io = IoWorker::spawn(config.data_dir.clone(), Arc::clone(&waker))?;
        let recorder: Box<dyn Recorder> = match &config.capture {
            CaptureSource::Microphone => Box::new(MicRecorder::spawn(Arc::clone(&waker))?),
            CaptureSource::File { wav, realtime } => {
                Box::new(FileRecorder::spawn(wav.clone(), *realtime, Arc::clone(&waker))?)
            }
        };
        let player = Player::spawn(config.silent_playback, Arc::clone(&waker))?;
        let (devices_tx, devices_rx) = crossbeam_channel::unbounded();
        let (rubric, notice) = match Rubric::embedded() {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(format!("the rubric did not load: {e}"))),
        };
        let decks = Deck::embedded().map(|d| vec![d]).unwrap_or_default();
        let mut app = Self {
            prefs,
            config,
            decks,
            rubric,
            entries: Vec::new(),
            entries_loaded: false,
            screen: Screen::Questions,
            selected: None,
            stage: Stage::Idle,
            model: ModelState::Unavailable(String::new()),
            installed_models: Vec::new(),
            devices: None,
            notice,
            import_progress: None,
            import_cancel: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            ui_state: UiState::default(),
            commands: Vec::new(),
            asr,
            io,
            recorder,
            player,
            devices_rx,
            devices_tx,
            waker,
            next_job: 1,
            automation_started: false,
            automation_scored: false,
        };
        app.io.send(IoCommand::LoadAttempts);
        app.io.send(IoCommand::LoadDecks);
        app.io.send(IoCommand::ListModels);
        app.load_model();
        app.refresh_devices();
        Ok(app)
    }

    /// Sends the chosen model to the ASR worker (resolving a name is a few `stat`s).
    fn load_model(&mut self) {
        let name = self.config.model.clone().unwrap_or_else(|| self.prefs.model.clone());
        match models::resolve(&name) {
            Ok(path) => {
                self.model = ModelState::Loading(name);
                self.asr.send(AsrCommand::LoadModel(path));
            }
            Err(e) => self.model = ModelState::Unavailable(e),
        }
    }

    /// Lists input devices on a short-lived thread (device probing can take a while).
    fn refresh_devices(&mut self) {
        let tx = self.devices_tx.clone();
        let waker = Arc::clone(&self.waker);
        let lister = self.device_lister();
        let spawned = std::thread::Builder::new()
            .name("rehearse-devices".into())
            .spawn(move || {
                let _ = tx.send(lister());
                waker();
            });
        if let Err(e) = spawned {
            self.devices = Some(Err(e.to_string()));
        }
    }

    fn device_lister(&self) -> Box<dyn FnOnce() -> DeviceList + Send> {
        match &self.config.capture {
            CaptureSource::Microphone => Box::new(engines::list_input_devices),
            CaptureSource::File { wav, .. } => {
                let name = format!(
                    "file: {}",
                    wav.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().to_string())
                );
                Box::new(move || Ok(vec![(name, true)]))
            }
        }
    }

    /// The session's stage.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The attempt being recorded, transcribed or reviewed.
    pub fn current_attempt_id(&self) -> Option<&str> {
        match &self.stage {
            Stage::Recording(r) => Some(&r.attempt.id),
            Stage::Transcribing(t) => Some(&t.attempt.id),
            Stage::Review(r) => Some(&r.attempt.id),
            Stage::Idle | Stage::Preparing { .. } => None,
        }
    }

    /// The model is loaded and ready.
    pub fn model_ready(&self) -> bool {
        matches!(self.model, ModelState::Ready(_))
    }

    /// The last message shown to the person, if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Number of attempts known.
    pub fn attempt_count(&self) -> usize {
        self.entries.len()
    }

    /// Queues a command as if a view had emitted it (tests, automation).
    pub fn send(&mut self, cmd: Command) {
        self.commands.push(cmd);
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        views::show(self, ui);
        if !self.commands.is_empty() {
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }
}
