//! The capture engine: records one spoken answer from the microphone to a WAV file, against a
//! time-box, while reporting level and elapsed time to the UI.
//!
//! A named worker thread (`rehearse-capture`) owns the cpal input stream and takes commands
//! (`Start` / `Stop` / `Shutdown`); it answers with [`CaptureEvent`]s. Every `Start` ends in either
//! one [`CaptureEvent::Error`] (nothing was recorded) or a [`CaptureEvent::Started`] handshake
//! followed, eventually, by exactly one [`CaptureEvent::Stopped`] naming the finished file.
//!
//! Data path: the cpal callback downmixes each frame to mono `f32` and pushes it into a lock-free
//! `rtrb` ring (no locks, allocation or I/O there; frames that do not fit are counted as dropped).
//! The worker drains the ring every 10 ms, writes 16-bit mono PCM at the device's native rate and
//! flushes the WAV header every [`FLUSH_INTERVAL`], so the file on disk is always a playable WAV
//! — a crash loses at most that much audio, and [`crate::audio::wav::repair_wav`] (run by the store at
//! start-up) repairs the rest.
//!
//! On Stop (or at the time-box) the stream keeps running until the device has delivered the audio
//! captured up to the stop instant (bounded by [`STOP_GRACE_MAX`]), so the last words are kept.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::audio::clock::Clock;
use crate::audio::level::{Level, LevelMeter};
use crate::audio::wav::{WavError, WavSink, frames_to_duration};

/// Default time-box for one answer.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(180);
/// The WAV header is rewritten at least this often while recording.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(250);
/// Level and elapsed events are sent this often (20 Hz).
pub const METER_INTERVAL: Duration = Duration::from_millis(50);
/// Longest wait, after Stop, for the device to hand over audio captured before the stop instant.
pub const STOP_GRACE_MAX: Duration = Duration::from_millis(750);
/// A device that delivers no audio this long after being opened fails to start.
pub const START_TIMEOUT: Duration = Duration::from_secs(5);
/// A stream that delivers nothing for this long is treated as a lost device.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long dropping the engine waits for the worker to finish before leaving it detached.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(3);
/// Capacity of the callback → worker ring, in seconds of mono audio.
const RING_SECONDS: u32 = 2;
/// How often the worker drains the ring.
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// Name of the worker thread (also what tests look for in `/proc`).
pub const THREAD_NAME: &str = "rehearse-capture";

/// Called after each event is sent, e.g. `move || ctx.request_repaint()`.
pub type Waker = Box<dyn Fn() + Send>;

/// What went wrong, phrased for the person at the microphone.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The system reports no input device at all.
    #[error(
        "no microphone found: connect one (or enable it in the system sound settings) and try \
         again; `rehearse devices` lists the inputs rehearse can see"
    )]
    NoInputDevice,
    /// A device was asked for by name and is not there.
    #[error("no input device named \"{name}\" (available: {available}); pick one from `rehearse devices`")]
    DeviceNotFound {
        /// Name that was asked for.
        name: String,
        /// Names that exist, comma-separated.
        available: String,
    },
    /// The audio system failed while listing or opening devices.
    #[error(
        "the microphone \"{device}\" could not be opened: {message}; check it is connected and \
         not held exclusively by another program, or choose another with `rehearse devices`"
    )]
    Device {
        /// Device concerned ("audio system" when listing).
        device: String,
        /// What cpal reported.
        message: String,
    },
    /// The device's default format is one rehearse cannot read.
    #[error(
        "the microphone \"{device}\" offers {format} samples, which rehearse cannot record; \
         choose another input with `rehearse devices`"
    )]
    UnsupportedFormat {
        /// Device concerned.
        device: String,
        /// Its sample format.
        format: String,
    },
    /// The recording file could not be created.
    #[error(
        "cannot create the recording file {path}: {cause}; check that the folder exists and is \
         writable (or set REHEARSE_DATA_DIR to another folder)"
    )]
    CreateFile {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        cause: std::io::Error,
    },
    /// Writing the recording failed mid-answer (typically: disk full).
    #[error(
        "writing the recording {path} failed: {cause}; free some disk space (or set \
         REHEARSE_DATA_DIR to another disk) — the audio captured up to this point is kept in that file"
    )]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// What hound or the OS said.
        cause: hound::Error,
    },
    /// The device went away mid-answer.
    #[error(
        "the microphone \"{device}\" stopped delivering audio ({message}); reconnect it and record \
         again — the answer so far is saved in {path}"
    )]
    DeviceLost {
        /// Device concerned.
        device: String,
        /// What cpal reported.
        message: String,
        /// File holding the audio captured so far.
        path: PathBuf,
    },
    /// `Start` arrived while a recording was running.
    #[error("a recording is already running (to {path}); stop it first")]
    AlreadyRecording {
        /// File of the running recording.
        path: PathBuf,
    },
    /// A time-box of zero was asked for.
    #[error("the time-box must be longer than zero")]
    ZeroTimeLimit,
    /// The worker thread could not be started.
    #[error("cannot start the capture thread: {0}")]
    Spawn(std::io::Error),
    /// The worker thread has exited (after a panic or Shutdown).
    #[error("the capture thread has stopped; restart rehearse to record again")]
    WorkerGone,
}

impl From<WavError> for CaptureError {
    fn from(e: WavError) -> Self {
        match e {
            WavError::Create { path, cause } => CaptureError::CreateFile { path, cause },
            WavError::Write { path, cause } => CaptureError::WriteFile { path, cause },
        }
    }
}

