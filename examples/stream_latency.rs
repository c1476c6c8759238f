//! Stop → transcript for a 3-minute answer transcribed while it is "recorded": the espeak-ng answer from
//! `benches/answer-3min.txt` is written into a WAV file at real pace (48 kHz 16-bit mono, header rewritten
//! every 250 ms, as the capture engine does) while a `Streamer` tails it; at the end of the file the time
//! `finish()` takes is what the person waits for. Also prints batch transcription of the same file.
//!
//! `cargo run --release --example stream_latency [-- SPEED [MODEL]]` (SPEED 1 = real pace, the default;
//! MODEL defaults to the default model). Needs espeak-ng and sox. Takes as long as the answer at SPEED 1.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rehearse::asr::models;
use rehearse::asr::stream::{StreamOptions, Streamer};
use rehearse::asr::whisper::{Model, Options, word_error_rate};
use rehearse::audio::decode;
use rehearse::audio::wav::WavSink;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let speed: f64 = args.next().map_or(Ok(1.0), |s| s.parse())?;
    let model_name = args.next().unwrap_or_else(|| models::DEFAULT_MODEL.into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_file = root.join("benches/answer-3min.txt");
    let reference = std::fs::read_to_string(&text_file)?;
    let dir = tempfile::tempdir()?;
    let raw = dir.path().join("raw.wav");
    let wav = dir.path().join("answer.wav");
    let ok = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(&raw)
        .arg("-f")
        .arg(&text_file)
        .status()?
        .success()
        && Command::new("sox")
            .arg(&raw)
            .args(["-r", "48000", "-c", "1", "-b", "16"])
            .arg(&wav)
            .status()?
            .success();
    anyhow::ensure!(ok, "espeak-ng and sox are needed");
    let model = Arc::new(Model::load(&models::resolve(&model_name).map_err(anyhow::Error::msg)?)?);
    let answer = decode::read_wav_mono(&wav)?;
    eprintln!("{:.1} s answer, written at {speed}x real time", answer.duration_s());

    // `STREAM_ONLY=full` (or `fitted`) runs one variant.
    let only = std::env::var("STREAM_ONLY").ok();
    for (label, margin) in [("full audio_ctx", None), ("fitted audio_ctx", Some(1.0))] {
        if only.as_deref().is_some_and(|o| !label.starts_with(o)) {
            continue;
        }
        let dest = dir.path().join("rec.wav");
        let opts = StreamOptions {
            audio_ctx_margin_s: margin,
            ..StreamOptions::default()
        };
        let streamer = Streamer::start(&dest, Arc::clone(&model), opts)?;
        let mut sink = WavSink::create(&dest, answer.rate)?;
        let block = answer.rate as usize / 10;
        let started = Instant::now();
        for (i, b) in answer.samples.chunks(block).enumerate() {
            sink.write(b)?;
            if i % 3 == 2 {
                sink.flush()?;
            }
            let due = Duration::from_secs_f64((i + 1) as f64 * 0.1 / speed);
            std::thread::sleep(due.saturating_sub(started.elapsed()));
        }
        sink.finalize()?;
        let chunks = streamer.progress().chunks;
        let stop = Instant::now();
        let t = streamer.finish()?;
        println!(
            "{label}: Stop → transcript {:.2} s ({chunks} chunks done before Stop), WER {:.3}",
            stop.elapsed().as_secs_f64(),
            word_error_rate(&reference, &t.text)
        );
    }
    let (samples, _) = decode::load_for_whisper(&wav)?;
    let t0 = Instant::now();
    let batch = model.transcribe(&samples, &Options::default(), |_| {}, Arc::new(AtomicBool::new(false)))?;
    println!(
        "batch over the whole file: {:.2} s, WER {:.3}",
        t0.elapsed().as_secs_f64(),
        word_error_rate(&reference, &batch.text)
    );
    Ok(())
}
