//! What Stop leaves to transcribe when a time-box cuts an answer mid-sentence, over many cut points: the
//! answer (default `target/bench-latency/answer.wav`, the 3-minute espeak-ng answer of `make bench-latency`)
//! is written into a growing WAV as the capture engine writes one (10 times faster than real time, the last
//! 40 s before the cut `SPEED` times, default 2, so that the stream has time to settle as it does in real
//! time), while a [`Streamer`] with the time-box (`StreamOptions::ends_at`) tails it; at the cut, the
//! stream is finished. Prints, per cut: seconds left to transcribe at Stop, `finish` wall time, words, and
//! the last words (to see that nothing at the end was lost); then the median and worst `finish`.
//! `SETTLE=0` runs without the time-box (no settling), to compare.
//! `cargo run --release --example stream_cut -- [WAV [FIRST LAST STEP [MODEL]]]` (default 146 174 4).
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rehearse::asr::models;
use rehearse::asr::stream::{StreamOptions, Streamer};
use rehearse::asr::whisper::Model;
use rehearse::audio::decode;
use rehearse::audio::wav::WavSink;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let wav: PathBuf = args
        .next()
        .map_or_else(|| root.join("target/bench-latency/answer.wav"), Into::into);
    let first: f64 = args.next().map_or(Ok(146.0), |s| s.parse())?;
    let last: f64 = args.next().map_or(Ok(174.0), |s| s.parse())?;
    let step: f64 = args.next().map_or(Ok(4.0), |s| s.parse())?;
    let name = args.next().unwrap_or_else(|| "tiny.en-q8_0".into());
    let speed: f64 = std::env::var("SPEED").map_or(Ok(2.0), |s| s.parse())?;
    let settle = std::env::var("SETTLE").map_or(true, |v| v != "0");
    let mono = decode::read_wav_mono(&wav)?;
    let model = Arc::new(Model::load(&models::resolve(&name).map_err(anyhow::Error::msg)?)?);
    let dir = tempfile::tempdir()?;
    let mut times = Vec::new();
    let mut cut = first;
    while cut <= last + 1e-9 {
        let n = ((cut * f64::from(mono.rate)) as usize).min(mono.samples.len());
        let dest = dir.path().join(format!("cut-{cut}.wav"));
        let opts = StreamOptions {
            ends_at: settle.then(|| Duration::from_secs_f64(cut)),
            ..StreamOptions::default()
        };
        let streamer = Streamer::start(&dest, Arc::clone(&model), opts)?;
        let mut sink = WavSink::create(&dest, mono.rate)?;
        let block = mono.rate as usize / 10;
        let slow_from = n.saturating_sub(40 * mono.rate as usize) / block;
        for (i, b) in mono.samples[..n].chunks(block).enumerate() {
            sink.write(b)?;
            if i % 3 == 2 {
                sink.flush()?;
            }
            std::thread::sleep(Duration::from_secs_f64(0.1 / if i < slow_from { 10.0 } else { speed }));
        }
        sink.finalize()?;
        let left = cut - streamer.progress().transcribed_s;
        let t0 = Instant::now();
        let t = streamer.finish()?;
        let took = t0.elapsed().as_secs_f64();
        times.push(took);
        let tail: Vec<&str> = t.words.iter().rev().take(6).rev().map(|w| w.text.as_str()).collect();
        println!(
            "cut {cut:.0} s: {left:.1} s left at Stop, finish {took:.3} s, {} words, ends \"{}\"",
            t.words.len(),
            tail.join(" ")
        );
        cut += step;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "finish: median {:.3} s, worst {:.3} s over {} cuts",
        times[times.len() / 2],
        times.last().copied().unwrap_or(0.0),
        times.len()
    );
    Ok(())
}