/// One input device, for `rehearse devices` and the device picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDevice {
    /// Human-readable name; pass it to [`StartRequest::with_device`].
    pub name: String,
    /// Backend id (e.g. the ALSA PCM name), also accepted by [`StartRequest::with_device`].
    pub id: String,
    /// The configuration recording would use, or `None` if the device could not be queried.
    pub default_config: Option<InputConfig>,
    /// Whether this is the system's default input.
    pub is_default: bool,
}

/// A device's default input configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputConfig {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels (recordings are downmixed to mono).
    pub channels: u16,
    /// Sample format the device delivers.
    pub sample_format: SampleFormat,
}

/// Whether a backend device id names something a person records from: the system default, a sound
/// server (`pulse`, `pipewire`) or a sound card (`hw:`, `plughw:`, `sysdefault:`, `front:`, `dsnoop:`).
/// ALSA also lists plugins that are not microphones (`null` "Discard all samples", the rate converters,
/// `jack`, `oss`, `upmix`, `vdownmix`, `speex`…); those are hidden unless asked for (`rehearse devices
/// --all`). Any other host's ids are kept.
pub fn is_microphone(id: &str) -> bool {
    let pcm = id.rsplit_once("alsa:").map_or(id, |(_, p)| p);
    let looks_alsa = pcm != id || !id.contains(' ');
    if !looks_alsa {
        return true;
    }
    let base = pcm.split(':').next().unwrap_or(pcm);
    matches!(
        base,
        "default" | "pulse" | "pipewire" | "hw" | "plughw" | "sysdefault" | "front" | "dsnoop"
    )
}

/// Lists the microphones of the default audio host ([`is_microphone`]), default first.
pub fn list_input_devices() -> Result<Vec<InputDevice>, CaptureError> {
    Ok(list_all_input_devices()?
        .into_iter()
        .filter(|d| d.is_default || is_microphone(&d.id))
        .collect())
}

/// Lists every input device of the default audio host, plugins included, default first.
pub fn list_all_input_devices() -> Result<Vec<InputDevice>, CaptureError> {
    crate::audio::quiet::silence_backend_noise();
    let host = cpal::default_host();
    let default = host.default_input_device();
    let devices = host.input_devices().map_err(|e| CaptureError::Device {
        device: "audio system".to_owned(),
        message: e.to_string(),
    })?;
    let mut out: Vec<InputDevice> = devices
        .map(|d| InputDevice {
            name: device_name(&d),
            id: d.id().map(|id| id.id().to_owned()).unwrap_or_default(),
            default_config: d.default_input_config().ok().map(|c| InputConfig {
                sample_rate: c.sample_rate(),
                channels: c.channels(),
                sample_format: c.sample_format(),
            }),
            is_default: default.as_ref() == Some(&d),
        })
        .collect();
    out.sort_by_key(|d| !d.is_default);
    Ok(out)
}

fn device_name(device: &cpal::Device) -> String {
    device
        .description()
        .map(|d| d.name().to_owned())
        .or_else(|_| device.id().map(|id| id.id().to_owned()))
        .unwrap_or_else(|_| "unnamed device".to_owned())
}

/// What to record and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRequest {
    /// WAV file to create (truncated if it exists).
    pub path: PathBuf,
    /// Device name or id; `None` for the system default input.
    pub device: Option<String>,
    /// Recording stops by itself after this long.
    pub time_limit: Duration,
}

impl StartRequest {
    /// Records from the default input into `path` with the default 3-minute time-box.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            device: None,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }

    /// Uses the input device with this name or id.
    #[must_use]
    pub fn with_device(mut self, device: impl Into<String>) -> Self {
        self.device = Some(device.into());
        self
    }

    /// Uses a different time-box.
    #[must_use]
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = limit;
        self
    }
}

/// Handshake for `Start`: the stream is running and the file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Device being recorded.
    pub device: String,
    /// Device (and file) sample rate.
    pub sample_rate: u32,
    /// Channels the device delivers (the file is mono).
    pub channels: u16,
    /// Sample format the device delivers (the file is 16-bit).
    pub sample_format: SampleFormat,
    /// The WAV being written.
    pub path: PathBuf,
    /// Time-box in force.
    pub time_limit: Duration,
    /// How long the device took, after being opened, to deliver its first audio.
    pub startup: Duration,
}

/// Why a recording ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// `Stop` was sent.
    User,
    /// The time-box ran out.
    TimeLimit,
    /// The engine was shut down (app closing) while recording.
    Shutdown,
    /// The device failed or vanished; the message says what to do.
    DeviceLost(String),
    /// The file could not be written (disk full …); the message says what to do.
    WriteFailed(String),
}

/// A finished recording: the file is finalized and holds `duration` of audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// The WAV file.
    pub path: PathBuf,
    /// Audio in the file.
    pub duration: Duration,
    /// Mono frames in the file.
    pub frames: u64,
    /// File sample rate.
    pub sample_rate: u32,
    /// Frames the callback could not hand over because the ring was full (should be 0).
    pub dropped_frames: u64,
    /// Overruns reported by the device (audio lost before it reached rehearse).
    pub xruns: u64,
    /// Why it ended.
    pub reason: StopReason,
}

/// Messages from the capture worker to the UI.
#[derive(Debug)]
pub enum CaptureEvent {
    /// Recording has begun (answer to `Start`).
    Started(Started),
    /// Level of the last [`METER_INTERVAL`] of audio.
    Level(Level),
    /// Time since Start and time left in the time-box.
    Elapsed {
        /// Time since Start.
        elapsed: Duration,
        /// Time left before the time-box stops the recording.
        remaining: Duration,
    },
    /// Recording has ended and the file is complete.
    Stopped(Stopped),
    /// A command failed; nothing was recorded for it.
    Error(CaptureError),
}

