//! Transcribing while recording, with the real model: a ~3-minute espeak-ng answer (made at run time from
//! `benches/answer-3min.txt`) is written progressively into a WAV file the way the capture engine writes
//! one (48 kHz 16-bit mono, header rewritten every 250 ms of audio), faster than real time, while a
//! [`Streamer`] tails it. The merged transcript must be batch transcription's of the finished file, word
//! for word (the issue asks for WER within +0.01), with monotonic times and no word doubled at a chunk edge.
//!
//! Needs espeak-ng, sox and the default model, tiny.en-q8_0 (`make setup` makes it; scripts/test.sh sets
//! `REHEARSE_TEST_MODEL=$PWD/models/ggml-tiny.en-q8_0.bin`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rehearse::asr::models;
use rehearse::asr::stream::{SETTLE_BEFORE_S, StreamOptions, Streamer, transcribe_chunked};
use rehearse::asr::whisper::{Model, Options, word_error_rate};
use rehearse::audio::decode;
use rehearse::audio::wav::WavSink;
use rehearse::transcript::Transcript;

fn model_path() -> PathBuf {
    models::resolve(&support::model()).expect("the tiny.en-q8_0 model (`make setup`, or set REHEARSE_TEST_MODEL)")
}

/// Speaks `text_file` with espeak-ng and converts it to 48 kHz 16-bit mono.
fn spoken_answer(dir: &Path, text_file: &Path) -> PathBuf {
    let raw = dir.join("raw.wav");
    let wav = dir.join("answer.wav");
    support::run(
        Command::new("espeak-ng")
            .args(["-v", "en-us", "-s", "160", "-w"])
            .arg(&raw)
            .arg("-f")
            .arg(text_file),
    );
    support::run(
        Command::new("sox")
            .arg(&raw)
            .args(["-r", "48000", "-c", "1", "-b", "16"])
            .arg(&wav),
    );
    wav
}

/// The spoken fixtures `parts` (name, seconds of silence after it) joined into one 48 kHz 16-bit mono WAV in
/// `dir`, and their reference texts joined likewise.
fn joined_answers(dir: &Path, parts: &[(&str, u32)]) -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pieces = Vec::new();
    let mut reference = String::new();
    for (i, (name, pause_s)) in parts.iter().enumerate() {
        let piece = dir.join(format!("piece{i}.wav"));
        support::run(
            Command::new("sox")
                .arg(root.join(format!("tests/fixtures/{name}.wav")))
                .args(["-r", "48000", "-c", "1", "-b", "16"])
                .arg(&piece)
                .args(["pad", "0", &pause_s.to_string()]),
        );
        pieces.push(piece);
        reference.push_str(&std::fs::read_to_string(root.join(format!("tests/fixtures/{name}.txt"))).expect("text"));
        reference.push(' ');
    }
    let wav = dir.join("answer.wav");
    support::run(Command::new("sox").args(&pieces).arg(&wav));
    (wav, reference)
}

/// Writes `samples` into `dest` as the capture engine would, `speed` times faster than real time.
fn record_progressively(samples: Vec<f32>, rate: u32, dest: PathBuf, speed: f64) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("test-fake-capture".into())
        .spawn(move || {
            let mut sink = WavSink::create(&dest, rate).expect("create");
            let block = rate as usize / 10;
            for (i, b) in samples.chunks(block).enumerate() {
                sink.write(b).expect("write");
                if i % 3 == 2 {
                    sink.flush().expect("flush");
                }
                std::thread::sleep(Duration::from_secs_f64(0.1 / speed));
            }
            sink.finalize().expect("finalize");
        })
        .expect("spawn")
}

