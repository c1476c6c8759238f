//! The capture engine through the real audio path: cpal's ALSA host → ALSA's PulseAudio plugin →
//! a PulseAudio null sink "mic" whose monitor is the default source (`tests/pulse-mic.sh`).
//! espeak-ng speech played into the sink must come out of the recorded WAV at the right length,
//! loud where the speech is, silent elsewhere, and shaped like the source.
//!
//! Needs pulseaudio, pulseaudio-utils, libasound2-plugins, espeak-ng and sox (scripts/setup.sh).
//! The tests are `#[ignore]`d, so a plain `cargo test` reports them as skipped; scripts/test.sh
//! runs them (unless REHEARSE_SKIP_AUDIO_TESTS is set). The tests share one daemon, so they take a
//! lock here (and nextest's `audio` test group runs this binary alone).

mod support;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rehearse::audio::capture::{
    CaptureEngine, CaptureError, CaptureEvent, StartRequest, Started, StopReason, Stopped, list_input_devices,
};
use rehearse::audio::clock::SystemClock;

static AUDIO: Mutex<()> = Mutex::new(());

/// Takes the shared-daemon lock and makes sure the virtual microphone is up.
fn virtual_mic() -> MutexGuard<'static, ()> {
    let guard = AUDIO.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    support::pulse_mic(&["start"]);
    guard
}

fn next_event(engine: &CaptureEngine, timeout: Duration) -> CaptureEvent {
    engine
        .events()
        .recv_timeout(timeout)
        .expect("capture event within timeout")
}

fn wait_started(engine: &CaptureEngine) -> Started {
    match next_event(engine, Duration::from_secs(10)) {
        CaptureEvent::Started(s) => s,
        other => panic!("expected Started, got {other:?}"),
    }
}