enum Command {
    Start(StartRequest),
    Stop,
    Shutdown,
}

/// Handle to the capture worker thread. Dropping it shuts the worker down (finishing any recording).
pub struct CaptureEngine {
    commands: Sender<Command>,
    events: Receiver<CaptureEvent>,
    worker: Option<JoinHandle<()>>,
    done: Receiver<()>,
}

impl CaptureEngine {
    /// Starts the worker. `clock` drives elapsed time, the time-box and flush cadence; `waker` is
    /// called after every event (e.g. to request a repaint).
    pub fn spawn(clock: Arc<dyn Clock>, waker: Option<Waker>) -> Result<Self, CaptureError> {
        let (cmd_tx, cmd_rx) = crossbeam_channel::unbounded();
        let (ev_tx, ev_rx) = crossbeam_channel::unbounded();
        let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(0);
        let emitter = Emitter::new(ev_tx, waker);
        let worker = std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                let _done = done_tx;
                run_worker(&cmd_rx, &emitter, &clock);
            })
            .map_err(CaptureError::Spawn)?;
        Ok(Self {
            commands: cmd_tx,
            events: ev_rx,
            worker: Some(worker),
            done: done_rx,
        })
    }

    /// Asks the worker to start recording; the answer is `Started` or `Error` on [`Self::events`].
    pub fn start(&self, request: StartRequest) -> Result<(), CaptureError> {
        self.send(Command::Start(request))
    }

    /// Asks the worker to stop; `Stopped` follows once the file is finalized. No-op when idle.
    pub fn stop(&self) -> Result<(), CaptureError> {
        self.send(Command::Stop)
    }

    /// Events from the worker, in order.
    pub fn events(&self) -> &Receiver<CaptureEvent> {
        &self.events
    }

    /// Stops any recording (its `Stopped` event is still sent) and joins the worker.
    pub fn shutdown(mut self) {
        self.shutdown_inner();
    }

    fn shutdown_inner(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(worker) = self.worker.take() {
            // The worker drops `done` when it exits; if a broken backend keeps it stuck, leave it
            // detached rather than hang the app on exit.
            if let Err(RecvTimeoutError::Disconnected) = self.done.recv_timeout(SHUTDOWN_TIMEOUT) {
                let _ = worker.join();
            }
        }
    }

    fn send(&self, command: Command) -> Result<(), CaptureError> {
        self.commands.send(command).map_err(|_| CaptureError::WorkerGone)
    }
}

impl Drop for CaptureEngine {
    fn drop(&mut self) {
        self.shutdown_inner();
    }
}

struct Emitter {
    tx: Sender<CaptureEvent>,
    waker: Option<Waker>,
    /// When the waker last ran for a level or elapsed-time event.
    last_tick_wake: std::cell::Cell<Option<Instant>>,
}

/// Level and elapsed-time events wake the UI at most this often: 5 frames a second keep the meter and the
/// clock alive. Waking on every event (40 a second) made the window draw so often, on a laptop without a
/// GPU, that it took as much CPU as Whisper transcribing while the person speaks.
const TICK_WAKE_INTERVAL: Duration = Duration::from_millis(200);

impl Emitter {
    fn new(tx: Sender<CaptureEvent>, waker: Option<Waker>) -> Self {
        Self {
            tx,
            waker,
            last_tick_wake: std::cell::Cell::new(None),
        }
    }

    fn emit(&self, event: CaptureEvent) {
        let tick = matches!(event, CaptureEvent::Level(_) | CaptureEvent::Elapsed { .. });
        // A gone receiver means the UI has closed; nothing left to tell.
        let _ = self.tx.send(event);
        let Some(waker) = &self.waker else { return };
        if tick {
            let now = Instant::now();
            if self
                .last_tick_wake
                .get()
                .is_some_and(|t| now.duration_since(t) < TICK_WAKE_INTERVAL)
            {
                return;
            }
            self.last_tick_wake.set(Some(now));
        }
        waker();
    }
}

#[derive(PartialEq, Eq)]
enum AfterSession {
    Idle,
    Exit,
}

fn run_worker(commands: &Receiver<Command>, emitter: &Emitter, clock: &Arc<dyn Clock>) {
    loop {
        match commands.recv() {
            Err(_) | Ok(Command::Shutdown) => return,
            Ok(Command::Stop) => {}
            Ok(Command::Start(request)) => match LiveSession::open(&request, Arc::clone(clock)) {
                Err(e) => emitter.emit(CaptureEvent::Error(e)),
                Ok(session) => {
                    emitter.emit(CaptureEvent::Started(session.started.clone()));
                    if session.run(commands, emitter) == AfterSession::Exit {
                        return;
                    }
                }
            },
        }
    }
}

/// Counters shared between the cpal callback and the worker; atomics only.
#[derive(Debug, Default)]
pub(crate) struct CallbackStats {
    dropped: AtomicU64,
    callbacks: AtomicU64,
    /// End of the newest captured buffer on the stream's clock, in ns.
    captured_until_ns: AtomicU64,
}

/// The callback's half of the ring: downmixes interleaved frames to mono and pushes them.
pub(crate) struct MonoProducer {
    ring: rtrb::Producer<f32>,
    channels: usize,
    stats: Arc<CallbackStats>,
}

impl MonoProducer {
    /// Real-time safe: no locks, no allocation, no I/O. A trailing partial frame is ignored.
    pub(crate) fn push<T>(&mut self, data: &[T])
    where
        T: Sample,
        f32: FromSample<T>,
    {
        let channels = self.channels;
        let frames = data.len() / channels;
        let fits = frames.min(self.ring.slots());
        if fits > 0
            && let Ok(chunk) = self.ring.write_chunk_uninit(fits)
        {
            chunk.fill_from_iter(data.chunks_exact(channels).map(downmix));
        }
        if frames > fits {
            self.stats.dropped.fetch_add((frames - fits) as u64, Ordering::Relaxed);
        }
        self.stats.callbacks.fetch_add(1, Ordering::Relaxed);
    }
}

