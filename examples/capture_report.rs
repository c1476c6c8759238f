//! Measures the capture engine on a full 3-minute answer through the real audio path (cpal → ALSA
//! → PulseAudio virtual microphone): dropped samples, CPU used by the `rehearse-capture` worker
//! (and by cpal's audio thread), and how the recording lines up with what was played — offset at
//! the start and at the end (drift) and duration.
//!
//! Run: `cargo run --release --example capture_report [seconds]` (default 180 = the time-box).
//! Starts the virtual microphone with `tests/pulse-mic.sh start` if it is not running.

#[path = "../tests/support/mod.rs"]
#[allow(clippy::unwrap_used, clippy::cast_precision_loss, clippy::cast_possible_truncation)]
mod support;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rehearse::audio::capture::{CaptureEngine, CaptureEvent, StartRequest, THREAD_NAME};
use rehearse::audio::clock::SystemClock;

const PARAGRAPHS: &[&str] = &[
    "First, I would restate the problem: we need a rate limiter for a public API, about ten thousand requests per second.",
    "Second, the main trade off is accuracy against cost. A token bucket per client in memory is fast but not shared.",
    "Third, a shared store such as Redis gives one view of every client, at the price of a network round trip.",
    "Fourth, I would start with a sliding window counter, because it is simple and its error is small.",
    "Fifth, for failure modes: if the store is down, we fail open for reads and closed for writes.",
    "Sixth, to test it, I would replay production traffic and compare the rejected requests with the expected ones.",
    "Seventh, monitoring: the rejection rate per client, store latency, and alerts when either moves suddenly.",
    "Eighth, to summarise: a sliding window in a shared store, failing open, with clear limits per client.",
];

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(180);
    support::pulse_mic(&["start"]);
    let dir = tempfile::tempdir()?;

    // Engine first: the WAV's rate is the device's, and the source is made at that rate.
    let engine = CaptureEngine::spawn(SystemClock::shared(), None)?;
    let wav = dir.path().join("answer.wav");
    let probe = dir.path().join("probe.wav");
    engine.start(StartRequest::new(&probe).with_time_limit(Duration::from_millis(200)))?;
    let rate = loop {
        match engine.events().recv_timeout(Duration::from_secs(10))? {
            CaptureEvent::Started(s) => break s.sample_rate,
            CaptureEvent::Error(e) => bail!("{e}"),
            _ => {}
        }
    };
    while !matches!(
        engine.events().recv_timeout(Duration::from_secs(5))?,
        CaptureEvent::Stopped(_)
    ) {}

    // A spoken source a little shorter than the recording, numbered so no stretch repeats exactly.
    let mut text = String::new();
    let mut round = 0;
    let src_target = seconds.saturating_sub(6) as f64;
    let source = loop {
        round += 1;
        for p in PARAGRAPHS {
            text.push_str(&format!("Round {round}. {p} "));
        }
        let s = support::speech_wav(dir.path(), "source-full", &text, rate, 0.0);
        let (_, samples) = support::read_mono(&s);
        if samples.len() as f64 / f64::from(rate) >= src_target {
            break s;
        }
    };
    let trimmed = dir.path().join("source.wav");
    support::run(std::process::Command::new("sox").arg(&source).arg(&trimmed).args([
        "trim",
        "0",
        &src_target.to_string(),
    ]));
    let (_, src) = support::read_mono(&trimmed);
    let src_s = src.len() as f64 / f64::from(rate);

    let cpu_before = support::thread_cpu_seconds(THREAD_NAME);
    let cpal_before = support::thread_cpu_seconds("cpal");
    let proc_before = support::process_cpu_seconds();
    engine.start(StartRequest::new(&wav).with_time_limit(Duration::from_secs(seconds)))?;
    let started = loop {
        match engine.events().recv_timeout(Duration::from_secs(10))? {
            CaptureEvent::Started(s) => break s,
            CaptureEvent::Error(e) => bail!("{e}"),
            _ => {}
        }
    };
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    let played_at = t0.elapsed().as_secs_f64();
    let mut player = support::play(&trimmed);
    let mut levels = 0u64;
    let mut peak_level = -100f32;
    // CPU is sampled 1 s before the time-box, while cpal's thread still exists.
    let mut cpu_sample: Option<(f64, f64, f64, f64)> = None;
    let outcome = loop {
        match engine.events().recv_timeout(Duration::from_secs(seconds + 30)) {
            Ok(CaptureEvent::Elapsed { remaining, .. })
                if remaining <= Duration::from_secs(1) && cpu_sample.is_none() =>
            {
                cpu_sample = Some((
                    t0.elapsed().as_secs_f64(),
                    support::thread_cpu_seconds(THREAD_NAME) - cpu_before,
                    support::thread_cpu_seconds("cpal") - cpal_before,
                    support::process_cpu_seconds() - proc_before,
                ));
            }
            Ok(CaptureEvent::Stopped(s)) => break Ok(s),
            Ok(CaptureEvent::Level(l)) => {
                levels += 1;
                peak_level = peak_level.max(l.rms_dbfs);
            }
            Ok(CaptureEvent::Error(e)) => break Err(anyhow::Error::new(e)),
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    let wall = t0.elapsed().as_secs_f64();
    let (cpu_wall, cpu, cpal_cpu, proc_cpu) = cpu_sample.unwrap_or_default();
    let _ = player.wait();
    let stopped = outcome?;
    let threads = support::thread_names();

    let (cap_rate, cap) = support::read_mono(&wav);
    anyhow::ensure!(cap_rate == rate, "rate changed");
    let r = f64::from(rate);
    // Offset of the first and last 10 s of the source in the recording.
    let seg = (10.0 * r) as usize;
    let head = support::align(&cap, &src[..seg], rate, 0, (5.0 * r) as i64);
    let tail_start = src.len() - seg;
    let guess = head.lag + tail_start as i64;
    let tail = support::align(
        &cap,
        &src[tail_start..],
        rate,
        guess - (r * 0.5) as i64,
        guess + (r * 0.5) as i64,
    );
    let tail_offset = tail.lag - tail_start as i64;
    let drift_ms = (tail_offset - head.lag) as f64 / r * 1000.0;

    println!(
        "device: {} ({} Hz, {} ch, {}), startup {:?}",
        started.device, started.sample_rate, started.channels, started.sample_format, started.startup
    );
    println!(
        "recording: {:.3} s in the file, {:.3} s wall clock from Started to Stopped, reason {:?}",
        stopped.duration.as_secs_f64(),
        wall,
        stopped.reason
    );
    println!("dropped frames: {}   xruns: {}", stopped.dropped_frames, stopped.xruns);
    println!(
        "level events: {levels} ({:.1} Hz), loudest window {peak_level:.1} dBFS RMS",
        levels as f64 / stopped.duration.as_secs_f64()
    );
    println!(
        "CPU over {cpu_wall:.1} s: {THREAD_NAME} {cpu:.2} s = {:.2}% of one core; cpal audio thread {cpal_cpu:.2} s = \
         {:.2}%; whole process {proc_cpu:.2} s = {:.2}%",
        100.0 * cpu / cpu_wall,
        100.0 * cpal_cpu / cpu_wall,
        100.0 * proc_cpu / cpu_wall
    );
    println!("threads: {threads:?}");
    println!("source: {src_s:.3} s, paplay started {played_at:.3} s after Started");
    println!(
        "alignment: head offset {:.4} s (corr {:.3}), tail offset {:.4} s (corr {:.3}), drift over {:.0} s: {drift_ms:.2} ms",
        head.lag as f64 / r,
        head.correlation,
        tail_offset as f64 / r,
        tail.correlation,
        (tail_start as f64) / r
    );
    println!(
        "playback → capture latency (head offset − paplay start): {:.0} ms",
        (head.lag as f64 / r - played_at) * 1000.0
    );
    let file_len = std::fs::metadata(&wav).context("wav")?.len();
    println!("file: {file_len} bytes");
    Ok(())
}