fn norm(w: &str) -> String {
    w.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn doubled_words(t: &Transcript) -> Vec<String> {
    t.words
        .windows(2)
        .filter(|p| !norm(&p[0].text).is_empty() && norm(&p[0].text) == norm(&p[1].text))
        .map(|p| format!("{} {} at {:.2}", p[0].text, p[1].text, p[1].start_s))
        .collect()
}

fn check_times(t: &Transcript) {
    for list in [&t.words, &t.segments] {
        for p in list.windows(2) {
            assert!(p[1].start_s >= p[0].start_s, "times go backwards: {p:?}");
        }
        for w in list {
            assert!(
                w.start_s >= 0.0 && w.end_s >= w.start_s && w.end_s <= t.duration_s + 1e-6,
                "{w:?}"
            );
        }
    }
}

/// Streams the answer through a fresh file and returns the transcript, the chunks done before Stop and
/// the time `finish` took.
fn stream(model: &Arc<Model>, dir: &Path, name: &str, answer: &[f32], opts: StreamOptions) -> (Transcript, u64, f64) {
    let dest = dir.join(name);
    let streamer = Streamer::start(&dest, Arc::clone(model), opts).expect("start");
    record_progressively(answer.to_vec(), 48_000, dest, 8.0)
        .join()
        .expect("writer");
    let chunks = streamer.progress().chunks;
    let t0 = Instant::now();
    let t = streamer.finish().expect("streaming transcript");
    (t, chunks, t0.elapsed().as_secs_f64())
}

#[test]
fn streaming_matches_batch_on_a_three_minute_answer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_file = root.join("benches/answer-3min.txt");
    let reference = std::fs::read_to_string(&text_file).expect("reference");
    let dir = tempfile::tempdir().expect("tmp");
    let wav = spoken_answer(dir.path(), &text_file);
    let model = Arc::new(Model::load(&model_path()).expect("model"));

    let (samples16, _) = decode::load_for_whisper(&wav).expect("decode");
    let t0 = Instant::now();
    let batch = model
        .transcribe(
            &samples16,
            &Options::default(),
            |_| {},
            Arc::new(AtomicBool::new(false)),
        )
        .expect("batch");
    let batch_s = t0.elapsed().as_secs_f64();
    let wer_batch = word_error_rate(&reference, &batch.text);

    let answer = decode::read_wav_mono(&wav).expect("read").samples;
    let (streamed, chunks, tail_s) = stream(&model, dir.path(), "rec.wav", &answer, StreamOptions::default());
    let wer_stream = word_error_rate(&reference, &streamed.text);
    eprintln!(
        "{:.1} s answer: batch WER {wer_batch:.3} in {batch_s:.1} s; streaming WER {wer_stream:.3}, \
         {chunks} chunks before stop, finish took {tail_s:.2} s (8x real time, indicative only)",
        batch.duration_s
    );
    // The stream transcribes Whisper's own windows with the same prompts, the same log-mel floor and the
    // same first mel frames as batch, so the words are batch's, to the letter (the issue asks for +0.01 WER).
    assert_eq!(
        streamed.text, batch.text,
        "streaming WER {wer_stream:.3} vs batch {wer_batch:.3}"
    );
    assert!((streamed.duration_s - batch.duration_s).abs() < 1e-3, "same length");
    // How many chunks are done before Stop at 8x real time depends on how busy the machine is (one live
    // thread); at least one shows the work started while "recording" (`make bench-latency` times it).
    assert!(chunks >= 1, "nothing was transcribed while recording");
    check_times(&streamed);
    let doubled = doubled_words(&streamed);
    assert!(doubled.is_empty(), "doubled words: {doubled:?}");
    let last = streamed.words.last().expect("words");
    assert!(
        last.end_s > streamed.duration_s - 10.0,
        "the tail was transcribed: {last:?}"
    );

    // Chunks cut at pauses with the encoder context fitted to each: faster, and must not make the decoder loop.
    let opts = StreamOptions {
        audio_ctx_margin_s: Some(1.0),
        windows: false,
        ..StreamOptions::default()
    };
    let (fitted, _, fitted_tail_s) = stream(&model, dir.path(), "rec-ctx.wav", &answer, opts);
    let wer_fitted = word_error_rate(&reference, &fitted.text);
    eprintln!("fitted audio_ctx: WER {wer_fitted:.3}, finish took {fitted_tail_s:.2} s");
    assert!(
        fitted.words.len() < streamed.words.len() * 5 / 4,
        "fitted audio_ctx made the decoder repeat itself: {}",
        fitted.text
    );
    check_times(&fitted);
}

