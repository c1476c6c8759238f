//! How to cut and feed an answer to Whisper: the whole file at once against the windows the stream uses
//! and its earlier chunked path (`StreamOptions::windows` off: cut at pauses, encoder context fitted to each
//! chunk, the previous chunk's last words as the prompt), with seconds and word error rate for each
//! variant, on the 3-minute answer and on the spoken fixtures. `cargo run --release --example chunk_levers [-- MODEL]` (default: the default model).
//! `target/bench-answer-3min.wav` is made by `scripts/bench-anchor.sh` (`make bench`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rehearse::asr::chunker::ChunkerConfig;
use rehearse::asr::models;
use rehearse::asr::stream::{StreamOptions, transcribe_chunked};
use rehearse::asr::whisper::{Model, Options, word_error_rate};
use rehearse::audio::decode;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| models::DEFAULT_MODEL.to_owned());
    let model = Model::load(&models::resolve(&name).map_err(anyhow::Error::msg)?)?;
    let mut files = vec![(
        root.join("target/bench-answer-3min.wav"),
        root.join("benches/answer-3min.txt"),
    )];
    for f in ["speech", "answer-cache", "answer-fillers", "answer-pipeline"] {
        files.push((
            root.join(format!("tests/fixtures/{f}.wav")),
            root.join(format!("tests/fixtures/{f}.txt")),
        ));
    }
    // `ONLY_EXTRA=1`: just the recordings in EXTRA.
    if std::env::var_os("ONLY_EXTRA").is_some() {
        files.clear();
    }
    // `EXTRA=a.wav:a.txt,b.wav:b.txt` adds recordings and their reference texts.
    for pair in std::env::var("EXTRA")
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
    {
        let (wav, txt) = pair.split_once(':').unwrap_or((pair, ""));
        files.push((wav.into(), txt.into()));
    }
    let only = std::env::var("LEVERS").ok();
    // `THREADS=1` measures word error rates on a busy machine (the words do not depend on threads).
    let threads: Option<i32> = std::env::var("THREADS").ok().and_then(|t| t.parse().ok());
    let whole = Options {
        threads,
        ..Options::default()
    };
    let variants: Vec<(&str, Option<StreamOptions>)> = vec![
        ("whole file", None),
        ("windows", Some(StreamOptions::default())),
        (
            "windows full tail",
            Some(StreamOptions {
                tail_audio_ctx_margin_s: None,
                ..StreamOptions::default()
            }),
        ),
        (
            "chunks 8-25 s",
            Some(StreamOptions {
                windows: false,
                ..StreamOptions::default()
            }),
        ),
        ("8-25 fitted", Some(opts(8.0, 25.0, Some(1.0), 0))),
        ("8-25 fitted prompt", Some(opts(8.0, 25.0, Some(1.0), 32))),
        ("4-12 fitted prompt", Some(opts(4.0, 12.0, Some(1.0), 32))),
        ("6-15 fitted prompt", Some(opts(6.0, 15.0, Some(1.0), 32))),
        ("6-15 fitted", Some(opts(6.0, 15.0, Some(1.0), 0))),
        ("10-20 fitted prompt", Some(opts(10.0, 20.0, Some(1.0), 32))),
        ("full 8-25 prompt", Some(opts(8.0, 25.0, None, 32))),
        ("full 15-28 prompt", Some(opts(15.0, 28.0, None, 32))),
        ("full 15-28 cold", Some(opts(15.0, 28.0, None, 0))),
        ("full 8-25 prompt64", Some(opts(8.0, 25.0, None, 64))),
        ("margin3 8-25 prompt", Some(opts(8.0, 25.0, Some(3.0), 32))),
        ("margin5 12-25 prompt", Some(opts(12.0, 25.0, Some(5.0), 32))),
    ];
    println!("model {name}");
    for (label, variant) in variants {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|v| label.starts_with(v)))
        {
            continue;
        }
        let (mut secs, mut wers) = (0.0, Vec::new());
        let mut first = String::new();
        for (i, (wav, txt)) in files.iter().enumerate() {
            if !wav.is_file() {
                continue;
            }
            let reference = std::fs::read_to_string(txt)?;
            let (samples, _) = decode::load_for_whisper(wav)?;
            let cancel = Arc::new(AtomicBool::new(false));
            let t = Instant::now();
            let transcript = match &variant {
                None => model.transcribe(&samples, &whole, |_| {}, cancel)?,
                Some(o) => {
                    let mut o = o.clone();
                    o.whisper.threads = threads;
                    transcribe_chunked(&model, &samples, &o, |_| {}, &cancel)?
                }
            };
            let s = t.elapsed().as_secs_f64();
            let wer = word_error_rate(&reference, &transcript.text);
            // `PRINT=1` prints every transcript.
            if std::env::var_os("PRINT").is_some() {
                println!("{label} | {} | {wer:.3} | {}", wav.display(), transcript.text);
            }
            if i == 0 {
                first = format!("3-min {s:>6.2} s WER {wer:.3}");
            }
            secs += s;
            wers.push(wer);
        }
        let mean = wers.iter().sum::<f64>() / wers.len().max(1) as f64;
        let each: Vec<String> = wers.iter().map(|w| format!("{w:.3}")).collect();
        println!(
            "{label:<22} {first}   all {} files: {secs:>6.2} s, mean WER {mean:.3} (each {})",
            wers.len(),
            each.join(" ")
        );
    }
    Ok(())
}

fn opts(min_s: f64, max_s: f64, margin: Option<f64>, prompt_words: usize) -> StreamOptions {
    StreamOptions {
        chunker: ChunkerConfig {
            min_s,
            max_s,
            ..ChunkerConfig::default()
        },
        audio_ctx_margin_s: margin,
        prompt_words,
        windows: false,
        ..StreamOptions::default()
    }
}
