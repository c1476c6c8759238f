//! Where an answer's audio comes from, for the window and the CLI alike: [`Recorder`] is the real microphone
//! ([`MicRecorder`], the capture engine's worker thread) or [`FileRecorder`], which streams an existing WAV as
//! if it were being spoken (tests with no microphone, demos; `REHEARSE_FAKE_MIC`). Both report the same
//! [`RecEvent`]s, and how a recording ended becomes an [`Ending`] in one place ([`StopWhy::ending`]).

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::audio::capture::{self, CaptureEngine, CaptureEvent, StartRequest, StopReason};
use crate::audio::clock::SystemClock;
use crate::audio::decode;
use crate::session::Ending;

/// Called after every engine event (the app passes `ctx.request_repaint`).
pub type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;

/// What to record and for how long.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordRequest {
    /// Where the answer's WAV goes (inside the attempt folder).
    pub path: PathBuf,
    /// The recording stops by itself after this long.
    pub time_box_s: f64,
    /// Input device name; `None` = the system default.
    pub device: Option<String>,
}

/// Why a recording ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopWhy {
    /// The person pressed Stop.
    User,
    /// The time-box ran out.
    TimeUp,
    /// The device failed; the message says what to do.
    Failed(String),
}

impl StopWhy {
    /// How the attempt records this ending (the lifecycle's word for it).
    pub fn ending(&self) -> Ending {
        match self {
            Self::User => Ending::User,
            Self::TimeUp => Ending::TimeUp,
            Self::Failed(msg) => Ending::Interrupted(msg.clone()),
        }
    }
}

/// Where recordings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureSource {
    /// The real input device.
    Microphone,
    /// Stream this WAV as if it were spoken (UI tests, demos). `realtime`: at speaking pace.
    File { wav: PathBuf, realtime: bool },
}

impl CaptureSource {
    /// `REHEARSE_FAKE_MIC=FILE.wav` (streamed at speaking pace), else the microphone.
    pub fn from_env() -> Self {
        std::env::var("REHEARSE_FAKE_MIC")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map_or(Self::Microphone, |wav| Self::File {
                wav: PathBuf::from(wav),
                realtime: true,
            })
    }

    /// Starts the recorder for this source; `waker` is called after every event.
    pub fn open(&self, waker: Waker) -> std::io::Result<Box<dyn Recorder>> {
        Ok(match self {
            Self::Microphone => Box::new(MicRecorder::spawn(waker)?),
            Self::File { wav, realtime } => Box::new(FileRecorder::spawn(wav.clone(), *realtime, waker)?),
        })
    }
}

/// What a recorder reports.
#[derive(Clone, Debug, PartialEq)]
pub enum RecEvent {
    /// Recording has begun on this device.
    Started { device: String, sample_rate: u32 },
    /// Input level in dBFS.
    Level { rms_db: f32, peak_db: f32 },
    /// Seconds since Start.
    Elapsed(f64),
    /// The file is complete.
    Stopped {
        path: PathBuf,
        duration_s: f64,
        why: StopWhy,
    },
    /// Nothing was recorded; in words for the person.
    Error(String),
}

/// A source of recorded answers.
pub trait Recorder: Send {
    /// Starts recording; `Started` or `Error` follows.
    fn start(&mut self, req: RecordRequest);
    /// Stops; `Stopped` follows once the file is complete.
    fn stop(&mut self);
    /// The next event, if any.
    fn try_recv(&mut self) -> Option<RecEvent>;
}

enum FileCmd {
    Start(RecordRequest),
    Stop,
    Shutdown,
}

/// Streams an existing WAV into the attempt as if it were the microphone: it writes the file (at once, or
/// paced in real time), reports level and elapsed time, honours the time-box and Stop.
pub struct FileRecorder {
    tx: Sender<FileCmd>,
    rx: Receiver<RecEvent>,
    handle: Option<JoinHandle<()>>,
}

impl FileRecorder {
    /// `realtime`: write the audio at speaking pace (Stop keeps what was "said" so far); otherwise the whole
    /// file is "said" at once and the clock still runs until Stop.
    pub fn spawn(source: PathBuf, realtime: bool, waker: Waker) -> std::io::Result<Self> {
        let (tx, cmd_rx) = unbounded();
        let (ev_tx, rx) = unbounded();
        let handle = std::thread::Builder::new()
            .name("rehearse-file-mic".into())
            .spawn(move || file_worker(&source, realtime, &cmd_rx, &ev_tx, &*waker))?;
        Ok(Self {
            tx,
            rx,
            handle: Some(handle),
        })
    }
}

impl Recorder for FileRecorder {
    fn start(&mut self, req: RecordRequest) {
        let _ = self.tx.send(FileCmd::Start(req));
    }
    fn stop(&mut self) {
        let _ = self.tx.send(FileCmd::Stop);
    }
    fn try_recv(&mut self) -> Option<RecEvent> {
        self.rx.try_recv().ok()
    }
}