/// A time-box that ends while the person is still talking, at the worst place: when the open window holds
/// 28 s, so that without settling Stop would leave 28 s to transcribe (1.2-1.6 s here). With the time-box
/// known, the stream commits that window but its last sentence a few seconds before the end, and at Stop
/// only that sentence and the seconds after it are left; the word error rate stays within 0.02 of batch's,
/// with nothing lost or doubled where the window was settled.
#[test]
fn a_time_box_that_cuts_a_sentence_leaves_only_seconds_at_stop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_file = root.join("benches/answer-3min.txt");
    let dir = tempfile::tempdir().expect("tmp");
    let wav = spoken_answer(dir.path(), &text_file);
    let model = Arc::new(Model::load(&model_path()).expect("model"));
    let (samples16, _) = decode::load_for_whisper(&wav).expect("decode");
    // Where the windows fall (the answer starts at once), and a cut 28 s after the last that leaves room.
    let cancel = Arc::new(AtomicBool::new(false));
    let mut windows = model.windows().expect("state");
    let (mut seek, mut cut) = (0, 0);
    while seek + 28 * 16_000 <= samples16.len() {
        cut = seek + 28 * 16_000;
        let (_, len) = model
            .transcribe_window(&mut windows, &samples16, seek, &Options::default(), Arc::clone(&cancel))
            .expect("window");
        seek += len.max(1);
    }
    assert!(cut > 60 * 16_000, "the answer is long enough: {cut}");
    let cut_s = cut as f64 / 16_000.0;
    let batch = model
        .transcribe(&samples16[..cut], &Options::default(), |_| {}, Arc::clone(&cancel))
        .expect("batch");

    let answer = decode::read_wav_mono(&wav).expect("read").samples;
    let answer = answer[..(cut_s * 48_000.0) as usize].to_vec();
    let dest = dir.path().join("rec.wav");
    let opts = StreamOptions {
        ends_at: Some(Duration::from_secs_f64(cut_s)),
        ..StreamOptions::default()
    };
    let streamer = Streamer::start(&dest, Arc::clone(&model), opts).expect("start");
    record_progressively(answer, 48_000, dest, 4.0).join().expect("writer");
    // The recording is complete; give the stream (one thread) time to catch up, as the seconds before the
    // time-box do.
    let waited = Instant::now();
    let mut progress = streamer.progress();
    while cut_s - progress.transcribed_s > 20.0 && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
        progress = streamer.progress();
    }
    let left_s = cut_s - progress.transcribed_s;
    let t0 = Instant::now();
    let streamed = streamer.finish().expect("streaming transcript");
    let finish_s = t0.elapsed().as_secs_f64();
    // Against the script as far as batch got (the cut falls mid-sentence).
    let script = std::fs::read_to_string(&text_file).expect("text");
    let script: Vec<&str> = script.split_whitespace().collect();
    let heard = (batch.words.len().saturating_sub(30)..=(batch.words.len() + 30).min(script.len()))
        .min_by(|&a, &b| {
            word_error_rate(&script[..a].join(" "), &batch.text)
                .total_cmp(&word_error_rate(&script[..b].join(" "), &batch.text))
        })
        .expect("a prefix");
    let reference = script[..heard].join(" ");
    let (wer_batch, wer_stream) = (
        word_error_rate(&reference, &batch.text),
        word_error_rate(&reference, &streamed.text),
    );
    eprintln!(
        "cut at {cut_s:.1} s: {left_s:.1} s left at Stop, finish took {finish_s:.2} s; \
         WER streamed {wer_stream:.3}, batch {wer_batch:.3} (against the script's first {heard} words)"
    );
    // The settled window ends at its last sentence but one, before the settling point. Whisper may skip
    // speech in that window (a run here had 6 words over 8.7 s of speech), and then it is not settled and
    // the whole window is left for Stop, as without a time-box: the words matter more than the wait.
    assert!(
        left_s >= SETTLE_BEFORE_S - 0.5,
        "{left_s:.1} s left to transcribe at Stop"
    );
    if left_s >= 20.0 {
        eprintln!("not settled: Whisper skipped speech in the open window, so all of it was left for Stop");
    }
    // The rest after the settled window is transcribed without the text context (with it, Whisper lost
    // whole sentences), which costs about a word: 0.155 against batch's 0.145 on one run here.
    assert!(
        wer_stream <= wer_batch + 0.02,
        "streamed {wer_stream:.3}, batch {wer_batch:.3}\n{}\n{}",
        batch.text,
        streamed.text
    );
    check_times(&streamed);
    assert!(doubled_words(&streamed).is_empty(), "{:?}", doubled_words(&streamed));
    assert!((streamed.duration_s - batch.duration_s).abs() < 1e-3, "same length");
}

