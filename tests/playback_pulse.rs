//! The playback engine through a real audio path: cpal's ALSA host → ALSA's PulseAudio plugin → a
//! PulseAudio null sink "mic" (started by `tests/pulse-mic.sh`, shared with the capture tests). We record
//! the sink's monitor with `parec` while playing an espeak-ng clip and check the sound came out: loud
//! enough, as long as the clip at 1.0×, and shorter by the speed factor at 1.5×.
//!
//! Needs pulseaudio, pulseaudio-utils, libasound2-plugins and espeak-ng. `#[ignore]`d, so a
//! plain `cargo test` reports it as skipped; scripts/test.sh runs it. Run alone (it shares the PulseAudio daemon with capture tests).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rehearse::audio::playback::{Playback, PlaybackCommand, PlaybackEvent};

/// Rate `parec` records at; the analysis works on this.
const REC_RATE: u32 = 16_000;

/// Starts (or reuses) the shared virtual sink; when dropped, stops the daemon only if this test started
/// it (the test run that starts a daemon stops it), even if the test panics.
struct VirtualSink {
    started: bool,
}

impl VirtualSink {
    fn start() -> Self {
        let started = support::pulse_mic(&["start"]).contains("started daemon");
        support::run(Command::new("pactl").args(["set-default-sink", "mic"]));
        Self { started }
    }
}

impl Drop for VirtualSink {
    fn drop(&mut self) {
        if self.started {
            support::pulse_mic(&["stop"]);
        }
    }
}

/// Records the sink's monitor as raw 16-bit mono at [`REC_RATE`] into `path` until [`stop_recording`].
fn start_recording(path: &Path) -> Child {
    let file = std::fs::File::create(path).expect("create recording file");
    Command::new("parec")
        .args(["-d", "mic.monitor", "--raw", "--format=s16le", "--channels=1"])
        .arg(format!("--rate={REC_RATE}"))
        .stdout(Stdio::from(file))
        .spawn()
        .expect("start parec")
}

