//! Plays a recorded answer back so the person can hear it next to the transcript. A named worker thread
//! ("rehearse-playback") owns the cpal output stream, takes [`PlaybackCommand`]s and reports
//! [`PlaybackEvent`]s, so the UI never touches audio devices or files.
//!
//! The worker decodes the WAV to mono `f32`, converts it to the device rate by linear interpolation and
//! pushes frames into an `rtrb` ring buffer; the audio callback only pops frames (no locks, allocation or
//! I/O). Speed is changed by time-stretching on the worker ([`Stretcher`], WSOLA, 20 ms blocks), which keeps
//! the pitch: 1.5× is the same voice, faster, not a chipmunk.
//! Each frame carries the source time it came from, and the callback publishes the time of the last frame
//! it handed to the device, so the reported position is what was actually played, at any speed.
//!
//! Without an output device (no sound card, no PulseAudio) playback degrades to a silent clock: one
//! [`PlaybackEvent::Error`] says so, and Play, Pause and Seek still move the playhead.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use std::collections::VecDeque;

use crate::audio::decode::read_wav_mono;
use crate::audio::stretch::Stretcher;

/// Slowest playback speed.
pub const MIN_SPEED: f32 = 0.75;
/// Fastest playback speed.
pub const MAX_SPEED: f32 = 1.5;

/// How much audio the ring buffer holds. Also the longest delay before a speed change is heard.
const RING_SECONDS: f64 = 0.2;
/// How often the worker refills the ring and reports the position while playing.
const TICK: Duration = Duration::from_millis(10);
/// Minimum time between two [`PlaybackEvent::Position`] events (about 30 Hz).
const POSITION_INTERVAL: Duration = Duration::from_millis(30);
/// Rate of the silent clock used when there is no output device.
const CLOCK_RATE: u32 = 48_000;
/// While playing on a device, this long without the played position moving means the device hung.
/// Generous: ALSA's PulseAudio plugin can sit for a second or two before its stream starts.
const STALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a paused player keeps the output device open before releasing it.
const IDLE_RELEASE: Duration = Duration::from_secs(10);
/// A newly opened device counts as started once it has pulled at least half of real time's worth of
/// frames over this window (after its first burst).
const WARM_WINDOW: Duration = Duration::from_millis(200);
/// The longest a load waits for a newly opened device to start pulling audio.
const WARM_LIMIT: Duration = Duration::from_secs(3);

/// What the UI asks the playback worker to do.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaybackCommand {
    /// Decode a WAV file and get ready to play it from the start (paused).
    Load {
        /// The recording.
        path: PathBuf,
    },
    /// Start or resume. After the end, starts again from the beginning.
    Play,
    /// Pause, keeping the position.
    Pause,
    /// Jump to this many seconds from the start (clamped to the recording).
    Seek(f64),
    /// Playback speed, clamped to [`MIN_SPEED`]..=[`MAX_SPEED`].
    SetSpeed(f32),
    /// Stop the worker.
    Shutdown,
}

/// What the playback worker reports.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaybackEvent {
    /// A recording was loaded; it is paused at 0.
    Loaded {
        /// Its length in seconds.
        duration_s: f64,
    },
    /// The position actually played, in seconds from the start; about 30 times a second while playing,
    /// and once after every seek or pause.
    Position(f64),
    /// Playback reached the end.
    Finished,
    /// Something went wrong, in words meant for the person (e.g. no output device, unreadable file).
    Error(String),
}

/// Called after each event is sent, e.g. `move || ctx.request_repaint()`.
pub type Waker = Box<dyn Fn() + Send>;

/// Handle to the playback worker. Dropping it shuts the worker down and waits for it.
pub struct Playback {
    tx: Sender<PlaybackCommand>,
    rx: Receiver<PlaybackEvent>,
    thread: Option<JoinHandle<()>>,
}

impl Playback {
    /// Starts the worker; it opens the default output device at the first [`PlaybackCommand::Load`].
    pub fn spawn(waker: Option<Waker>) -> std::io::Result<Self> {
        Self::spawn_with(waker, OutputChoice::Device)
    }