/// Two answers with pauses between and after them: the stream transcribes the rest of the recording each
/// time the person stops talking, undoes that when they go on, and keeps it when they then press Stop. The
/// words must still be batch's (nothing lost or doubled where the early rest was undone).
#[test]
fn a_pause_transcribes_the_rest_early_and_speech_after_it_undoes_that() {
    let dir = tempfile::tempdir().expect("tmp");
    let (wav, reference) = joined_answers(dir.path(), &[("answer-fillers", 3), ("speech", 2), ("answer-cache", 4)]);
    let model = Arc::new(Model::load(&model_path()).expect("model"));
    let (samples16, _) = decode::load_for_whisper(&wav).expect("decode");
    let batch = model
        .transcribe(
            &samples16,
            &Options::default(),
            |_| {},
            Arc::new(AtomicBool::new(false)),
        )
        .expect("batch");
    let answer = decode::read_wav_mono(&wav).expect("read").samples;
    let (streamed, _, finish_s) = stream(&model, dir.path(), "rec.wav", &answer, StreamOptions::default());
    let without = StreamOptions {
        early_rest: false,
        ..StreamOptions::default()
    };
    let (plain, _, plain_finish_s) = stream(&model, dir.path(), "rec-plain.wav", &answer, without);
    let (wer_batch, wer_stream, wer_plain) = (
        word_error_rate(&reference, &batch.text),
        word_error_rate(&reference, &streamed.text),
        word_error_rate(&reference, &plain.text),
    );
    eprintln!(
        "batch WER {wer_batch:.3}; streamed with early rests {wer_stream:.3} (finish {finish_s:.2} s), \
         without {wer_plain:.3} (finish {plain_finish_s:.2} s)"
    );
    // Batch's words, early rests or not: to the letter before word times came from DTW; since, one run in
    // five here differed from batch by one word with early rests (0.118 against 0.115), which is held to
    // 0.01 of batch's word error rate until it is found (issue 26's note).
    assert!(
        wer_stream <= wer_batch + 0.01,
        "streamed {wer_stream:.3} vs batch {wer_batch:.3}: {}",
        streamed.text
    );
    assert!(
        wer_plain <= wer_batch + 0.01,
        "without early rests {wer_plain:.3} vs batch {wer_batch:.3}: {}",
        plain.text
    );
    check_times(&streamed);
    assert!(doubled_words(&streamed).is_empty(), "{:?}", doubled_words(&streamed));
    // The last words of every answer are there, once.
    for last in ["it", "run", "instead"] {
        let n = streamed.words.iter().filter(|w| norm(&w.text) == last).count();
        let b = batch.words.iter().filter(|w| norm(&w.text) == last).count();
        assert_eq!(n, b, "{last:?}: {}", streamed.text);
    }
}