/// Stops `parec` with SIGINT (so it flushes) and reads what it recorded.
fn stop_recording(mut child: Child, path: &Path) -> Vec<f32> {
    let _ = Command::new("kill").arg("-INT").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(3);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if child.try_wait().ok().flatten().is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let bytes = std::fs::read(path).expect("read recording");
    bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

/// Seconds from the first to the last 10 ms window whose RMS is above a tenth of the loudest window's,
/// and that loudest RMS. Robust to silence before and after, and to pauses between words.
fn active_span(samples: &[f32], rate: u32) -> (f64, f32) {
    let win = (rate / 100) as usize;
    let rms: Vec<f32> = samples
        .chunks(win)
        .map(|w| (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt())
        .collect();
    let loudest = rms.iter().copied().fold(0.0_f32, f32::max);
    let threshold = (loudest * 0.1).max(1e-3);
    let first = rms.iter().position(|&r| r > threshold);
    let last = rms.iter().rposition(|&r| r > threshold);
    match (first, last) {
        (Some(a), Some(b)) => ((b + 1 - a) as f64 * 0.01, loudest),
        _ => (0.0, loudest),
    }
}

fn next_event(p: &Playback, timeout: Duration) -> PlaybackEvent {
    p.events().recv_timeout(timeout).expect("playback event within timeout")
}

/// Plays the loaded clip from 0 at `speed` while recording; returns (recording, reported positions, wall time).
fn play_and_record(p: &Playback, dir: &Path, speed: f32) -> (Vec<f32>, Vec<f64>, f64) {
    let rec_path = dir.join(format!("played-{speed}.raw"));
    let recorder = start_recording(&rec_path);
    // Play only once parec is really recording (0.4 s in its file: past its start-up), so the start of the
    // clip is not lost.
    let recorded = || std::fs::metadata(&rec_path).map_or(0, |m| m.len()) / 2;
    support::wait_for("parec to record", Duration::from_secs(30), || {
        recorded() >= u64::from(REC_RATE) * 2 / 5
    });
    p.send(PlaybackCommand::Seek(0.0));
    p.send(PlaybackCommand::SetSpeed(speed));
    assert_eq!(next_event(p, Duration::from_secs(30)), PlaybackEvent::Position(0.0));
    let started = Instant::now();
    p.send(PlaybackCommand::Play);
    let mut positions = Vec::new();
    loop {
        match next_event(p, Duration::from_secs(30)) {
            PlaybackEvent::Position(t) => positions.push(t),
            PlaybackEvent::Finished => break,
            other => panic!("unexpected event while playing: {other:?}"),
        }
    }
    let wall = started.elapsed().as_secs_f64();
    // The clip's last samples leave the device after Finished: stop once parec has recorded 0.6 s more.
    let at_finish = recorded();
    support::wait_for("the clip's tail in the recording", Duration::from_secs(30), || {
        recorded() >= at_finish + u64::from(REC_RATE) * 3 / 5
    });
    (stop_recording(recorder, &rec_path), positions, wall)
}

#[test]
#[ignore = "needs the PulseAudio virtual microphone; scripts/test.sh runs it (cargo test -- --ignored)"]
fn playback_reaches_a_real_sink_at_the_right_length_and_speed() {
    let dir: PathBuf = std::env::temp_dir().join(format!("rehearse-playback-pulse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let clip = dir.join("clip.wav");
    support::run(
        Command::new("espeak-ng")
            .args(["-s", "170", "-w"])
            .arg(&clip)
            .arg("Consistent hashing keeps most keys in place when a shard is added."),
    );
    let (clip_rate, clip_samples) = support::read_mono(&clip);
    let clip_duration = clip_samples.len() as f64 / f64::from(clip_rate);
    let (clip_span, _) = active_span(&clip_samples, clip_rate);
    assert!(clip_span > 1.5, "espeak clip is only {clip_span:.2} s of speech");

    let _sink = VirtualSink::start();
    let p = Playback::spawn(None).expect("spawn playback");
    p.send(PlaybackCommand::Load { path: clip.clone() });
    match next_event(&p, Duration::from_secs(10)) {
        PlaybackEvent::Loaded { duration_s } => assert!((duration_s - clip_duration).abs() < 1e-3),
        other => panic!("expected Loaded (is ALSA routed to PulseAudio?), got {other:?}"),
    }
    assert_eq!(next_event(&p, Duration::from_secs(2)), PlaybackEvent::Position(0.0));

    for speed in [1.0_f32, 1.5] {
        let (recorded, positions, wall) = play_and_record(&p, &dir, speed);
        let (span, loudest) = active_span(&recorded, REC_RATE);
        let expected = clip_span / f64::from(speed);
        eprintln!(
            "speed {speed}: clip speech {clip_span:.2} s, recorded speech {span:.2} s (expected {expected:.2}), \
             loudest window {loudest:.3}, wall {wall:.2} s, {} position events",
            positions.len()
        );
        assert!(
            loudest > 0.02,
            "speed {speed}: the sink heard nothing (loudest 10 ms RMS {loudest})"
        );
        assert!(
            (span - expected).abs() < 0.25,
            "speed {speed}: recorded {span:.2} s of speech, expected {expected:.2}"
        );
        // The speed is checked above by the sound itself (the speech recorded from the sink is shorter by the
        // factor). The wall time of playing and the rate of position events (about 30 Hz) depend on how busy the
        // machine is, so they are printed for the record, not held to a number.
        let nominal = clip_duration / f64::from(speed);
        let rate = positions.len() as f64 / wall;
        eprintln!(
            "speed {speed}: played in {wall:.2} s (nominal {nominal:.2} s), {rate:.1} position events per second"
        );
        assert!(
            positions.windows(2).all(|w| w[1] >= w[0]),
            "positions went backwards: {positions:?}"
        );
        assert!((positions.last().copied().unwrap_or_default() - clip_duration).abs() < 1e-6);
        // Positions are reported while playing, not only at the start and the end.
        assert!(
            positions.iter().any(|&t| t > 0.0 && t < clip_duration),
            "speed {speed}: no position reported while playing: {positions:?}"
        );
    }
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}