/// Waits until `at_least` of audio is recorded (the engine's Elapsed events, counted in frames), keeping the
/// level events on the way; returns the elapsed time last reported.
fn wait_recorded(engine: &CaptureEngine, at_least: Duration, levels: &mut Vec<f32>) -> Duration {
    let deadline = Instant::now() + at_least + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_event(engine, left) {
            CaptureEvent::Elapsed { elapsed, .. } if elapsed >= at_least => {
                // The newest of what is already queued, so the test acts on where the recording is now.
                let mut newest = elapsed;
                while let Ok(e) = engine.events().try_recv() {
                    match e {
                        CaptureEvent::Elapsed { elapsed, .. } => newest = elapsed,
                        CaptureEvent::Level(l) => levels.push(l.rms_dbfs),
                        other => panic!("unexpected {other:?}"),
                    }
                }
                return newest;
            }
            CaptureEvent::Level(l) => levels.push(l.rms_dbfs),
            CaptureEvent::Elapsed { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Waits for Stopped, checking level events arrive at 10–30 Hz on the way.
fn wait_stopped(engine: &CaptureEngine, timeout: Duration) -> (Stopped, Vec<f32>) {
    let deadline = Instant::now() + timeout;
    let mut levels = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_event(engine, left) {
            CaptureEvent::Stopped(s) => return (s, levels),
            CaptureEvent::Level(l) => levels.push(l.rms_dbfs),
            CaptureEvent::Elapsed { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

const SENTENCE: &str = "Tell me about a time you had to make a trade off between speed and reliability.";

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn speech_into_the_virtual_mic_is_recorded_with_the_right_length_and_shape() {
    let _mic = virtual_mic();
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("answer.wav");
    let engine = CaptureEngine::spawn(SystemClock::shared(), None).expect("spawn");
    engine.start(StartRequest::new(&wav)).expect("start");
    let started = wait_started(&engine);
    eprintln!("started: {started:?}");

    let source = support::speech_wav(dir.path(), "speech", SENTENCE, started.sample_rate, 0.0);
    let (rate, src) = support::read_mono(&source);
    let src_len_s = src.len() as f64 / f64::from(rate);
    // Half a second of quiet first, by the recording's own clock; then the speech, then quiet until 7 s are
    // recorded (long enough for paplay's start-up and the speech), and at least 1 s after the speech.
    let mut levels = Vec::new();
    let played_at = wait_recorded(&engine, Duration::from_millis(500), &mut levels).as_secs_f64();
    let mut player = support::play(&source);
    player.wait().expect("paplay");
    let after_speech = wait_recorded(&engine, Duration::ZERO, &mut levels) + Duration::from_secs(1);
    let stop_at = wait_recorded(&engine, after_speech.max(Duration::from_secs(7)), &mut levels);
    let stop_sent = Instant::now();
    engine.stop().expect("stop");
    let (stopped, more) = wait_stopped(&engine, Duration::from_secs(30));
    let stop_wall = stop_sent.elapsed().as_secs_f64();
    levels.extend(more);
    eprintln!("stopped: {stopped:?}");

    assert_eq!(stopped.reason, StopReason::User);
    assert_eq!(stopped.dropped_frames, 0);
    assert_eq!(stopped.sample_rate, started.sample_rate);
    // Everything recorded up to the stop is kept, and no more than the audio of the time the stop took (half a
    // second of slack for the reported Elapsed trailing the frames and the device's buffers).
    let expected = stop_at.as_secs_f64();
    let got = stopped.duration.as_secs_f64();
    eprintln!("stop sent at {expected:.3} s recorded: {got:.3} s kept, Stopped {stop_wall:.3} s later");
    assert!(
        got >= expected - 0.05 && got <= expected + stop_wall + 0.5,
        "recorded {got:.3} s, stop sent at {expected:.3} s, Stopped {stop_wall:.3} s later"
    );
    let hz = levels.len() as f64 / got;
    assert!((10.0..=30.0).contains(&hz), "{hz:.1} level events per second");

    let (cap_rate, cap) = support::read_mono(&wav);
    assert_eq!(cap_rate, rate);
    assert_eq!(cap.len() as u64, stopped.frames);
    let a = support::align(&cap, &src, rate, 0, cap.len() as i64 - src.len() as i64);
    let lag_s = a.lag as f64 / f64::from(rate);
    eprintln!(
        "alignment: speech found at {lag_s:.3} s in the recording (paplay started {played_at:.3} s \
         after Started, so {:.0} ms playback+capture latency), correlation {:.3}",
        (lag_s - played_at) * 1000.0,
        a.correlation
    );
    assert!(a.correlation > 0.8, "recording does not match the source: {a:?}");
    assert!(
        lag_s >= played_at - 0.05,
        "speech before it was played? {lag_s} < {played_at}"
    );

    let lag = a.lag as usize;
    let during = support::rms_dbfs(&cap[lag..lag + src.len()]);
    let before = support::rms_dbfs(&cap[..lag.saturating_sub(rate as usize / 20)]);
    let after = support::rms_dbfs(&cap[(lag + src.len() + rate as usize / 10).min(cap.len())..]);
    eprintln!("rms dBFS: before {before:.1}, during speech ({src_len_s:.2} s) {during:.1}, after {after:.1}");
    assert!(during > -40.0, "speech too quiet: {during} dBFS");
    assert!(
        before < -60.0 && after < -60.0,
        "not silent around the speech: {before} / {after}"
    );
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn the_time_box_stops_the_recording_by_itself() {
    let _mic = virtual_mic();
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("answer.wav");
    let engine = CaptureEngine::spawn(SystemClock::shared(), None).expect("spawn");
    engine
        .start(StartRequest::new(&wav).with_time_limit(Duration::from_secs(3)))
        .expect("start");
    let started = wait_started(&engine);
    let t0 = Instant::now();
    let mut player = support::play(&support::speech_wav(
        dir.path(),
        "speech",
        SENTENCE,
        started.sample_rate,
        0.0,
    ));
    // The stop is driven by the frames counted, not by a wall-clock timer: how long it took is printed, and
    // the 30 s guard only catches a stuck time-box (still recording well past it).
    let (stopped, _) = wait_stopped(&engine, Duration::from_secs(30));
    let wall = t0.elapsed().as_secs_f64();
    let _ = player.kill();
    let _ = player.wait();
    eprintln!("time-box: {stopped:?} after {wall:.3} s");
    assert_eq!(stopped.reason, StopReason::TimeLimit);
    assert!((stopped.duration.as_secs_f64() - 3.0).abs() <= 0.3, "{stopped:?}");
    let reader = hound::WavReader::open(&wav).expect("complete WAV");
    assert_eq!(u64::from(reader.duration()), stopped.frames);
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn losing_the_audio_server_mid_answer_keeps_what_was_recorded() {
    let _mic = virtual_mic();
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("answer.wav");
    let engine = CaptureEngine::spawn(SystemClock::shared(), None).expect("spawn");
    engine.start(StartRequest::new(&wav)).expect("start");
    let started = wait_started(&engine);
    let source = support::speech_wav(dir.path(), "speech", SENTENCE, started.sample_rate, 0.0);
    let mut player = support::play(&source);
    // Three seconds into the answer, by the recording's own clock, the audio server goes away.
    let killed_at = wait_recorded(&engine, Duration::from_secs(3), &mut Vec::new()).as_secs_f64();
    let kill = Instant::now();
    support::pulse_mic(&["stop"]);
    let kill_s = kill.elapsed().as_secs_f64();
    let _ = player.wait();
    let (stopped, _) = wait_stopped(&engine, Duration::from_secs(30));
    let noticed = kill.elapsed().as_secs_f64() - kill_s;
    support::pulse_mic(&["start"]);
    eprintln!("device lost: {stopped:?}, noticed {noticed:.2} s after the kill");

    let StopReason::DeviceLost(message) = &stopped.reason else {
        panic!("expected DeviceLost, got {stopped:?}");
    };
    assert!(message.contains(&started.device), "{message}");
    assert!(message.contains(&wav.display().to_string()), "{message}");
    // All recorded before the kill is kept; after it, at most the audio of the time stopping the server took.
    let got = stopped.duration.as_secs_f64();
    assert!(
        got >= killed_at - 0.05 && got <= killed_at + kill_s + 0.5,
        "kept {got:.3} s; {killed_at:.3} s were recorded when stopping the server began, which took {kill_s:.2} s"
    );
    let (_, cap) = support::read_mono(&wav);
    assert_eq!(cap.len() as u64, stopped.frames);
    assert!(support::rms_dbfs(&cap) > -50.0, "the speech before the loss is kept");
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn bad_device_or_path_is_a_clear_error_and_devices_are_listed() {
    let _mic = virtual_mic();
    let devices = list_input_devices().expect("list devices");
    let default = devices.iter().find(|d| d.is_default).expect("a default input");
    let config = default.default_config.expect("default config");
    eprintln!("default input: {default:?}");
    assert!(config.channels >= 1 && config.sample_rate >= 8_000);

    let engine = CaptureEngine::spawn(SystemClock::shared(), None).expect("spawn");
    engine
        .start(StartRequest::new("/tmp/x.wav").with_device("no such mic"))
        .expect("start");
    match next_event(&engine, Duration::from_secs(10)) {
        CaptureEvent::Error(e @ CaptureError::DeviceNotFound { .. }) => {
            assert!(e.to_string().contains("no such mic"), "{e}");
        }
        other => panic!("expected DeviceNotFound, got {other:?}"),
    }
    let bad = Path::new("/nonexistent-folder/answer.wav");
    engine.start(StartRequest::new(bad)).expect("start");
    match next_event(&engine, Duration::from_secs(10)) {
        CaptureEvent::Error(e @ CaptureError::CreateFile { .. }) => {
            assert!(e.to_string().contains("/nonexistent-folder/answer.wav"), "{e}");
        }
        other => panic!("expected CreateFile, got {other:?}"),
    }
    // By id, too.
    let wav = tempfile::tempdir().expect("tempdir");
    let path = wav.path().join("a.wav");
    engine
        .start(
            StartRequest::new(&path)
                .with_device(default.id.clone())
                .with_time_limit(Duration::from_secs(1)),
        )
        .expect("start");
    let started = wait_started(&engine);
    assert_eq!(started.sample_rate, config.sample_rate);
    let (stopped, _) = wait_stopped(&engine, Duration::from_secs(5));
    assert_eq!(stopped.reason, StopReason::TimeLimit);
}