    /// Starts a worker that never opens an audio device and plays to a silent clock instead:
    /// for tests and for running without sound on purpose. Sends no "no device" error.
    pub fn spawn_silent(waker: Option<Waker>) -> std::io::Result<Self> {
        Self::spawn_with(waker, OutputChoice::Silent)
    }

    fn spawn_with(waker: Option<Waker>, choice: OutputChoice) -> std::io::Result<Self> {
        let (tx, cmd_rx) = crossbeam_channel::unbounded();
        let (event_tx, rx) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("rehearse-playback".to_owned())
            .spawn(move || Worker::new(event_tx, waker, choice).run(&cmd_rx))?;
        Ok(Self {
            tx,
            rx,
            thread: Some(thread),
        })
    }

    /// Sends a command; returns false if the worker has stopped.
    pub fn send(&self, cmd: PlaybackCommand) -> bool {
        self.tx.send(cmd).is_ok()
    }

    /// The next event, if one is waiting.
    pub fn try_recv(&self) -> Option<PlaybackEvent> {
        self.rx.try_recv().ok()
    }

    /// The event channel, for blocking or timed waits (tests, `select!`).
    pub fn events(&self) -> &Receiver<PlaybackEvent> {
        &self.rx
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        let _ = self.tx.send(PlaybackCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutputChoice {
    Device,
    Silent,
}

/// One output frame (mono; the callback copies it to every channel) and the source time it came from.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    sample: f32,
    /// Frames from before the latest seek or load have an older generation and are skipped.
    generation: u32,
    pos_s: f64,
}

/// State shared between the worker and the audio callback, all atomics.
#[derive(Debug, Default)]
struct Shared {
    generation: AtomicU32,
    paused: AtomicBool,
    /// `f64` bits of the source time of the last frame handed to the device.
    played_pos: AtomicU64,
    /// Frames the device has pulled (sound or silence): shows when a new stream has really started.
    pulled: AtomicU64,
}

impl Shared {
    fn played_s(&self) -> f64 {
        f64::from_bits(self.played_pos.load(Ordering::Acquire))
    }

    fn set_played_s(&self, t: f64) {
        self.played_pos.store(t.to_bits(), Ordering::Release);
    }
}

/// The consumer side, run inside the audio callback (or by the silent clock).
struct Renderer {
    consumer: rtrb::Consumer<Frame>,
    shared: Arc<Shared>,
    channels: usize,
}

impl Renderer {
    /// Fills `out` (interleaved, `channels` per frame) from the ring; silence while paused or starved.
    fn render<T: Sample + FromSample<f32>>(&mut self, out: &mut [T]) {
        let paused = self.shared.paused.load(Ordering::Acquire);
        let mut generation = self.shared.generation.load(Ordering::Acquire);
        let mut last_pos = None;
        for frame in out.chunks_mut(self.channels.max(1)) {
            let mut value = 0.0_f32;
            if !paused {
                while let Ok(f) = self.consumer.pop() {
                    if f.generation != generation {
                        // A seek may have happened since we looked: frames from it are current.
                        generation = self.shared.generation.load(Ordering::Acquire);
                        if f.generation != generation {
                            continue;
                        }
                    }
                    value = f.sample;
                    last_pos = Some(f.pos_s);
                    break;
                }
            }
            let value = T::from_sample(value);
            for s in frame {
                *s = value;
            }
        }
        if let Some(pos) = last_pos {
            self.shared.set_played_s(pos);
        }
        self.shared
            .pulled
            .fetch_add((out.len() / self.channels.max(1)) as u64, Ordering::Relaxed);
    }
}

/// The producer side's read head: the source, time-stretched to the playback speed ([`Stretcher`], which
/// keeps the pitch), then converted to the device rate by linear interpolation.
#[derive(Clone, Debug)]
struct Cursor {
    stretch: Stretcher,
    /// Stretched samples at the source rate not yet interpolated past, with their source positions.
    pending: VecDeque<(f32, f64)>,
    /// Read position between `pending[0]` and `pending[1]`.
    frac: f64,
}

impl Cursor {
    fn new(src_rate: u32) -> Self {
        let stretch = Stretcher::new(src_rate);
        let pending = VecDeque::with_capacity(stretch.hop() * 2 + 2);
        Self {
            stretch,
            pending,
            frac: 0.0,
        }
    }

    /// Where the next stretched block starts, in source frames (the read-ahead point).
    fn pos(&self) -> f64 {
        self.stretch.position()
    }

    /// Starts over from source frame `pos`, dropping what was read ahead.
    fn seek(&mut self, pos: f64) {
        self.stretch.seek(pos);
        self.pending.clear();
        self.frac = 0.0;
    }

    /// Pushes interpolated frames until the ring is full or the source ends; returns how many were pushed.
    /// At speed 1 the source is copied; otherwise stretched a block (20 ms) at a time.
    fn fill(
        &mut self,
        producer: &mut rtrb::Producer<Frame>,
        src: &[f32],
        src_rate: u32,
        out_rate: u32,
        speed: f32,
        generation: u32,
    ) -> usize {
        let step = f64::from(src_rate) / f64::from(out_rate.max(1));
        let rate = f64::from(src_rate.max(1));
        let mut pushed = 0;
        while !producer.is_full() {
            if self.pending.len() < 2
                && self.stretch.next_block(src, f64::from(speed), &mut self.pending) == 0
                && self.pending.is_empty()
            {
                break;
            }
            let Some(&(a, ta)) = self.pending.front() else { break };
            let (b, tb) = self.pending.get(1).copied().unwrap_or((a, ta));
            let frac = self.frac as f32;
            let frame = Frame {
                sample: a + (b - a) * frac,
                generation,
                pos_s: (ta + (tb - ta) * self.frac) / rate,
            };
            if producer.push(frame).is_err() {
                break;
            }
            pushed += 1;
            self.frac += step;
            while self.frac >= 1.0 && !self.pending.is_empty() {
                self.pending.pop_front();
                self.frac -= 1.0;
            }
        }
        pushed
    }

    fn at_end(&self, src_len: usize) -> bool {
        self.pos() >= src_len as f64 && self.pending.is_empty()
    }
}

/// Where frames go: a real device, or a clock that consumes them in real time without sound.
enum Sink {
    Device {
        /// Kept alive for as long as we play; dropping it stops the callback.
        _stream: cpal::Stream,
        errors: Receiver<cpal::Error>,
    },
    Clock {
        renderer: Renderer,
        last: Instant,
        scratch: Vec<f32>,
    },
}

struct Output {
    sink: Sink,
    producer: rtrb::Producer<Frame>,
    rate: u32,
}

impl Output {
    fn ring(rate: u32, shared: &Arc<Shared>, channels: usize) -> (rtrb::Producer<Frame>, Renderer) {
        let capacity = ((f64::from(rate) * RING_SECONDS) as usize).max(256);
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        (
            producer,
            Renderer {
                consumer,
                shared: Arc::clone(shared),
                channels,
            },
        )
    }

    fn clock(shared: &Arc<Shared>) -> Self {
        let (producer, renderer) = Self::ring(CLOCK_RATE, shared, 1);
        let sink = Sink::Clock {
            renderer,
            last: Instant::now(),
            scratch: Vec::new(),
        };
        Self {
            sink,
            producer,
            rate: CLOCK_RATE,
        }
    }

    /// Opens the default output device and starts its stream.
    fn device(shared: &Arc<Shared>) -> Result<Self, String> {
        crate::audio::quiet::silence_backend_noise();
        let host = cpal::default_host();
        let device = host.default_output_device().ok_or_else(|| "none found".to_owned())?;
        let supported = device.default_output_config().map_err(|e| e.to_string())?;
        let config = supported.config();
        let (producer, renderer) = Self::ring(config.sample_rate, shared, usize::from(config.channels));
        let (err_tx, errors) = crossbeam_channel::bounded(16);
        let stream = match supported.sample_format() {
            SampleFormat::F32 => build_stream::<f32>(&device, config, renderer, err_tx),
            SampleFormat::I16 => build_stream::<i16>(&device, config, renderer, err_tx),
            SampleFormat::I32 => build_stream::<i32>(&device, config, renderer, err_tx),
            SampleFormat::U16 => build_stream::<u16>(&device, config, renderer, err_tx),
            SampleFormat::F64 => build_stream::<f64>(&device, config, renderer, err_tx),
            other => return Err(format!("unsupported sample format {other}")),
        }
        .map_err(|e| e.to_string())?;
        stream.play().map_err(|e| e.to_string())?;
        Ok(Self {
            sink: Sink::Device {
                _stream: stream,
                errors,
            },
            producer,
            rate: config.sample_rate,
        })
    }

    /// For the silent clock: consume the frames that real time says have been played.
    fn advance_clock(&mut self) {
        if let Sink::Clock {
            renderer,
            last,
            scratch,
        } = &mut self.sink
        {
            let now = Instant::now();
            // Never more than the ring holds, so a stalled worker does not skip ahead.
            let max = self.producer.buffer().capacity();
            let frames = ((now - *last).as_secs_f64() * f64::from(self.rate)) as usize;
            let frames = frames.min(max);
            if frames > 0 {
                scratch.resize(frames, 0.0);
                renderer.render(scratch);
                *last += Duration::from_secs_f64(frames as f64 / f64::from(self.rate));
                if now - *last > TICK * 4 {
                    *last = now;
                }
            }
        }
    }

    fn restart_clock(&mut self) {
        if let Sink::Clock { last, .. } = &mut self.sink {
            *last = Instant::now();
        }
    }

    /// A fatal error from the device's stream, if one was reported since the last look. Other errors
    /// (xruns, or the transient "I/O error" ALSA's PulseAudio plugin reports while its stream starts) leave
    /// the stream running, so they are dropped here.
    fn stream_failure(&self) -> Option<String> {
        let Sink::Device { errors, .. } = &self.sink else {
            return None;
        };
        errors
            .try_iter()
            .find(|e| {
                matches!(
                    e.kind(),
                    cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
                )
            })
            .map(|e| e.to_string())
    }

    fn is_device(&self) -> bool {
        matches!(self.sink, Sink::Device { .. })
    }

    fn is_drained(&self) -> bool {
        self.producer.slots() == self.producer.buffer().capacity()
    }
}

fn build_stream<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut renderer: Renderer,
    errors: Sender<cpal::Error>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    device.build_output_stream(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| renderer.render(data),
        move |e| {
            let _ = errors.try_send(e);
        },
        None,
    )
}

/// A decoded recording.
struct Source {
    samples: Vec<f32>,
    rate: u32,
}

impl Source {
    fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate.max(1))
    }
}