/// The app's default model, tiny.en-q8_0, runs on whisper.cpp's fast path (padded attention, a bfloat16
/// encoder where the CPU has AVX512-BF16, one token's products on the tiled kernel: `vendor/README.md`),
/// which the f16 model does not take (the suite runs on q8_0; this test loads it by its default name). Window by window, as while recording, it must give the whole
/// file's words to the letter, and the words must be right: three answers with pauses between and after.
#[test]
fn the_default_model_gives_the_whole_files_words_window_by_window() {
    let dir = tempfile::tempdir().expect("tmp");
    let q8 = model_path().with_file_name(format!("ggml-{}.bin", models::DEFAULT_MODEL));
    assert!(q8.exists(), "{} is missing: `make setup` makes it", q8.display());
    let (wav, reference) = joined_answers(
        dir.path(),
        &[("answer-cache", 2), ("answer-pipeline", 3), ("answer-fillers", 1)],
    );
    let model = Model::load(&q8).expect("model");
    let (samples, _) = decode::load_for_whisper(&wav).expect("decode");
    let cancel = Arc::new(AtomicBool::new(false));
    let whole = model
        .transcribe(&samples, &Options::default(), |_| {}, Arc::clone(&cancel))
        .expect("whole");
    let opts = StreamOptions::default();
    assert!(opts.windows, "the stream transcribes Whisper's own windows");
    let windows = transcribe_chunked(&model, &samples, &opts, |_| {}, &cancel).expect("windows");
    let wer = word_error_rate(&reference, &whole.text);
    eprintln!("{:.1} s: WER {wer:.3}", whole.duration_s);
    assert_eq!(windows.text, whole.text, "window by window against the whole file");
    assert!(wer < 0.15, "WER {wer:.3}: {}", whole.text);
    check_times(&windows);
}

/// A rest transcribed early (the person paused) leaves no trace: what follows it is transcribed from the
/// context the last window left, exactly as without it, whether the early rest was short enough for
/// Whisper to forget the context (5 s or less) or not.
#[test]
fn an_early_rest_does_not_change_what_follows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (samples, _) = decode::load_for_whisper(&root.join("tests/fixtures/answer-pipeline.wav")).expect("decode");
    let model = Model::load(&model_path()).expect("model");
    let opts = Options::default();
    let cancel = || Arc::new(AtomicBool::new(false));
    let run = |early: &[usize]| {
        let mut w = model.windows().expect("state");
        let (first, len) = model
            .transcribe_window(&mut w, &samples, 0, &opts, cancel())
            .expect("window");
        assert!(len > 16_000 * 20 && len <= 16_000 * 30, "window of {len} samples");
        for &n in early {
            model
                .transcribe_rest(&mut w, &samples[..len + n], len, &opts, cancel())
                .expect("early rest");
        }
        let rest = model
            .transcribe_rest(&mut w, &samples, len, &opts, cancel())
            .expect("rest");
        format!("{} | {}", first.text, rest.text)
    };
    let plain = run(&[]);
    assert!(plain.split_whitespace().count() > 60, "{plain}");
    assert_eq!(run(&[16_000 * 4]), plain, "after a 4 s early rest");
    assert_eq!(
        run(&[16_000 * 10, 16_000 * 12]),
        plain,
        "after 10 s and 12 s early rests"
    );
}

#[test]
fn streaming_a_short_fixture_in_small_chunks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wav = root.join("tests/fixtures/speech.wav");
    let reference = std::fs::read_to_string(root.join("tests/fixtures/speech.txt")).expect("reference");
    let dir = tempfile::tempdir().expect("tmp");
    let model = Arc::new(Model::load(&model_path()).expect("model"));
    let audio = decode::read_wav_mono(&wav).expect("read");
    let resampled = decode::resample(&audio, 48_000).expect("resample");
    let opts = StreamOptions {
        chunker: rehearse::asr::chunker::ChunkerConfig {
            min_s: 3.0,
            max_s: 8.0,
            pause_s: 0.2,
            ..rehearse::asr::chunker::ChunkerConfig::default()
        },
        windows: false,
        ..StreamOptions::default()
    };
    let (t, _, tail_s) = stream(&model, dir.path(), "short.wav", &resampled, opts);
    let wer = word_error_rate(&reference, &t.text);
    eprintln!(
        "short fixture streamed in small chunks: WER {wer:.3}, finish {tail_s:.2} s: {}",
        t.text
    );
    assert!(wer <= 0.3, "WER {wer:.3}: {}", t.text);
    check_times(&t);
    assert!(doubled_words(&t).is_empty(), "{:?}", doubled_words(&t));
}

