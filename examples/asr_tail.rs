//! Times what is left to do at Stop when the windows kept up: a recording cut at `SECONDS` (the time-box),
//! transcribed window by window as the stream does while recording (one thread), then the rest after the
//! last window with every thread, as after Stop. Prints the rest's length and its wall time, `RUNS` times.
//! As the stream does with a time-box, the open window is settled `SETTLE_BEFORE_S` before the cut (its
//! segments but the last committed); `SETTLE=0` turns that off. `REHEARSE_DTW=0` turns DTW word times off.
//! Also prints the word error rate of the whole against the text without settling.
//! `cargo run --release --example asr_tail -- [WAV [SECONDS [RUNS [MODEL]]]]`
//! (default `target/bench-latency/answer.wav`, 171 s: `make bench-latency` with GAP=-5).
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rehearse::asr::models;
use rehearse::asr::stream::SETTLE_BEFORE_S;
use rehearse::asr::whisper::{Model, Options, Windows, word_error_rate};
use rehearse::audio::decode;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let wav = args
        .next()
        .map_or_else(|| root.join("target/bench-latency/answer.wav"), Into::into);
    let seconds: f64 = args.next().map_or(Ok(171.0), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(3), |s| s.parse())?;
    let name = args.next().unwrap_or_else(|| "tiny.en-q8_0".into());
    let (mut samples, _) = decode::load_for_whisper(&wav)?;
    samples.truncate((seconds * 16_000.0) as usize);
    let model = Model::load(&models::resolve(&name).map_err(anyhow::Error::msg)?)?;
    let cancel = Arc::new(AtomicBool::new(false));
    let live = Options {
        threads: Some(1),
        ..Options::default()
    };
    let settle = std::env::var("SETTLE").map_or(true, |v| v != "0");
    let plain = text(&model, &samples, &live, &cancel, false)?.0;
    if let Some(reference) = std::env::var_os("REFERENCE") {
        // Word error rates against the script (as far as the cut reached): without settling, settled with
        // the text context, settled and the rest fresh.
        let script = std::fs::read_to_string(reference)?;
        let carry = text(&model, &samples, &live, &cancel, true)?;
        // SAFETY: single-threaded here; whisper.rs reads the variable on this thread only.
        unsafe { std::env::set_var("DEBUG_FRESH", "1") };
        let fresh = text(&model, &samples, &live, &cancel, true)?;
        unsafe { std::env::remove_var("DEBUG_FRESH") };
        let wer = |h: &str| prefix_wer(&script, h);
        println!(
            "cut {seconds}: plain {:.3} carry {:.3} fresh {:.3} | {} | {}",
            wer(&plain),
            wer(&carry.0),
            wer(&fresh.0),
            carry.1,
            fresh.1
        );
        return Ok(());
    }
    for _ in 0..runs {
        let (whole, line) = text(&model, &samples, &live, &cancel, settle)?;
        println!("{line}; WER against no settling {:.3}", word_error_rate(&plain, &whole));
        if std::env::var_os("SHOW").is_some() {
            println!("PLAIN {plain}\nWHOLE {whole}");
        }
    }
    Ok(())
}

/// Word error rate of `hyp` against the beginning of `script` that it covers best (a cut recording).
fn prefix_wer(script: &str, hyp: &str) -> f64 {
    let words: Vec<&str> = script.split_whitespace().collect();
    let n = hyp.split_whitespace().count();
    (n.saturating_sub(20)..=(n + 20).min(words.len()))
        .map(|k| word_error_rate(&words[..k].join(" "), hyp) * k as f64 / n.max(1) as f64)
        .fold(f64::INFINITY, f64::min)
}

/// The recording's words transcribed as the stream does, and a line on the rest's time.
fn text(
    model: &Model,
    samples: &[f32],
    live: &Options,
    cancel: &Arc<AtomicBool>,
    settle: bool,
) -> anyhow::Result<(String, String)> {
    let mut windows = model.windows()?;
    let mut words = Vec::new();
    // The stream starts a second before the first sound; this answer starts at once.
    let mut seek = 0;
    let t = Instant::now();
    while samples.len() >= seek + Windows::MIN_INPUT {
        let (part, len) = model.transcribe_window(&mut windows, samples, seek, live, Arc::clone(cancel))?;
        words.extend(part.words.into_iter().map(|w| w.text));
        seek += len.max(1);
    }
    let settle_at = samples.len().saturating_sub((SETTLE_BEFORE_S * 16_000.0) as usize);
    let mut settled = 0.0;
    if settle && settle_at > seek + 8 * 16_000 {
        let (part, len) = model.transcribe_settled(
            &mut windows,
            &samples[..settle_at],
            seek,
            live,
            Arc::clone(cancel),
            |_, _| true,
        )?;
        words.extend(part.words.into_iter().map(|w| w.text));
        settled = len as f64 / 16_000.0;
        seek += len;
    }
    let windows_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rest = model.transcribe_rest(&mut windows, samples, seek, &Options::default(), Arc::clone(cancel))?;
    let line = format!(
        "windows {} ({windows_s:.1} s, 1 thread, settled {settled:.1} s); rest {:.1} s of audio, {} words: {:.3} s",
        windows.done(),
        (samples.len() - seek) as f64 / 16_000.0,
        rest.words.len(),
        t.elapsed().as_secs_f64()
    );
    if std::env::var_os("SHOW").is_some() {
        println!("REST {:?}", rest.text);
    }
    words.extend(rest.words.into_iter().map(|w| w.text));
    Ok((words.join(" "), line))
}