impl Drop for FileRecorder {
    fn drop(&mut self) {
        let _ = self.tx.send(FileCmd::Shutdown);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn db(x: f32) -> f32 {
    20.0 * x.max(1e-6).log10()
}

fn write_wav(path: &Path, rate: u32, samples: &[f32]) -> Result<(), String> {
    let mut w = hound::WavWriter::create(path, crate::audio::wav::mono_spec(rate))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    for s in samples {
        w.write_sample(crate::audio::wav::f32_to_i16(*s))
            .map_err(|e| e.to_string())?;
    }
    w.finalize().map_err(|e| e.to_string())
}

fn file_worker(source: &Path, realtime: bool, cmds: &Receiver<FileCmd>, events: &Sender<RecEvent>, waker: &dyn Fn()) {
    let emit = |e: RecEvent| {
        let _ = events.send(e);
        waker();
    };
    const TICK: Duration = Duration::from_millis(50);
    while let Ok(cmd) = cmds.recv() {
        let req = match cmd {
            FileCmd::Shutdown => return,
            FileCmd::Stop => continue,
            FileCmd::Start(req) => req,
        };
        let audio = match decode::read_wav_mono(source) {
            Ok(a) => a,
            Err(e) => {
                emit(RecEvent::Error(format!("cannot read the stand-in recording: {e}")));
                continue;
            }
        };
        emit(RecEvent::Started {
            device: format!("file: {}", source.display()),
            sample_rate: audio.rate,
        });
        let started = Instant::now();
        let per_tick = (audio.rate as usize * TICK.as_millis() as usize / 1000).max(1);
        let why = loop {
            match cmds.recv_timeout(TICK) {
                Ok(FileCmd::Stop) => break StopWhy::User,
                Ok(FileCmd::Shutdown) => break StopWhy::User,
                Ok(FileCmd::Start(_)) | Err(_) => {}
            }
            let elapsed = started.elapsed().as_secs_f64();
            let at = ((elapsed * f64::from(audio.rate)) as usize).min(audio.samples.len());
            let chunk = &audio.samples[at.saturating_sub(per_tick)..at];
            let (sum, peak) = chunk
                .iter()
                .fold((0.0_f32, 0.0_f32), |(s, p), x| (s + x * x, p.max(x.abs())));
            let rms = (sum / chunk.len().max(1) as f32).sqrt();
            emit(RecEvent::Level {
                rms_db: db(rms),
                peak_db: db(peak),
            });
            emit(RecEvent::Elapsed(elapsed));
            if elapsed >= req.time_box_s {
                break StopWhy::TimeUp;
            }
        };
        let elapsed = started.elapsed().as_secs_f64();
        let n = if realtime {
            ((elapsed.min(req.time_box_s) * f64::from(audio.rate)) as usize).min(audio.samples.len())
        } else {
            audio.samples.len()
        };
        match write_wav(&req.path, audio.rate, &audio.samples[..n]) {
            Ok(()) => emit(RecEvent::Stopped {
                path: req.path.clone(),
                duration_s: n as f64 / f64::from(audio.rate.max(1)),
                why,
            }),
            Err(e) => emit(RecEvent::Error(e)),
        }
    }
}

/// The microphone: the capture engine's worker thread (cpal → ring buffer → WAV), translated to
/// [`RecEvent`]s.
pub struct MicRecorder {
    engine: CaptureEngine,
    pending: Option<RecEvent>,
}

impl MicRecorder {
    /// Starts the capture engine on the system clock.
    pub fn spawn(waker: Waker) -> std::io::Result<Self> {
        let w: capture::Waker = Box::new(move || waker());
        let engine = CaptureEngine::spawn(SystemClock::shared(), Some(w)).map_err(std::io::Error::other)?;
        Ok(Self { engine, pending: None })
    }
}

impl Recorder for MicRecorder {
    fn start(&mut self, req: RecordRequest) {
        let mut start = StartRequest::new(req.path).with_time_limit(Duration::from_secs_f64(req.time_box_s.max(1.0)));
        if let Some(d) = req.device {
            start = start.with_device(d);
        }
        // A worker that is gone answers nothing: report it instead of waiting for "Started".
        if let Err(e) = self.engine.start(start) {
            self.pending = Some(RecEvent::Error(e.to_string()));
        }
    }
    fn stop(&mut self) {
        let _ = self.engine.stop();
    }
    fn try_recv(&mut self) -> Option<RecEvent> {
        if let Some(e) = self.pending.take() {
            return Some(e);
        }
        let ev = self.engine.events().try_recv().ok()?;
        Some(match ev {
            CaptureEvent::Started(s) => RecEvent::Started {
                device: s.device,
                sample_rate: s.sample_rate,
            },
            CaptureEvent::Level(l) => RecEvent::Level {
                rms_db: l.rms_dbfs,
                peak_db: l.peak_dbfs,
            },
            CaptureEvent::Elapsed { elapsed, .. } => RecEvent::Elapsed(elapsed.as_secs_f64()),
            CaptureEvent::Stopped(s) => RecEvent::Stopped {
                path: s.path,
                duration_s: s.duration.as_secs_f64(),
                why: match s.reason {
                    StopReason::User | StopReason::Shutdown => StopWhy::User,
                    StopReason::TimeLimit => StopWhy::TimeUp,
                    StopReason::DeviceLost(m) | StopReason::WriteFailed(m) => StopWhy::Failed(m),
                },
            },
            CaptureEvent::Error(e) => RecEvent::Error(e.to_string()),
        })
    }
}