fn downmix<T>(frame: &[T]) -> f32
where
    T: Sample,
    f32: FromSample<T>,
{
    let sum: f32 = frame.iter().map(|&s| f32::from_sample(s)).sum();
    #[allow(clippy::cast_precision_loss)]
    let n = frame.len() as f32;
    sum / n
}

/// Makes the ring for `sample_rate` and returns both halves plus the shared counters.
pub(crate) fn mono_ring(
    sample_rate: u32,
    channels: u16,
    capacity_frames: Option<usize>,
) -> (MonoProducer, rtrb::Consumer<f32>, Arc<CallbackStats>) {
    let capacity = capacity_frames.unwrap_or((sample_rate * RING_SECONDS) as usize);
    let (producer, consumer) = rtrb::RingBuffer::new(capacity);
    let stats = Arc::new(CallbackStats::default());
    let producer = MonoProducer {
        ring: producer,
        channels: usize::from(channels.max(1)),
        stats: stats.clone(),
    };
    (producer, consumer, stats)
}

/// Result of one [`Recorder::pump`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pump {
    Recording,
    TimeUp,
}

/// The worker's half without cpal: drains the ring into the WAV, flushes on cadence, meters,
/// watches the time-box. Unit tests drive it with a fake source and a manual clock.
pub(crate) struct Recorder<W: Write + Seek> {
    ring: rtrb::Consumer<f32>,
    stats: Arc<CallbackStats>,
    sink: WavSink<W>,
    meter: LevelMeter,
    clock: Arc<dyn Clock>,
    started_at: Duration,
    time_limit: Duration,
    limit_frames: u64,
    last_flush: Duration,
    last_meter: Duration,
    xruns: u64,
}

impl<W: Write + Seek> Recorder<W> {
    pub(crate) fn new(
        ring: rtrb::Consumer<f32>,
        stats: Arc<CallbackStats>,
        sink: WavSink<W>,
        clock: Arc<dyn Clock>,
        time_limit: Duration,
    ) -> Self {
        let now = clock.now();
        let rate = u128::from(sink.sample_rate());
        let limit_frames = u64::try_from((time_limit.as_nanos() * rate).div_ceil(1_000_000_000)).unwrap_or(u64::MAX);
        Self {
            ring,
            stats,
            sink,
            meter: LevelMeter::new(),
            clock,
            started_at: now,
            time_limit,
            limit_frames,
            last_flush: now,
            last_meter: now,
            xruns: 0,
        }
    }

    /// Writes everything in the ring (up to the time-box's frame count) to the file.
    pub(crate) fn drain(&mut self) -> Result<(), WavError> {
        let available = self.ring.slots();
        if available == 0 {
            return Ok(());
        }
        let Ok(chunk) = self.ring.read_chunk(available) else {
            return Ok(());
        };
        let (a, b) = chunk.as_slices();
        let mut result = Ok(());
        for part in [a, b] {
            let room = usize::try_from(self.limit_frames.saturating_sub(self.sink.frames())).unwrap_or(usize::MAX);
            let part = &part[..part.len().min(room)];
            self.meter.add(part);
            if let Err(e) = self.sink.write(part) {
                result = Err(e);
                break;
            }
        }
        chunk.commit_all();
        result
    }

    /// Drains, flushes when due, emits level/elapsed when due, and reports whether time is up.
    pub(crate) fn pump(&mut self, emit: &mut dyn FnMut(CaptureEvent)) -> Result<Pump, WavError> {
        self.drain()?;
        let now = self.clock.now();
        if now.saturating_sub(self.last_flush) >= FLUSH_INTERVAL {
            self.sink.flush()?;
            self.last_flush = now;
        }
        let elapsed = now.saturating_sub(self.started_at);
        if now.saturating_sub(self.last_meter) >= METER_INTERVAL {
            self.last_meter = now;
            emit(CaptureEvent::Level(self.meter.take()));
            emit(CaptureEvent::Elapsed {
                elapsed,
                remaining: self.time_limit.saturating_sub(elapsed),
            });
        }
        Ok(if elapsed >= self.time_limit {
            Pump::TimeUp
        } else {
            Pump::Recording
        })
    }

    /// Drains what is left, finalizes the file and describes the result. A write failure turns
    /// the reason into [`StopReason::WriteFailed`]; whatever reached the file stays valid.
    pub(crate) fn finish(mut self, mut reason: StopReason) -> Stopped {
        if let Err(e) = self.drain() {
            reason = StopReason::WriteFailed(CaptureError::from(e).to_string());
        }
        let path = self.sink.path().to_path_buf();
        let sample_rate = self.sink.sample_rate();
        let mut frames = self.sink.frames();
        match self.sink.finalize() {
            Ok(n) => frames = n,
            Err(e) => {
                if !matches!(reason, StopReason::WriteFailed(_)) {
                    reason = StopReason::WriteFailed(CaptureError::from(e).to_string());
                }
                // On a full disk the header on disk is the last flushed one, and the frame count
                // in memory includes samples that never got there: set the header (an in-place
                // rewrite, which needs no free space) to the whole frames that are on disk.
                if let Ok(r) = crate::audio::wav::repair_wav(&path) {
                    frames = r.frames;
                }
            }
        }
        Stopped {
            path,
            duration: frames_to_duration(frames, sample_rate),
            frames,
            sample_rate,
            dropped_frames: self.stats.dropped.load(Ordering::Relaxed),
            xruns: self.xruns,
            reason,
        }
    }
}

