//! Real transcription: the converted tiny.en model transcribes a spoken espeak-ng fixture through the
//! `rehearse transcribe` binary, with a word error rate of at most 0.25 and sane segment and word times.

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::asr::whisper::word_error_rate;
use rehearse::transcript::Transcript;

fn model() -> String {
    std::env::var("REHEARSE_TEST_MODEL").unwrap_or_else(|_| "tiny.en".to_string())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn transcribe_json(wav: &Path, model: &str) -> Transcript {
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("transcribe")
        .arg(wav)
        .args(["--json", "--model", model])
        .output()
        .expect("run rehearse");
    assert!(
        out.status.success(),
        "transcribe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON transcript")
}

#[test]
fn spoken_fixture_is_transcribed_accurately_with_monotonic_times() {
    let reference = std::fs::read_to_string(fixture("speech.txt")).expect("fixture text");
    let t = transcribe_json(&fixture("speech.wav"), &model());
    let wer = word_error_rate(&reference, &t.text);
    eprintln!("transcript: {}\nWER {wer:.3}", t.text);
    assert!(wer <= 0.25, "WER {wer:.3} > 0.25: {}", t.text);
    assert!((t.duration_s - 15.10).abs() < 0.05, "duration {}", t.duration_s);

    assert!(!t.segments.is_empty());
    assert!(t.words.len() >= 25, "only {} words", t.words.len());
    for list in [&t.segments, &t.words] {
        for pair in list.windows(2) {
            assert!(pair[1].start_s >= pair[0].start_s, "start times go backwards: {pair:?}");
        }
        for w in list {
            assert!(
                w.start_s >= 0.0 && w.end_s <= t.duration_s + 1e-6 && w.end_s >= w.start_s,
                "{w:?}"
            );
        }
    }
    // Words spread over the audio, not bunched at the start.
    let last = t.words.last().expect("words");
    assert!(last.end_s > t.duration_s * 0.7, "last word ends at {}", last.end_s);
    // Word texts line up with the text.
    let joined: String = t.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    assert!(
        word_error_rate(&t.text, &joined) < 0.05,
        "words {joined:?} vs text {:?}",
        t.text
    );
}

#[test]
fn stereo_48k_float_input_is_accepted() {
    // The same speech as 48 kHz stereo float, made with sox: transcribes to the same words.
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("stereo.wav");
    let status = Command::new("sox")
        .arg(fixture("speech.wav"))
        .args(["-r", "48000", "-c", "2", "-e", "floating-point", "-b", "32"])
        .arg(&out)
        .status()
        .expect("sox");
    assert!(status.success());
    let reference = std::fs::read_to_string(fixture("speech.txt")).expect("fixture text");
    let t = transcribe_json(&out, &model());
    assert!(word_error_rate(&reference, &t.text) <= 0.25, "{}", t.text);
}