fn next_event(worker: &rehearse::asr::worker::AsrWorker) -> rehearse::asr::worker::AsrEvent {
    use rehearse::asr::worker::AsrEvent;
    loop {
        match worker
            .recv_timeout(Duration::from_secs(120))
            .expect("an event within 2 minutes")
        {
            AsrEvent::Progress { .. } | AsrEvent::ModelLoading(_) | AsrEvent::Partial { .. } => {}
            e => return e,
        }
    }
}

/// The window's engine: a stream started with the recording is finished by the first transcription of
/// that file (only the tail left); a re-transcription of the same file, or a transcription of another
/// file while a stream runs, is batch over the whole file.
#[test]
fn the_window_engine_finishes_the_recording_stream_and_re_transcribes_whole() {
    use rehearse::asr::worker::{AsrCommand, AsrEvent, AsrWorker};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/fixtures/speech.wav");
    let reference = std::fs::read_to_string(root.join("tests/fixtures/speech.txt")).expect("reference");
    let dir = tempfile::tempdir().expect("tmp");
    let audio = decode::read_wav_mono(&fixture).expect("read");
    let answer = decode::resample(&audio, 48_000).expect("resample");

    let worker = AsrWorker::spawn(Box::new(|| {})).expect("spawn");
    worker.send(AsrCommand::LoadModel(model_path()));
    assert!(matches!(next_event(&worker), AsrEvent::ModelLoaded { .. }));

    let wav = dir.path().join("answer.wav");
    worker.send(AsrCommand::Stream {
        wav: wav.clone(),
        time_box: None,
    });
    record_progressively(answer.clone(), 48_000, wav.clone(), 2.0)
        .join()
        .expect("writer");
    worker.send(AsrCommand::Transcribe {
        job: 1,
        wav: wav.clone(),
    });
    let AsrEvent::Done {
        job: 1,
        transcript: streamed,
        streamed: Some(chunks_before_stop),
        seconds,
        ..
    } = next_event(&worker)
    else {
        panic!("the streamed transcription failed")
    };
    let wer_streamed = word_error_rate(&reference, &streamed.text);
    // How many chunks were done before Stop depends on how busy the machine is; that the stream was used
    // does not (`make bench-latency` measures the time).
    eprintln!(
        "window engine: {chunks_before_stop} chunk(s) while recording, tail {seconds:.2} s, WER {wer_streamed:.3}"
    );
    check_times(&streamed);

    // Re-transcribe: the stream is used up, so this is the whole file at once.
    worker.send(AsrCommand::Transcribe {
        job: 2,
        wav: wav.clone(),
    });
    let AsrEvent::Done {
        job: 2,
        transcript: batch,
        streamed: None,
        ..
    } = next_event(&worker)
    else {
        panic!("re-transcribing was not batch")
    };
    let wer_batch = word_error_rate(&reference, &batch.text);
    // A 15 s answer: one word is 0.029; measured 0.057 vs 0.000 (two words at the cut).
    assert!(
        wer_streamed <= wer_batch + 0.1,
        "streamed {wer_streamed:.3} vs batch {wer_batch:.3}: {} / {}",
        streamed.text,
        batch.text
    );

    // A stream of a recording that failed is stale: another file is transcribed whole.
    let other = dir.path().join("other.wav");
    worker.send(AsrCommand::Stream {
        wav: other,
        time_box: None,
    });
    worker.send(AsrCommand::Transcribe { job: 3, wav: fixture });
    assert!(matches!(
        next_event(&worker),
        AsrEvent::Done {
            job: 3,
            streamed: None,
            ..
        }
    ));
}