struct Worker {
    events: Sender<PlaybackEvent>,
    waker: Option<Waker>,
    choice: OutputChoice,
    shared: Arc<Shared>,
    output: Option<Output>,
    source: Option<Source>,
    cursor: Cursor,
    speed: f32,
    playing: bool,
    generation: u32,
    last_position: Instant,
    /// The played position at the last tick, and when it last changed (for stall detection).
    progress: (f64, Instant),
}

impl Worker {
    fn new(events: Sender<PlaybackEvent>, waker: Option<Waker>, choice: OutputChoice) -> Self {
        let shared = Arc::new(Shared::default());
        shared.paused.store(true, Ordering::Release);
        Self {
            events,
            waker,
            choice,
            shared,
            output: None,
            source: None,
            cursor: Cursor::new(CLOCK_RATE),
            speed: 1.0,
            playing: false,
            generation: 0,
            last_position: Instant::now(),
            progress: (0.0, Instant::now()),
        }
    }

    fn run(mut self, commands: &Receiver<PlaybackCommand>) {
        loop {
            let cmd = if self.playing {
                match commands.recv_timeout(TICK) {
                    Ok(cmd) => Some(cmd),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else if self.output.as_ref().is_some_and(Output::is_device) {
                // Paused with the device open: give the device back after a while, so an idle Review
                // costs no audio thread (and a vanished sound server cannot leave one spinning).
                match commands.recv_timeout(IDLE_RELEASE) {
                    Ok(cmd) => Some(cmd),
                    Err(RecvTimeoutError::Timeout) => {
                        self.release_output();
                        None
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match commands.recv() {
                    Ok(cmd) => Some(cmd),
                    Err(_) => return,
                }
            };
            match cmd {
                Some(PlaybackCommand::Shutdown) => return,
                Some(cmd) => self.handle(cmd),
                None => {}
            }
            self.tick();
        }
    }

    fn emit(&self, event: PlaybackEvent) {
        if self.events.send(event).is_ok()
            && let Some(waker) = &self.waker
        {
            waker();
        }
    }

    fn handle(&mut self, cmd: PlaybackCommand) {
        match cmd {
            PlaybackCommand::Load { path } => self.load(path),
            PlaybackCommand::Play => self.play(),
            PlaybackCommand::Pause => {
                self.playing = false;
                self.shared.paused.store(true, Ordering::Release);
                if self.source.is_some() {
                    self.emit(PlaybackEvent::Position(self.shared.played_s()));
                }
            }
            PlaybackCommand::Seek(t) => self.seek(t),
            PlaybackCommand::SetSpeed(speed) => {
                self.speed = if speed.is_finite() {
                    speed.clamp(MIN_SPEED, MAX_SPEED)
                } else {
                    1.0
                };
            }
            PlaybackCommand::Shutdown => {}
        }
    }

    fn load(&mut self, path: PathBuf) {
        self.playing = false;
        self.shared.paused.store(true, Ordering::Release);
        let audio = match read_wav_mono(&path) {
            Ok(audio) => audio,
            Err(e) => {
                self.source = None;
                self.emit(PlaybackEvent::Error(format!("Cannot play the recording: {e}")));
                return;
            }
        };
        self.ensure_output();
        let source = Source {
            samples: audio.samples,
            rate: audio.rate,
        };
        let duration_s = source.duration_s();
        self.cursor = Cursor::new(source.rate);
        self.source = Some(source);
        self.emit(PlaybackEvent::Loaded { duration_s });
        self.seek(0.0);
    }

    fn ensure_output(&mut self) {
        if self.output.is_some() {
            return;
        }
        let output = match self.choice {
            OutputChoice::Silent => Output::clock(&self.shared),
            OutputChoice::Device => match Output::device(&self.shared) {
                Ok(o) => {
                    self.wait_until_pulling(o.rate);
                    o
                }
                Err(reason) => {
                    self.emit(PlaybackEvent::Error(format!(
                        "No audio output device: {reason}; review still works without sound"
                    )));
                    Output::clock(&self.shared)
                }
            },
        };
        self.output = Some(output);
    }

    /// Waits (at most [`WARM_LIMIT`]) until a newly opened device pulls frames steadily. ALSA's PulseAudio
    /// plugin takes the first callbacks' worth of frames, then can sit for a second or so before its stream
    /// really starts; audio played straight away would be cut by that gap (a spoken question came out
    /// 1.5 s longer than it is). Paused, the frames it takes meanwhile are silence.
    fn wait_until_pulling(&self, rate: u32) {
        let started = Instant::now();
        let pulled = || self.shared.pulled.load(Ordering::Relaxed);
        // The first burst (the device's buffer filled at once) says nothing about its pace.
        while pulled() == 0 && started.elapsed() < WARM_LIMIT {
            std::thread::sleep(TICK);
        }
        std::thread::sleep(TICK);
        let window = WARM_WINDOW.as_secs_f64();
        let needed = (f64::from(rate) * window * 0.5) as u64;
        let mut marks: std::collections::VecDeque<(Instant, u64)> = std::collections::VecDeque::new();
        marks.push_back((Instant::now(), pulled()));
        while started.elapsed() < WARM_LIMIT {
            std::thread::sleep(TICK);
            let now = (Instant::now(), pulled());
            while marks.len() > 1 && now.0 - marks[1].0 >= WARM_WINDOW {
                marks.pop_front();
            }
            marks.push_back(now);
            let (t0, f0) = marks[0];
            if now.0 - t0 >= WARM_WINDOW && now.1 - f0 >= needed {
                return;
            }
        }
    }

    /// Closes the output device, keeping the position: the next Play opens it again.
    fn release_output(&mut self) {
        let at = self.shared.played_s();
        self.output = None;
        if let Some(source) = &self.source {
            self.cursor.seek(at * f64::from(source.rate));
        }
    }

    fn play(&mut self) {
        if self.source.is_none() {
            return;
        }
        self.ensure_output();
        let Some(source) = &self.source else { return };
        if self.cursor.at_end(source.samples.len()) && self.output.as_ref().is_none_or(Output::is_drained) {
            self.seek(0.0);
        }
        if let Some(output) = &mut self.output {
            output.restart_clock();
        }
        self.playing = true;
        self.shared.paused.store(false, Ordering::Release);
        self.progress = (self.shared.played_s(), Instant::now());
        self.fill();
    }

    /// Why the device seems hung, if it has not played anything for [`STALL_TIMEOUT`] while it should have.
    fn stalled(&self) -> Option<String> {
        let output = self.output.as_ref()?;
        let stalled = self.playing
            && output.is_device()
            && !output.is_drained()
            && self.shared.played_s() == self.progress.0
            && self.progress.1.elapsed() > STALL_TIMEOUT;
        stalled.then(|| format!("the device played nothing for {} s", STALL_TIMEOUT.as_secs()))
    }

    fn seek(&mut self, t: f64) {
        let Some(source) = &self.source else { return };
        let t = if t.is_finite() {
            t.clamp(0.0, source.duration_s())
        } else {
            0.0
        };
        self.generation = self.generation.wrapping_add(1);
        self.shared.generation.store(self.generation, Ordering::Release);
        self.cursor.seek(t * f64::from(source.rate));
        self.shared.set_played_s(t);
        self.emit(PlaybackEvent::Position(t));
        if self.playing {
            self.fill();
        }
    }

    fn fill(&mut self) {
        if let (Some(source), Some(output)) = (&self.source, &mut self.output) {
            self.cursor.fill(
                &mut output.producer,
                &source.samples,
                source.rate,
                output.rate,
                self.speed,
                self.generation,
            );
        }
    }

    fn tick(&mut self) {
        if let Some(output) = &mut self.output {
            output.advance_clock();
        }
        let failure = self
            .output
            .as_ref()
            .and_then(Output::stream_failure)
            .or_else(|| self.stalled());
        if let Some(reason) = failure {
            self.emit(PlaybackEvent::Error(format!(
                "Audio output stopped: {reason}; review still works without sound"
            )));
            // Carry on from where the device stopped, on the silent clock.
            let at = self.shared.played_s();
            self.output = Some(Output::clock(&self.shared));
            if let Some(source) = &self.source {
                self.cursor.seek(at * f64::from(source.rate));
            }
        }
        if !self.playing {
            return;
        }
        self.fill();
        let played = self.shared.played_s();
        if played != self.progress.0 {
            self.progress = (played, Instant::now());
        }
        if self.last_position.elapsed() >= POSITION_INTERVAL {
            self.last_position = Instant::now();
            self.emit(PlaybackEvent::Position(self.shared.played_s()));
        }
        let finished = match (&self.source, &self.output) {
            (Some(source), Some(output)) => self.cursor.at_end(source.samples.len()) && output.is_drained(),
            _ => true,
        };
        if finished {
            self.playing = false;
            self.shared.paused.store(true, Ordering::Release);
            let end = self.source.as_ref().map_or(0.0, Source::duration_s);
            self.shared.set_played_s(end);
            self.emit(PlaybackEvent::Position(end));
            self.emit(PlaybackEvent::Finished);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake sink: feeds and renders in fixed blocks, like a device callback would, without a device.
    struct FakeSink {
        producer: rtrb::Producer<Frame>,
        renderer: Renderer,
        shared: Arc<Shared>,
        cursor: Cursor,
        out_rate: u32,
        generation: u32,
    }

    impl FakeSink {
        fn new(out_rate: u32, channels: usize) -> Self {
            let shared = Arc::new(Shared::default());
            let (producer, renderer) = Output::ring(out_rate, &shared, channels);
            Self {
                producer,
                renderer,
                shared,
                cursor: Cursor::new(16_000),
                out_rate,
                generation: 0,
            }
        }

        /// Renders `frames` output frames, refilling first; returns the interleaved output.
        fn play(&mut self, src: &[f32], src_rate: u32, speed: f32, frames: usize) -> Vec<f32> {
            let channels = self.renderer.channels;
            let mut out = Vec::new();
            let block = 256;
            let mut done = 0;
            while done < frames {
                self.cursor
                    .fill(&mut self.producer, src, src_rate, self.out_rate, speed, self.generation);
                let n = block.min(frames - done);
                let mut buf = vec![0.0_f32; n * channels];
                self.renderer.render(&mut buf);
                out.extend_from_slice(&buf);
                done += n;
            }
            out
        }

        fn seek(&mut self, t: f64, src_rate: u32) {
            self.generation += 1;
            self.shared.generation.store(self.generation, Ordering::Release);
            self.cursor.seek(t * f64::from(src_rate));
        }

        fn drained(&self) -> bool {
            self.producer.slots() == self.producer.buffer().capacity()
        }
    }

    fn ramp(len: usize) -> Vec<f32> {
        (0..len).map(|i| 0.1 + 0.8 * i as f32 / len as f32).collect()
    }

    /// Output frames until the source is used up at `speed`.
    fn frames_to_finish(speed: f32) -> usize {
        let src = ramp(16_000); // 1 s at 16 kHz
        let mut sink = FakeSink::new(48_000, 2);
        let mut total = 0;
        loop {
            let out = sink.play(&src, 16_000, speed, 480);
            total += out.chunks(2).filter(|f| f[0] != 0.0).count();
            if sink.cursor.at_end(src.len()) && sink.drained() {
                return total;
            }
            assert!(total < 200_000, "never finished");
        }
    }

    #[test]
    fn duration_scales_with_speed() {
        let normal = frames_to_finish(1.0);
        assert!((normal as i64 - 48_000).abs() <= 3, "{normal}");
        let fast = frames_to_finish(1.5);
        assert!((fast as i64 - 32_000).abs() <= 3, "{fast}");
        let slow = frames_to_finish(0.75);
        assert!((slow as i64 - 64_000).abs() <= 3, "{slow}");
    }

    #[test]
    fn position_is_what_was_played_at_each_speed() {
        let src = ramp(16_000 * 4);
        for (speed, expected) in [(1.0_f32, 0.5), (1.5, 0.75), (0.75, 0.375)] {
            let mut sink = FakeSink::new(48_000, 1);
            sink.play(&src, 16_000, speed, 24_000); // half a second of device time
            let played = sink.shared.played_s();
            assert!(
                (played - expected).abs() < 1e-3,
                "speed {speed}: {played} vs {expected}"
            );
            // The worker has read ahead by up to the ring's length; the reported position did not.
            assert!(sink.cursor.pos() / 16_000.0 > played);
        }
    }

    #[test]
    fn stereo_output_duplicates_mono_and_interpolates() {
        let src = [0.0_f32, 1.0];
        let mut sink = FakeSink::new(4, 2); // 2 Hz source into 4 Hz output: one frame in between
        let out = sink.play(&src, 2, 1.0, 4);
        assert_eq!(&out[..6], &[0.0, 0.0, 0.5, 0.5, 1.0, 1.0]);
    }

    #[test]
    fn seek_discards_frames_queued_before_it() {
        let src = ramp(16_000 * 10);
        let mut sink = FakeSink::new(16_000, 1);
        sink.play(&src, 16_000, 1.0, 1_600);
        sink.seek(7.0, 16_000);
        let out = sink.play(&src, 16_000, 1.0, 1);
        let expected = 0.1 + 0.8 * 7.0 / 10.0;
        assert!(
            (out[0] - expected).abs() < 1e-4,
            "first frame after seek {} vs {expected}",
            out[0]
        );
        assert!((sink.shared.played_s() - 7.0).abs() < 1e-3);
    }

    #[test]
    fn paused_renders_silence_and_keeps_the_queue() {
        let src = ramp(16_000);
        let mut sink = FakeSink::new(16_000, 1);
        sink.cursor.fill(&mut sink.producer, &src, 16_000, 16_000, 1.0, 0);
        let queued = sink.producer.buffer().capacity() - sink.producer.slots();
        sink.shared.paused.store(true, Ordering::Release);
        let mut buf = vec![1.0_f32; 128];
        sink.renderer.render(&mut buf);
        assert!(buf.iter().all(|&s| s == 0.0));
        assert_eq!(sink.producer.buffer().capacity() - sink.producer.slots(), queued);
    }

    fn write_test_wav(name: &str, rate: u32, channels: u16, seconds: f64) -> PathBuf {
        let path = std::env::temp_dir().join(format!("rehearse-playback-{}-{name}.wav", std::process::id()));
        let spec = hound::WavSpec {
            channels,
            ..crate::audio::wav::mono_spec(rate)
        };
        let mut w = hound::WavWriter::create(&path, spec).expect("create wav");
        let n = (f64::from(rate) * seconds) as usize;
        for i in 0..n {
            let s = ((i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 8000.0) as i16;
            for _ in 0..channels {
                w.write_sample(s).expect("write sample");
            }
        }
        w.finalize().expect("finish wav");
        path
    }

    fn next(p: &Playback) -> PlaybackEvent {
        p.events()
            .recv_timeout(Duration::from_secs(5))
            .expect("an event within 5 s")
    }

    #[test]
    fn silent_worker_loads_seeks_plays_and_finishes() {
        let path = write_test_wav("silent", 22_050, 2, 0.5);
        let wakes = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&wakes);
        let p = Playback::spawn_silent(Some(Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        })))
        .expect("spawn");
        assert!(p.send(PlaybackCommand::Load { path: path.clone() }));
        match next(&p) {
            PlaybackEvent::Loaded { duration_s } => assert!((duration_s - 0.5).abs() < 1e-3),
            other => panic!("expected Loaded, got {other:?}"),
        }
        assert_eq!(next(&p), PlaybackEvent::Position(0.0));
        p.send(PlaybackCommand::Seek(0.25));
        assert_eq!(next(&p), PlaybackEvent::Position(0.25));
        p.send(PlaybackCommand::Seek(99.0));
        assert_eq!(next(&p), PlaybackEvent::Position(0.5));
        p.send(PlaybackCommand::Seek(0.0));
        next(&p);
        p.send(PlaybackCommand::SetSpeed(1.5));
        let started = Instant::now();
        p.send(PlaybackCommand::Play);
        let mut last = 0.0;
        loop {
            match next(&p) {
                PlaybackEvent::Position(t) => {
                    assert!(t >= last - 1e-9, "position went back: {t} < {last}");
                    last = t;
                }
                PlaybackEvent::Finished => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        let took = started.elapsed().as_secs_f64();
        // 0.5 s at 1.5x is 0.33 s of real time.
        assert!((0.25..1.0).contains(&took), "took {took}");
        assert!((last - 0.5).abs() < 1e-6);
        assert!(wakes.load(Ordering::Relaxed) >= 5);
        drop(p);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn missing_file_is_an_error_event() {
        let p = Playback::spawn_silent(None).expect("spawn");
        p.send(PlaybackCommand::Load {
            path: PathBuf::from("/nonexistent/answer.wav"),
        });
        match next(&p) {
            PlaybackEvent::Error(msg) => assert!(msg.contains("Cannot play the recording"), "{msg}"),
            other => panic!("expected Error, got {other:?}"),
        }
    }

    #[test]
    fn without_a_device_seek_still_reports_positions() {
        // On a machine with a sound card this exercises the real device instead; both must work.
        let path = write_test_wav("device", 16_000, 1, 1.0);
        let p = Playback::spawn(None).expect("spawn");
        p.send(PlaybackCommand::Load { path: path.clone() });
        let mut events = vec![next(&p)];
        if matches!(events[0], PlaybackEvent::Error(_)) {
            let PlaybackEvent::Error(msg) = &events[0] else {
                unreachable!()
            };
            assert!(msg.starts_with("No audio output device:"), "{msg}");
            assert!(msg.ends_with("review still works without sound"), "{msg}");
            events.push(next(&p));
        }
        assert!(
            matches!(events.last(), Some(PlaybackEvent::Loaded { .. })),
            "{events:?}"
        );
        assert_eq!(next(&p), PlaybackEvent::Position(0.0));
        p.send(PlaybackCommand::Seek(0.6));
        assert_eq!(next(&p), PlaybackEvent::Position(0.6));
        // The error is said once, not at every load.
        p.send(PlaybackCommand::Load { path: path.clone() });
        assert!(matches!(next(&p), PlaybackEvent::Loaded { .. }));
        drop(p);
        let _ = std::fs::remove_file(path);
    }
}
