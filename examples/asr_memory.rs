//! Resident memory of transcription, step by step, with no window or microphone around it: the process
//! after loading the audio and the model, after creating the Whisper state, after each 30 s window of
//! the stream's path ([`Model::transcribe_window`], then the rest), and for batch transcription of the
//! whole file. Prints `(resident, peak)` in MB after each step and how far apart the two paths' words
//! are. `cargo run --release --example asr_memory [-- WAV [MODEL]]` (default: the 3-minute answer of
//! `make bench` and `tiny.en-q8_0`). The whole app's peak is measured by `make bench-latency`.
use std::path::Path;
use std::sync::{Arc, atomic::AtomicBool};

use rehearse::asr::models;
use rehearse::asr::whisper::{Model, Options, Windows};
use rehearse::audio::decode;

/// (resident, peak resident) of this process in MB.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kb("VmRSS:") / 1024, kb("VmHWM:") / 1024)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let wav = args.next().unwrap_or_else(|| "target/bench-answer-3min.wav".into());
    let name = args.next().unwrap_or_else(|| "tiny.en-q8_0".into());
    let (samples, _) = decode::load_for_whisper(Path::new(&wav))?;
    eprintln!("audio loaded          {:?}", rss());
    let model = Model::load(&models::resolve(&name).map_err(anyhow::Error::msg)?)?;
    eprintln!("model {name} loaded  {:?}", rss());
    let opts = Options::default();
    let cancel = || Arc::new(AtomicBool::new(false));
    let mut windows = model.windows()?;
    eprintln!("state created         {:?}", rss());
    let (mut at, mut streamed) = (0, String::new());
    let t = std::time::Instant::now();
    while samples.len() - at > Windows::MIN_INPUT {
        let (part, len) = model.transcribe_window(&mut windows, &samples, at, &opts, cancel())?;
        streamed.push_str(&part.text);
        streamed.push(' ');
        at += len;
        eprintln!("window to {:>6.1} s     {:?}", at as f64 / 16_000.0, rss());
    }
    streamed.push_str(&model.transcribe_rest(&mut windows, &samples, at, &opts, cancel())?.text);
    eprintln!("rest ({:.2} s in all)  {:?}", t.elapsed().as_secs_f64(), rss());
    drop(windows);
    let t = std::time::Instant::now();
    let whole = model.transcribe(&samples, &opts, |_| {}, cancel())?;
    eprintln!("batch ({:.2} s)        {:?}", t.elapsed().as_secs_f64(), rss());
    let wer = rehearse::asr::whisper::word_error_rate(&whole.text, &streamed);
    eprintln!("windows against the whole file: word error rate {wer:.3} (0 = the same words)");
    Ok(())
}