/// The app's default model (tiny.en-q8_0), the whole file `wav` transcribed by it at once, and the file's
/// samples as the capture engine wrote them.
fn default_model_batch(wav: &Path) -> (Arc<Model>, Transcript, Vec<f32>) {
    let q8 = model_path().with_file_name(format!("ggml-{}.bin", models::DEFAULT_MODEL));
    let model = Arc::new(Model::load(&q8).expect("model"));
    let (samples16, _) = decode::load_for_whisper(wav).expect("decode");
    let batch = model
        .transcribe(
            &samples16,
            &Options::default(),
            |_| {},
            Arc::new(AtomicBool::new(false)),
        )
        .expect("batch");
    let answer = decode::read_wav_mono(wav).expect("read").samples;
    (model, batch, answer)
}

/// The person stops talking, thinks for a while, then presses Stop: the rest of the recording was
/// transcribed when they stopped talking, and a window that falls due in the silence must not undo that,
/// so Stop finds nothing left to transcribe. 46 s of speech and 20 s of quiet: the second window falls due
/// at about 60 s, inside the quiet (where it used to run and leave the rest to do again at Stop: 0.9 s).
#[test]
fn stop_after_a_long_quiet_has_nothing_left_to_transcribe() {
    let dir = tempfile::tempdir().expect("tmp");
    let (wav, reference) = joined_answers(dir.path(), &[("answer-cache", 20)]);
    let (model, batch, answer) = default_model_batch(&wav);
    let dest = dir.path().join("rec.wav");
    let streamer = Streamer::start(&dest, Arc::clone(&model), StreamOptions::default()).expect("start");
    record_progressively(answer, 48_000, dest, 8.0).join().expect("writer");
    // The whole file is written; the stream catches up (a guard, not a timing: the condition is the test).
    let deadline = Instant::now() + Duration::from_secs(300);
    while !streamer.progress().rest_ready {
        assert!(
            Instant::now() < deadline,
            "the rest never stood ready: {:?}",
            streamer.progress()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (streamed, stats) = streamer.finish_with_stats().expect("finish");
    assert_eq!(stats.whisper_runs_after_stop, 0, "Stop had work left: {stats:?}");
    let (wer_batch, wer_stream) = (
        word_error_rate(&reference, &batch.text),
        word_error_rate(&reference, &streamed.text),
    );
    eprintln!("batch WER {wer_batch:.3}, streamed {wer_stream:.3}");
    assert!(wer_stream <= wer_batch + 0.01, "{}", streamed.text);
    check_times(&streamed);
    assert!(doubled_words(&streamed).is_empty(), "{:?}", doubled_words(&streamed));
    let last = streamed.words.last().expect("words");
    assert!(last.end_s < 47.5, "nothing heard in the quiet: {last:?}");
}

/// Speech that starts after a minute of quiet (the person reads the question, thinks, then answers) is
/// heard while recording: the windows start a second before the first sound, so whisper.cpp never sees a
/// window of digital silence in front of the speech (which lost speech starting 55-62 s in whole).
#[test]
fn speech_after_a_minute_of_quiet_is_heard_while_streaming() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = std::fs::read_to_string(root.join("tests/fixtures/answer-cache.txt")).expect("text");
    let wav = dir.path().join("late.wav");
    support::run(
        Command::new("sox")
            .arg(root.join("tests/fixtures/answer-cache.wav"))
            .args(["-r", "48000", "-c", "1", "-b", "16"])
            .arg(&wav)
            .args(["pad", "60", "0"]),
    );
    let (model, batch, answer) = default_model_batch(&wav);
    let (streamed, _, _) = stream(&model, dir.path(), "rec.wav", &answer, StreamOptions::default());
    let (wer_batch, wer_stream) = (
        word_error_rate(&reference, &batch.text),
        word_error_rate(&reference, &streamed.text),
    );
    eprintln!("batch WER {wer_batch:.3}, streamed {wer_stream:.3}");
    // Lost speech is a word error rate near 1; the model itself gets about 0.12 wrong here ("cash", "gases").
    assert!(wer_batch < 0.25, "batch lost the late speech: {}", batch.text);
    assert!(wer_stream <= wer_batch + 0.02, "{}", streamed.text);
    check_times(&streamed);
    assert!(doubled_words(&streamed).is_empty(), "{:?}", doubled_words(&streamed));
    for t in [&batch, &streamed] {
        let first = t.words.first().expect("words");
        assert!(first.start_s > 59.0, "a word before the speech: {first:?}");
    }
}

/// The fault matrix's other voice through the stream (the windows while recording and the rest at Stop):
/// 30 s of a chord after the answer, where Whisper carried along by the answer wrote sentences nobody said,
/// and 30 s of mains hum before it, after which it once heard the whole answer as `[BLANK_AUDIO]`. The
/// stream writes nothing in the chord, hears the answer after the hum, and gives batch's words.
#[test]
fn loud_sound_before_or_after_an_answer_adds_nothing_and_loses_nothing_while_streaming() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_file = root.join("tests/fixtures/answer-onboarding.txt");
    let reference = std::fs::read_to_string(&text_file).expect("text");
    let raw = dir.path().join("raw.wav");
    support::run(
        Command::new("espeak-ng")
            .args(["-v", "en-gb-x-rp+f3", "-s", "160", "-w"])
            .arg(&raw)
            .arg("-f")
            .arg(&text_file),
    );
    let speech = dir.path().join("speech.wav");
    support::run(
        Command::new("sox")
            .arg(&raw)
            .args(["-D", "-r", "48000", "-c", "1", "-b", "16"])
            .arg(&speech),
    );
    let sound = |name: &str, synth: &[&str]| {
        let out = dir.path().join(format!("{name}.wav"));
        support::run(
            Command::new("sox")
                .args(["-n", "-r", "48000", "-c", "1", "-b", "16"])
                .arg(&out)
                .args(["synth", "30"])
                .args(synth),
        );
        out
    };
    let chord = sound(
        "chord",
        &[
            "sine", "220", "sine", "277", "sine", "330", "remix", "-", "vol", "-24dB",
        ],
    );
    let hum = sound("hum", &["sine", "60", "vol", "-30dB"]);
    let speech_s = decode::read_wav_mono(&speech).expect("read").samples.len() as f64 / 48_000.0;
    for (name, parts, said) in [
        ("chord-after", [&speech, &chord], (0.0, speech_s)),
        ("hum-before", [&hum, &speech], (30.0, 30.0 + speech_s)),
    ] {
        let wav = dir.path().join(format!("{name}.wav"));
        support::run(Command::new("sox").args(parts).arg(&wav));
        let (model, batch, answer) = default_model_batch(&wav);
        let (streamed, _, _) = stream(
            &model,
            dir.path(),
            &format!("rec-{name}.wav"),
            &answer,
            StreamOptions::default(),
        );
        let (wer_batch, wer_stream) = (
            word_error_rate(&reference, &batch.text),
            word_error_rate(&reference, &streamed.text),
        );
        eprintln!("{name}: batch WER {wer_batch:.3}, streamed {wer_stream:.3}");
        for t in [&batch, &streamed] {
            let outside: Vec<String> = t
                .words
                .iter()
                .filter(|w| w.start_s < said.0 - 0.5 || w.start_s > said.1 + 0.5)
                .map(|w| format!("{} @{:.1}", w.text, w.start_s))
                .collect();
            assert!(outside.is_empty(), "{name}: words outside the speech: {outside:?}");
        }
        // Lost speech is a word error rate near 1; this voice gets about 0.2 wrong.
        assert!(wer_batch < 0.4, "{name}: batch lost the answer: {}", batch.text);
        assert!(wer_stream <= wer_batch + 0.02, "{name}: {}", streamed.text);
        check_times(&streamed);
    }
}
