//! Transcription speed on this machine: the 15 s spoken fixture and a 3-minute spoken answer (made
//! with espeak-ng from `benches/answer-3min.txt`), for each installed tiny.en variant (f16, q8_0, q5_*).
//! Run with `cargo bench --bench transcribe` (or `make bench`). Prints seconds, real-time factor and WER,
//! and for the 3-minute answer the time ratio to faster-whisper int8 on the same file and weights when
//! `scripts/bench-anchor.sh` (run by `make bench` first) has left its result in `target/bench-anchor.json`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rehearse::asr::{models, whisper};
use rehearse::audio::decode;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long_text = root.join("benches/answer-3min.txt");
    let long_wav = root.join("target/bench-answer-3min.wav");
    if !long_wav.exists() {
        let ok = Command::new("espeak-ng")
            .args(["-v", "en-us", "-s", "150", "-w"])
            .arg(&long_wav)
            .arg("-f")
            .arg(&long_text)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "espeak-ng is needed to make the 3-minute answer (run `make setup`)");
    }
    let inputs: Vec<(PathBuf, String)> = vec![
        (
            root.join("tests/fixtures/speech.wav"),
            std::fs::read_to_string(root.join("tests/fixtures/speech.txt")).unwrap_or_default(),
        ),
        (long_wav, std::fs::read_to_string(&long_text).unwrap_or_default()),
    ];
    let anchor_s = std::fs::read_to_string(root.join("target/bench-anchor.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|j| j["seconds"].as_f64());
    if let Some(a) = anchor_s {
        println!("anchor: faster-whisper int8, 2 threads, greedy: {a:.2} s on the 3-minute answer");
    }
    let variants: Vec<_> = models::list()
        .into_iter()
        .filter(|m| m.name.starts_with("tiny.en"))
        .collect();
    if variants.is_empty() {
        eprintln!("no tiny.en models installed; run `make setup`");
        return;
    }
    println!(
        "{:<16} {:>9} {:>8} {:>9} {:>7} {:>6}",
        "model", "size", "audio_s", "transc_s", "RTF", "WER"
    );
    for m in variants {
        let t0 = Instant::now();
        let Ok(model) = whisper::Model::load(&m.path) else {
            continue;
        };
        let load_s = t0.elapsed().as_secs_f64();
        for (wav, reference) in &inputs {
            let Ok((samples, dur)) = decode::load_for_whisper(wav) else {
                continue;
            };
            let t = Instant::now();
            let out = model.transcribe(
                &samples,
                &whisper::Options::default(),
                |_| {},
                Arc::new(AtomicBool::new(false)),
            );
            let secs = t.elapsed().as_secs_f64();
            let wer = out
                .as_ref()
                .map_or(f64::NAN, |tr| whisper::word_error_rate(reference, &tr.text));
            let ratio = match anchor_s {
                Some(a) if dur > 60.0 => format!("   ratio to faster-whisper {:.2}", secs / a),
                _ => String::new(),
            };
            println!(
                "{:<16} {:>9} {:>8.1} {:>9.2} {:>7.3} {:>6.3}   (load {load_s:.2} s){ratio}",
                m.name,
                models::human_size(m.size_bytes),
                dur,
                secs,
                secs / dur,
                wer
            );
        }
    }
}
