//! Which whisper.cpp settings make batch transcription of a 3-minute answer faster, and what they cost in
//! accuracy: each variant transcribes `target/bench-answer-3min.wav` (made by `scripts/bench-anchor.sh` or
//! `cargo bench --bench transcribe`) and prints seconds and word error rate against
//! `benches/answer-3min.txt`. `cargo run --release --example asr_levers [-- MODEL...]`.

use std::path::Path;
use std::time::Instant;

use rehearse::asr::{models, whisper::word_error_rate};
use rehearse::audio::decode;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `LEVERS_WAV` and `LEVERS_TXT` choose another recording and its reference text.
    let wav = std::env::var_os("LEVERS_WAV").map_or_else(|| root.join("target/bench-answer-3min.wav"), Into::into);
    let txt = std::env::var_os("LEVERS_TXT").map_or_else(|| root.join("benches/answer-3min.txt"), Into::into);
    let reference = std::fs::read_to_string(txt)?;
    let (samples, dur) = decode::load_for_whisper(&wav)?;
    println!("{}", whisper_rs::print_system_info());
    let names: Vec<String> = std::env::args().skip(1).collect();
    let names = if names.is_empty() {
        vec!["tiny.en".to_owned(), "tiny.en-q8_0".to_owned()]
    } else {
        names
    };
    rehearse::asr::whisper::quiet_logs();
    for name in names {
        let path = models::resolve(&name).map_err(anyhow::Error::msg)?;
        for flash in [false, true] {
            let mut cp = WhisperContextParameters::default();
            cp.flash_attn(flash);
            let ctx = WhisperContext::new_with_params(path.display().to_string(), cp)?;
            type Tweak = fn(&mut FullParams);
            let variants: Vec<(&str, i32, Tweak)> = vec![
                ("1 thread", 1, |_| {}),
                ("default", 2, |_| {}),
                ("no token timestamps", 2, |p| p.set_token_timestamps(false)),
                ("no fallback", 2, |p| p.set_temperature_inc(0.0)),
                ("no context", 2, |p| p.set_no_context(true)),
                ("prompt <= 64 tokens", 2, |p| p.set_n_max_text_ctx(64)),
                ("prompt <= 32 tokens", 2, |p| p.set_n_max_text_ctx(32)),
                ("3 threads", 3, |_| {}),
                ("4 threads", 4, |_| {}),
            ];
            for (label, threads, tweak) in variants {
                if flash && label != "default" {
                    continue;
                }
                // `LEVERS_ONLY=default,no context` runs only these variants (and no flash attention).
                if let Ok(only) = std::env::var("LEVERS_ONLY")
                    && (flash || !only.split(',').any(|o| o == label))
                {
                    continue;
                }
                let mut state = ctx.create_state()?;
                let mut p = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
                p.set_n_threads(threads);
                p.set_language(Some("en"));
                p.set_print_progress(false);
                p.set_print_realtime(false);
                p.set_print_special(false);
                p.set_print_timestamps(false);
                p.set_token_timestamps(true);
                p.set_suppress_blank(true);
                tweak(&mut p);
                let t = Instant::now();
                state.full(p, &samples)?;
                let secs = t.elapsed().as_secs_f64();
                let text: String = state
                    .as_iter()
                    .map(|s| s.to_str_lossy().map(|t| t.to_string()).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" ");
                println!(
                    "{name:<14} flash={flash:<5} {label:<22} {secs:>6.2} s  RTF {:.3}  WER {:.3}",
                    secs / dur,
                    word_error_rate(&reference, &text)
                );
            }
        }
    }
    Ok(())
}