/// A running cpal stream plus its recorder.
struct LiveSession {
    stream: cpal::Stream,
    recorder: Recorder<BufWriter<File>>,
    stats: Arc<CallbackStats>,
    device_errors: rtrb::Consumer<cpal::Error>,
    started: Started,
}

impl LiveSession {
    fn open(request: &StartRequest, clock: Arc<dyn Clock>) -> Result<Self, CaptureError> {
        if request.time_limit.is_zero() {
            return Err(CaptureError::ZeroTimeLimit);
        }
        crate::audio::quiet::silence_backend_noise();
        let host = cpal::default_host();
        let device = pick_device(&host, request.device.as_deref())?;
        let name = device_name(&device);
        let device_err = |e: cpal::Error| CaptureError::Device {
            device: name.clone(),
            message: e.to_string(),
        };
        let config = device.default_input_config().map_err(device_err)?;
        let sample_rate = config.sample_rate();
        let channels = config.channels();

        let sink = WavSink::create(&request.path, sample_rate)?;
        let (producer, consumer, stats) = mono_ring(sample_rate, channels, None);
        let (err_tx, err_rx) = rtrb::RingBuffer::new(32);
        let stream = build_stream(&device, &name, config, producer, err_tx)
            .and_then(|s| s.play().map(|()| s).map_err(device_err));
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                drop(sink);
                // Nothing was recorded: do not leave an empty WAV behind.
                let _ = std::fs::remove_file(&request.path);
                return Err(e);
            }
        };
        // Some backends (ALSA's PulseAudio plugin) take up to ~2 s to deliver the first buffer.
        // Only confirm Start once audio flows, so the first words are not said into the void.
        let opened = Instant::now();
        while stats.callbacks.load(Ordering::Relaxed) == 0 {
            if opened.elapsed() >= START_TIMEOUT {
                drop(stream);
                drop(sink);
                let _ = std::fs::remove_file(&request.path);
                return Err(CaptureError::Device {
                    device: name,
                    message: format!("no audio arrived within {} s of opening it", START_TIMEOUT.as_secs()),
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let startup = opened.elapsed();
        let recorder = Recorder::new(consumer, stats.clone(), sink, clock, request.time_limit);
        Ok(Self {
            stream,
            recorder,
            stats,
            device_errors: err_rx,
            started: Started {
                device: name,
                sample_rate,
                channels,
                sample_format: config.sample_format(),
                path: request.path.clone(),
                time_limit: request.time_limit,
                startup,
            },
        })
    }

    fn run(mut self, commands: &Receiver<Command>, emitter: &Emitter) -> AfterSession {
        let mut last_callbacks = 0;
        let mut last_progress = Instant::now();
        loop {
            match commands.recv_timeout(POLL_INTERVAL) {
                Ok(Command::Stop) => return self.finish(StopReason::User, true, emitter),
                Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                    self.finish(StopReason::Shutdown, true, emitter);
                    return AfterSession::Exit;
                }
                Ok(Command::Start(_)) => emitter.emit(CaptureEvent::Error(CaptureError::AlreadyRecording {
                    path: self.started.path.clone(),
                })),
                Err(RecvTimeoutError::Timeout) => {}
            }

            while let Ok(err) = self.device_errors.pop() {
                match err.kind() {
                    cpal::ErrorKind::Xrun => self.recorder.xruns += 1,
                    // Rerouted to the new default device: capture goes on.
                    cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
                    _ => {
                        let reason = self.lost(&err.to_string());
                        return self.finish(reason, false, emitter);
                    }
                }
            }

            match self.recorder.pump(&mut |e| emitter.emit(e)) {
                Ok(Pump::Recording) => {}
                Ok(Pump::TimeUp) => return self.finish(StopReason::TimeLimit, true, emitter),
                Err(e) => {
                    let reason = StopReason::WriteFailed(CaptureError::from(e).to_string());
                    return self.finish(reason, false, emitter);
                }
            }

            let callbacks = self.stats.callbacks.load(Ordering::Relaxed);
            if callbacks != last_callbacks {
                last_callbacks = callbacks;
                last_progress = Instant::now();
            } else if last_progress.elapsed() >= STALL_TIMEOUT {
                let reason = self.lost(&format!("no audio for {} s", STALL_TIMEOUT.as_secs()));
                return self.finish(reason, false, emitter);
            }
        }
    }

    fn lost(&self, message: &str) -> StopReason {
        StopReason::DeviceLost(
            CaptureError::DeviceLost {
                device: self.started.device.clone(),
                message: message.to_owned(),
                path: self.started.path.clone(),
            }
            .to_string(),
        )
    }

    /// With `grace` (the device is healthy), waits (bounded) until the device has delivered the
    /// audio captured up to now, stops the stream, drains the ring and finalizes the file. Without
    /// it (the device failed), the file is finalized and reported first and the stream is torn
    /// down on a throwaway thread: a backend whose server died can block forever in teardown.
    fn finish(self, mut reason: StopReason, grace: bool, emitter: &Emitter) -> AfterSession {
        let Self {
            stream,
            mut recorder,
            stats,
            ..
        } = self;
        if grace {
            let stop_at = u64::try_from(stream.now().as_nanos()).unwrap_or(u64::MAX);
            let deadline = Instant::now() + STOP_GRACE_MAX;
            while stats.captured_until_ns.load(Ordering::Acquire) < stop_at && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
                if let Err(e) = recorder.drain() {
                    reason = StopReason::WriteFailed(CaptureError::from(e).to_string());
                    break;
                }
            }
            let _ = stream.pause();
            drop(stream);
            finalize_and_report(recorder, reason, emitter);
        } else {
            finalize_and_report(recorder, reason, emitter);
            reap(stream);
        }
        AfterSession::Idle
    }
}

