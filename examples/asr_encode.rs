//! Whisper's three kinds of work timed apart on one 30 s window of the 3-minute answer, repeated, with
//! the context the app uses (no flash attention): the encoder, a 150-token prompt and single-token
//! decoding, min and median over ROUNDS (default 8).
//! `cargo run --release --example asr_encode [-- MODEL [ROUNDS]]`. Quieter than a whole transcription
//! when comparing a change to whisper.cpp: machine noise shows in the spread, not only in the total.
use std::ffi::CString;
use std::path::Path;

use rehearse::asr::models;
use rehearse::audio::decode;
use whisper_rs::whisper_rs_sys as sys;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wav = std::env::var_os("LEVERS_WAV").map_or_else(|| root.join("target/bench-answer-3min.wav"), Into::into);
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "tiny.en-q8_0".into());
    let rounds: usize = args.next().map_or(Ok(8), |t| t.parse())?;
    anyhow::ensure!(rounds > 0, "ROUNDS must be at least 1");
    // `THREADS=1`: whether a part scales with threads (compute bound) or not (memory bound)
    let threads: i32 = std::env::var("THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(2);
    let (samples, _) = decode::load_for_whisper(&wav)?;
    let path = models::resolve(&name).map_err(anyhow::Error::msg)?;
    let cpath = CString::new(path.display().to_string())?;
    let (mut enc, mut pr, mut de) = (Vec::new(), Vec::new(), Vec::new());
    // SAFETY: plain whisper.cpp C API calls on a context created and used only here; the buffers they
    // read outlive the calls.
    unsafe {
        let mut cp = sys::whisper_context_default_params();
        cp.flash_attn = false; // as the app creates its contexts
        let ctx = sys::whisper_init_from_file_with_params(cpath.as_ptr(), cp);
        anyhow::ensure!(!ctx.is_null(), "cannot load {}", path.display());
        let n = i32::try_from(samples.len().min(16000 * 30))?;
        anyhow::ensure!(sys::whisper_pcm_to_mel(ctx, samples.as_ptr(), n, 2) == 0, "mel");
        let prompt: Vec<i32> = (0..150).map(|k| 400 + k).collect();
        for r in 0..=rounds {
            let t = std::time::Instant::now();
            anyhow::ensure!(sys::whisper_encode(ctx, 0, threads) == 0, "encode");
            let e = t.elapsed().as_secs_f64() * 1e3;
            // a 150-token prompt, then 100 tokens one at a time, as whisper_full decodes a window
            let t = std::time::Instant::now();
            anyhow::ensure!(
                sys::whisper_decode(ctx, prompt.as_ptr(), 150, 0, threads) == 0,
                "prompt"
            );
            let p = t.elapsed().as_secs_f64() * 1e3;
            let t = std::time::Instant::now();
            for k in 0..100 {
                let tok = [1000 + k];
                anyhow::ensure!(
                    sys::whisper_decode(ctx, tok.as_ptr(), 1, 150 + k, threads) == 0,
                    "decode"
                );
            }
            let d = t.elapsed().as_secs_f64() * 1e3 / 100.0;
            if r > 0 {
                // the first round warms the caches and the compute buffers' pages
                enc.push(e);
                pr.push(p);
                de.push(d);
            }
        }
        sys::whisper_free(ctx);
    }
    for (what, t) in [
        ("encode", &mut enc),
        ("prompt, 150 tokens", &mut pr),
        ("one token", &mut de),
    ] {
        t.sort_by(f64::total_cmp);
        println!("{what:<20} min {:>7.2} ms   median {:>7.2} ms", t[0], t[t.len() / 2]);
    }
    Ok(())
}