fn finalize_and_report(recorder: Recorder<BufWriter<File>>, reason: StopReason, emitter: &Emitter) {
    let stopped = recorder.finish(reason);
    // The header is final; make it durable before the UI moves on to transcription.
    if let Ok(f) = File::open(&stopped.path) {
        let _ = f.sync_all();
    }
    emitter.emit(CaptureEvent::Stopped(stopped));
}

/// Drops a failed stream on its own thread so a hang in the backend cannot block the worker.
fn reap(stream: cpal::Stream) {
    let stream = std::mem::ManuallyDrop::new(stream);
    // If the thread cannot be spawned the closure is dropped unrun and the stream leaks, which is
    // the lesser harm.
    let _ = std::thread::Builder::new()
        .name("rehearse-capture-reaper".to_owned())
        .spawn(move || drop(std::mem::ManuallyDrop::into_inner(stream)));
}

fn pick_device(host: &cpal::Host, wanted: Option<&str>) -> Result<cpal::Device, CaptureError> {
    let Some(wanted) = wanted else {
        return host.default_input_device().ok_or(CaptureError::NoInputDevice);
    };
    let devices: Vec<cpal::Device> = host
        .input_devices()
        .map_err(|e| CaptureError::Device {
            device: wanted.to_owned(),
            message: e.to_string(),
        })?
        .collect();
    let matches = |d: &cpal::Device| device_name(d) == wanted || d.id().is_ok_and(|id| id.id() == wanted);
    if let Some(d) = devices.iter().find(|d| matches(d)) {
        return Ok(d.clone());
    }
    if devices.is_empty() {
        return Err(CaptureError::NoInputDevice);
    }
    Err(CaptureError::DeviceNotFound {
        name: wanted.to_owned(),
        available: devices.iter().map(device_name).collect::<Vec<_>>().join(", "),
    })
}

fn build_stream(
    device: &cpal::Device,
    name: &str,
    config: cpal::SupportedStreamConfig,
    producer: MonoProducer,
    errors: rtrb::Producer<cpal::Error>,
) -> Result<cpal::Stream, CaptureError> {
    let format = config.sample_format();
    let stream_config = config.config();
    let rate = u64::from(stream_config.sample_rate.max(1));
    match format {
        SampleFormat::I8 => typed_stream::<i8>(device, stream_config, rate, producer, errors),
        SampleFormat::I16 => typed_stream::<i16>(device, stream_config, rate, producer, errors),
        SampleFormat::I24 => typed_stream::<cpal::I24>(device, stream_config, rate, producer, errors),
        SampleFormat::I32 => typed_stream::<i32>(device, stream_config, rate, producer, errors),
        SampleFormat::I64 => typed_stream::<i64>(device, stream_config, rate, producer, errors),
        SampleFormat::U8 => typed_stream::<u8>(device, stream_config, rate, producer, errors),
        SampleFormat::U16 => typed_stream::<u16>(device, stream_config, rate, producer, errors),
        SampleFormat::U24 => typed_stream::<cpal::U24>(device, stream_config, rate, producer, errors),
        SampleFormat::U32 => typed_stream::<u32>(device, stream_config, rate, producer, errors),
        SampleFormat::U64 => typed_stream::<u64>(device, stream_config, rate, producer, errors),
        SampleFormat::F32 => typed_stream::<f32>(device, stream_config, rate, producer, errors),
        SampleFormat::F64 => typed_stream::<f64>(device, stream_config, rate, producer, errors),
        other => {
            return Err(CaptureError::UnsupportedFormat {
                device: name.to_owned(),
                format: other.to_string(),
            });
        }
    }
    .map_err(|e| CaptureError::Device {
        device: name.to_owned(),
        message: e.to_string(),
    })
}

fn typed_stream<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    rate: u64,
    mut producer: MonoProducer,
    mut errors: rtrb::Producer<cpal::Error>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = usize::from(config.channels.max(1));
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], info: &cpal::InputCallbackInfo| {
            producer.push(data);
            let frames = (data.len() / channels) as u64;
            let start = u64::try_from(info.timestamp().capture.as_nanos()).unwrap_or(u64::MAX);
            let end = start.saturating_add(frames.saturating_mul(1_000_000_000) / rate);
            producer.stats.captured_until_ns.fetch_max(end, Ordering::AcqRel);
        },
        move |err| {
            // Full ring: the worker is already handling earlier errors.
            let _ = errors.push(err);
        },
        None,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audio::clock::ManualClock;
    use crate::audio::level::rms_dbfs;
    use std::io::Cursor;
    use std::path::Path;

    const RATE: u32 = 16_000;

    #[test]
    fn only_microphones_are_listed_by_default() {
        for id in [
            "default",
            "pulse",
            "pipewire",
            "hw:CARD=PCH,DEV=0",
            "plughw:CARD=USB,DEV=0",
            "sysdefault:CARD=PCH",
            "front:CARD=PCH,DEV=0",
            "dsnoop:CARD=PCH",
        ] {
            assert!(is_microphone(id), "{id} hidden");
        }
        for id in [
            "null",
            "lavrate",
            "samplerate",
            "speexrate",
            "jack",
            "oss",
            "speex",
            "upmix",
            "vdownmix",
            "dmix:CARD=PCH",
            "surround51:CARD=PCH",
        ] {
            assert!(!is_microphone(id), "{id} listed");
        }
    }

    struct Rig {
        producer: MonoProducer,
        recorder: Recorder<BufWriter<File>>,
        clock: ManualClock,
        path: PathBuf,
        _dir: tempfile::TempDir,
    }

    fn rig(channels: u16, ring: Option<usize>, limit: Duration) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.wav");
        let clock = ManualClock::new();
        let (producer, consumer, stats) = mono_ring(RATE, channels, ring);
        let sink = WavSink::create(&path, RATE).unwrap();
        let recorder = Recorder::new(consumer, stats, sink, Arc::new(clock.clone()), limit);
        Rig {
            producer,
            recorder,
            clock,
            path,
            _dir: dir,
        }
    }

    fn sine(amplitude: f32, freq: f32, n: usize, offset: usize) -> Vec<f32> {
        (offset..offset + n)
            .map(|i| amplitude * (2.0 * std::f32::consts::PI * freq * i as f32 / RATE as f32).sin())
            .collect()
    }

    fn read_all(path: &Path) -> Vec<i16> {
        hound::WavReader::open(path)
            .unwrap()
            .samples::<i16>()
            .map(Result::unwrap)
            .collect()
    }

    fn step(rig: &mut Rig, block: &[f32], dt: Duration) -> (Pump, Vec<CaptureEvent>) {
        rig.producer.push(block);
        rig.clock.advance(dt);
        let mut events = Vec::new();
        let pump = rig.recorder.pump(&mut |e| events.push(e)).unwrap();
        (pump, events)
    }

    #[test]
    fn file_on_disk_is_a_valid_wav_mid_recording_and_lags_at_most_one_flush() {
        let mut rig = rig(1, None, DEFAULT_TIME_LIMIT);
        let block = RATE as usize / 10; // 100 ms
        for i in 1..=20 {
            step(&mut rig, &sine(0.3, 440.0, block, 0), Duration::from_millis(100));
            let r = hound::WavReader::open(&rig.path).expect("valid WAV mid-recording");
            let on_disk = u64::from(r.duration());
            let written = (i * block) as u64;
            let max_lag = u64::from(RATE) * FLUSH_INTERVAL.as_millis() as u64 / 1000;
            assert!(
                on_disk <= written && written - on_disk <= max_lag,
                "{i}: {on_disk} vs {written}"
            );
            // Every sample the header claims is really there.
            assert_eq!(read_all(&rig.path).len() as u64, on_disk);
        }
        assert!(FLUSH_INTERVAL <= Duration::from_millis(500));
    }

    #[test]
    fn time_box_stops_at_the_limit_with_a_complete_file() {
        let mut rig = rig(1, None, Duration::from_secs(2));
        let block = RATE as usize / 10;
        let mut pumps = 0;
        loop {
            pumps += 1;
            let (pump, _) = step(&mut rig, &vec![0.1; block], Duration::from_millis(100));
            if pump == Pump::TimeUp {
                break;
            }
            assert!(pumps < 100);
        }
        assert_eq!(pumps, 20);
        // Audio still in flight after the limit is not written past the time-box.
        rig.producer.push(&vec![0.1; block]);
        let stopped = rig.recorder.finish(StopReason::TimeLimit);
        assert_eq!(stopped.reason, StopReason::TimeLimit);
        assert_eq!(stopped.duration, Duration::from_secs(2));
        assert_eq!(stopped.frames, 2 * u64::from(RATE));
        assert_eq!(read_all(&rig.path).len(), 2 * RATE as usize);
    }

    #[test]
    fn elapsed_and_level_events_come_at_meter_rate() {
        let mut rig = rig(1, None, Duration::from_secs(10));
        let block = RATE as usize / 100; // 10 ms
        let mut levels = 0;
        let mut last_elapsed = Duration::ZERO;
        for _ in 0..100 {
            let (_, events) = step(&mut rig, &vec![0.0; block], Duration::from_millis(10));
            for e in events {
                match e {
                    CaptureEvent::Level(_) => levels += 1,
                    CaptureEvent::Elapsed { elapsed, remaining } => {
                        assert_eq!(elapsed + remaining, Duration::from_secs(10));
                        last_elapsed = elapsed;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(levels, 20, "1 s at 20 Hz");
        assert_eq!(last_elapsed, Duration::from_secs(1));
    }

    #[test]
    fn stereo_is_averaged_to_mono_for_every_sample_format() {
        let mut rig = rig(2, None, DEFAULT_TIME_LIMIT);
        rig.producer.push(&[0.5f32, -0.5, 0.5, 0.5, -1.0, 0.0]);
        rig.producer.push(&[16384i16, 0, -32768, -32768]);
        rig.producer.push(&[32768u16, 49152]);
        // A trailing half frame is ignored.
        rig.producer.push(&[0.25f32, 0.25, 0.9]);
        let stopped = rig.recorder.finish(StopReason::User);
        assert_eq!(stopped.frames, 7);
        assert_eq!(read_all(&rig.path), vec![0, 16384, -16384, 8192, -32768, 8192, 8192]);
    }

    #[test]
    fn level_of_a_known_sine() {
        let mut rig = rig(1, None, DEFAULT_TIME_LIMIT);
        let (_, events) = step(&mut rig, &sine(0.5, 1000.0, 800, 0), METER_INTERVAL);
        let level = events
            .iter()
            .find_map(|e| if let CaptureEvent::Level(l) = e { Some(*l) } else { None })
            .unwrap();
        assert!((level.rms_dbfs - -9.03).abs() < 0.05, "{level:?}");
        assert!((level.peak_dbfs - -6.02).abs() < 0.05, "{level:?}");
        let (_, events) = step(&mut rig, &vec![0.0; 800], METER_INTERVAL);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, CaptureEvent::Level(l) if *l == Level::SILENT))
        );
        // And the stored audio has the same level.
        let stopped = rig.recorder.finish(StopReason::User);
        assert_eq!(stopped.frames, 1600);
        let stored: Vec<f32> = read_all(&rig.path)[..800]
            .iter()
            .map(|&s| f32::from(s) / 32768.0)
            .collect();
        assert!((rms_dbfs(&stored) - -9.03).abs() < 0.05);
    }

    #[test]
    fn frames_that_do_not_fit_the_ring_are_counted_as_dropped() {
        let mut rig = rig(2, Some(1000), DEFAULT_TIME_LIMIT);
        rig.producer.push(&vec![0.2f32; 2 * 600]);
        rig.producer.push(&vec![0.2f32; 2 * 600]); // 400 fit, 200 dropped
        rig.recorder.pump(&mut |_| {}).unwrap();
        rig.producer.push(&vec![0.2f32; 2 * 300]); // room again after the drain
        let stopped = rig.recorder.finish(StopReason::User);
        assert_eq!(stopped.dropped_frames, 200);
        assert_eq!(stopped.frames, 1300);
        assert_eq!(read_all(&rig.path).len(), 1300);
    }

    /// A disk that fills up after `limit` bytes; the bytes stay inspectable after the writer is gone.
    #[derive(Clone)]
    struct FullDisk {
        inner: std::rc::Rc<std::cell::RefCell<Cursor<Vec<u8>>>>,
        limit: u64,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut inner = self.inner.borrow_mut();
            if inner.position() + buf.len() as u64 > self.limit {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            inner.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Seek for FullDisk {
        fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
            self.inner.borrow_mut().seek(pos)
        }
    }

    #[test]
    fn disk_full_gives_a_message_naming_the_file_and_keeps_a_valid_wav() {
        let clock = ManualClock::new();
        let (mut producer, consumer, stats) = mono_ring(RATE, 1, None);
        let path = Path::new("/data/attempts/x/answer.wav");
        let disk = FullDisk {
            inner: Default::default(),
            limit: 44 + 2 * 1000,
        };
        let sink = WavSink::new(disk.clone(), path, RATE).unwrap();
        let mut rec = Recorder::new(consumer, stats, sink, Arc::new(clock.clone()), DEFAULT_TIME_LIMIT);
        producer.push(&vec![0.1f32; 600]);
        clock.advance(FLUSH_INTERVAL);
        rec.pump(&mut |_| {}).unwrap();
        producer.push(&vec![0.1f32; 600]);
        clock.advance(FLUSH_INTERVAL);
        let err = rec.pump(&mut |_| {}).unwrap_err();
        let message = CaptureError::from(err).to_string();
        assert!(message.contains("/data/attempts/x/answer.wav"), "{message}");
        assert!(message.contains("free some disk space"), "{message}");
        // The worker stops with this reason; finishing still writes a header matching the data.
        let stopped = rec.finish(StopReason::WriteFailed(message));
        assert_eq!(stopped.frames, 1000);
        let bytes = disk.inner.borrow().get_ref().clone();
        let reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        assert_eq!(u64::from(reader.duration()), stopped.frames);
    }

    /// A tmpfs of `size` mounted on a fresh temp folder, unmounted on drop.
    struct SmallDisk {
        dir: tempfile::TempDir,
    }

    impl SmallDisk {
        fn mount(size: &str) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let out = std::process::Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
                .arg(dir.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "cannot mount a tmpfs (this test needs root): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Self { dir }
        }
    }

    impl Drop for SmallDisk {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.dir.path()).status();
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    #[ignore = "mounts a 300 KiB tmpfs, so needs root; scripts/test.sh runs it when run as root"]
    fn as_root_disk_full_stops_with_a_message_and_keeps_a_valid_wav() {
        let disk = SmallDisk::mount("300k");
        let path = disk.dir.path().join("answer.wav");
        let clock = ManualClock::new();
        let (mut producer, consumer, stats) = mono_ring(RATE, 1, None);
        let sink = WavSink::create(&path, RATE).unwrap();
        let mut rec = Recorder::new(consumer, stats, sink, Arc::new(clock.clone()), DEFAULT_TIME_LIMIT);
        // 300 KiB hold about 9.6 s of 16 kHz 16-bit audio; feed up to 30 s.
        let block = RATE as usize / 4;
        let mut err = None;
        for i in 0..120 {
            producer.push(&sine(0.3, 440.0, block, i * block));
            clock.advance(FLUSH_INTERVAL);
            if let Err(e) = rec.pump(&mut |_| {}) {
                err = Some(e);
                break;
            }
        }
        let message = CaptureError::from(err.expect("the disk fills up")).to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("free some disk space"), "{message}");
        assert!(message.contains("No space left on device"), "{message}");
        let stopped = rec.finish(StopReason::WriteFailed(message));
        assert!(matches!(stopped.reason, StopReason::WriteFailed(_)));
        // What reached the disk is a valid WAV whose header matches its data, and nearly fills it.
        let samples = read_all(&path);
        assert_eq!(samples.len() as u64, stopped.frames);
        assert!(stopped.frames > 140_000, "{} frames kept", stopped.frames);
        let expected = sine(0.3, 440.0, samples.len(), 0);
        assert_eq!(
            samples[samples.len() - 1],
            crate::audio::wav::f32_to_i16(expected[samples.len() - 1])
        );
        let repaired = crate::audio::wav::repair_wav(&path).unwrap();
        assert!(!repaired.changed, "the header already matched the data");
        assert_eq!(repaired.frames, stopped.frames);
    }
}
