//! Cutting a recording into chunks at its pauses while it is being recorded, and joining the transcripts of
//! consecutive parts back into one. The stream uses the chunker to notice when the person stops talking
//! (its windows are Whisper's own, not these chunks) and [`merge`] to join its windows; with
//! `StreamOptions::windows` off, each closed chunk goes to Whisper at once and at Stop only the open tail
//! is left.
//!
//! [`Chunker`] takes 16 kHz mono samples in blocks of any size and cuts at natural pauses (a run of quiet
//! 20 ms frames, judged against the recording's own noise floor and speech level), never before
//! [`ChunkerConfig::min_s`]; with no pause by [`ChunkerConfig::max_s`] it cuts in the quietest 200 ms
//! window of the second half of the chunk. Chunks are contiguous and disjoint, so no audio is lost or
//! heard twice. [`merge`] shifts each chunk's words and segments to absolute times, keeps them monotonic
//! and inside their chunk, and drops a word repeated across a cut.
//!
//! Pure: no Whisper or audio-device imports, so it is unit tested with synthetic signals.

use crate::audio::level::rms;
use crate::transcript::{TimedText, Transcript};

/// The sample rate the chunker works at (Whisper's).
pub const RATE: usize = 16_000;
/// Samples per level frame (20 ms).
const FRAME: usize = RATE / 50;
/// Frames per second.
const FPS: f64 = 50.0;
/// Length of the window searched for the quietest place when there is no pause (frames, 200 ms).
const QUIET_WINDOW: usize = 10;
/// Below this RMS (about -70 dBFS) a frame is always quiet.
const ABS_QUIET: f32 = 3e-4;

/// The default [`ChunkerConfig::end_pause_s`]: longer than the gap between two sentences said in one breath.
pub const END_PAUSE_S: f64 = 0.9;
/// A chunk cut early at the end of speech holds at least this much audio, in seconds.
const END_MIN_S: f64 = 1.0;

/// Where the chunker may cut.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChunkerConfig {
    /// No chunk (except the last) is shorter than this, in seconds.
    pub min_s: f64,
    /// No chunk is longer than this, in seconds (Whisper hears at most 30 s at a time).
    pub max_s: f64,
    /// A quiet stretch at least this long, in seconds, is a pause to cut in.
    pub pause_s: f64,
    /// A quiet stretch at least this long, in seconds, is the end of what the person had to say (they stopped
    /// talking, and Stop is likely next): the chunk is cut there even before `min_s`, so the words are
    /// transcribed during the silence instead of after Stop. `None` never cuts early.
    pub end_pause_s: Option<f64>,
}

impl Default for ChunkerConfig {
    fn default() -> Self {
        Self {
            // 8–25 s: 2.13 s Stop → transcript on the 3-minute answer (q8_0, 2 cores, WER 0.180 vs batch 0.198).
            // 6–15 s was faster at Stop (1.25 s) but cost a 15 s answer four words (WER 0.114 vs 0.000).
            min_s: 8.0,
            max_s: 25.0,
            pause_s: 0.3,
            end_pause_s: Some(END_PAUSE_S),
        }
    }
}

/// A piece of the recording to transcribe on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Offset of the first sample from the start of the recording, in 16 kHz samples.
    pub start: usize,
    /// 16 kHz mono samples.
    pub samples: Vec<f32>,
    /// Cut because the person stopped talking ([`ChunkerConfig::end_pause_s`] of quiet and counting): Stop
    /// may well come next, so this chunk is worth finishing fast.
    pub ends_speech: bool,
}

impl Chunk {
    /// Start in seconds from the start of the recording.
    pub fn start_s(&self) -> f64 {
        self.start as f64 / RATE as f64
    }

    /// End in seconds from the start of the recording.
    pub fn end_s(&self) -> f64 {
        (self.start + self.samples.len()) as f64 / RATE as f64
    }
}

/// Cuts a growing 16 kHz recording into chunks at pauses. Feed it with [`Chunker::push`]; take the open
/// tail with [`Chunker::finish`].
#[derive(Debug)]
pub struct Chunker {
    cfg: ChunkerConfig,
    /// Samples not yet in a chunk.
    buf: Vec<f32>,
    /// Absolute offset of `buf[0]`.
    start: usize,
    /// RMS of each whole 20 ms frame of `buf`.
    frames: Vec<f32>,
    /// The loudest speech level (90th-percentile frame) of the chunks cut so far; 0 before the first.
    speech_level: f32,
}

impl Chunker {
    /// A chunker with the given limits (`min_s` is raised to at least one pause and `max_s` to at least `min_s`).
    pub fn new(cfg: ChunkerConfig) -> Self {
        let min_s = cfg.min_s.max(cfg.pause_s).max(0.1);
        let cfg = ChunkerConfig {
            min_s,
            max_s: cfg.max_s.max(min_s + 1.0),
            pause_s: cfg.pause_s.max(0.04),
            end_pause_s: cfg.end_pause_s.map(|e| e.max(cfg.pause_s)),
        };
        Self {
            cfg,
            buf: Vec::new(),
            start: 0,
            frames: Vec::new(),
            speech_level: 0.0,
        }
    }

    /// Adds samples; returns the chunks this closed (usually none, sometimes one).
    pub fn push(&mut self, samples: &[f32]) -> Vec<Chunk> {
        self.buf.extend_from_slice(samples);
        for frame in self.buf[self.frames.len() * FRAME..].chunks_exact(FRAME) {
            self.frames.push(rms(frame));
        }
        let mut out = Vec::new();
        while let Some((cut, ends_speech)) = self.find_cut() {
            let mut chunk = self.take(cut * FRAME);
            chunk.ends_speech = ends_speech;
            out.push(chunk);
        }
        out
    }

    /// The open tail: whatever was pushed and not yet in a chunk (`None` if that is nothing).
    pub fn finish(mut self) -> Option<Chunk> {
        (!self.buf.is_empty()).then(|| self.take(self.buf.len()))
    }

    /// True when the open tail holds nothing that could be a word: every 60 ms of it is quieter than a
    /// tenth of the speech level of the chunks already cut (20 dB down). Without a chunk cut yet there is
    /// nothing to compare with, so the tail counts as speech. The tail after the person stopped talking
    /// need not go through Whisper (which would only say `[BLANK_AUDIO]`).
    pub fn tail_is_quiet(&self) -> bool {
        let mut frames: Vec<f32> = self.frames.clone();
        let whole = frames.len() * FRAME;
        if self.buf.len() > whole {
            frames.push(rms(&self.buf[whole..]));
        }
        self.frames_are_quiet(&frames)
    }

    /// [`Chunker::tail_is_quiet`] for any stretch of the recording (16 kHz samples).
    pub fn is_quiet(&self, samples: &[f32]) -> bool {
        let frames: Vec<f32> = samples.chunks(FRAME).map(rms).collect();
        self.frames_are_quiet(&frames)
    }

    fn frames_are_quiet(&self, frames: &[f32]) -> bool {
        if self.speech_level <= 0.0 {
            return false;
        }
        let limit = (self.speech_level * 0.1).max(ABS_QUIET);
        frames.windows(3).all(|w| (w[0] + w[1] + w[2]) / 3.0 <= limit) && frames.iter().all(|&f| f <= limit * 3.0)
    }

    /// Samples pushed and not yet in a chunk.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    fn take(&mut self, n: usize) -> Chunk {
        let k = (n / FRAME).min(self.frames.len());
        if k > 0 {
            let mut sorted = self.frames[..k].to_vec();
            sorted.sort_by(f32::total_cmp);
            self.speech_level = self.speech_level.max(sorted[(k - 1) * 9 / 10]);
        }
        let rest = self.buf.split_off(n);
        let samples = std::mem::replace(&mut self.buf, rest);
        let chunk = Chunk {
            start: self.start,
            samples,
            ends_speech: false,
        };
        self.start += n;
        self.frames.drain(..(n / FRAME).min(self.frames.len()));
        chunk
    }

    /// The frame to cut at, if the buffer should be cut now, and whether it is the end of speech.
    fn find_cut(&self) -> Option<(usize, bool)> {
        let n = self.frames.len();
        let min_f = (self.cfg.min_s * FPS).round() as usize;
        let max_f = (self.cfg.max_s * FPS).round() as usize;
        let pause_f = ((self.cfg.pause_s * FPS).round() as usize).max(2);
        let end_f = self.cfg.end_pause_s.map(|e| ((e * FPS).round() as usize).max(pause_f));
        let end_min_f = (END_MIN_S * FPS).round() as usize;
        if n < min_f.min(end_min_f + end_f.unwrap_or(usize::MAX / 2)) {
            return None;
        }
        let thr = quiet_threshold(&self.frames);
        // The first quiet run long enough to be a pause whose cut point falls after the minimum. A short
        // pause is cut in its middle; a long one a pause-length after it began (so the cut does not depend
        // on how the samples arrived in blocks).
        let mut i = 0;
        while i < n.min(max_f) {
            if self.frames[i] > thr {
                i += 1;
                continue;
            }
            let a = i;
            while i < n && self.frames[i] <= thr {
                i += 1;
            }
            let len = i - a;
            let complete = i < n;
            // The end of speech: a long quiet run after at least a second of audio closes the chunk early,
            // a pause-length after the run began (independent of how the samples arrived).
            if let Some(end_f) = end_f
                && len >= end_f
                && a + pause_f >= end_min_f
                && a + pause_f < min_f
            {
                return Some((a + pause_f, true));
            }
            // A pause still going on is cut once it is long enough to tell: two pause-lengths, or, when the
            // end of speech is watched for, long enough to be one (same cut point either way).
            let open_enough = end_f.unwrap_or(2 * pause_f).max(2 * pause_f);
            if len >= pause_f && (complete || len >= open_enough) {
                let cut = a + len.min(2 * pause_f) / 2;
                if (min_f..=max_f).contains(&cut) {
                    return Some((cut, !complete && end_f.is_some()));
                }
            }
        }
        if n < max_f {
            return None;
        }
        // No pause: cut in the middle of the quietest window of the second half (ties: the later one).
        let lo = ((min_f + max_f) / 2).max(min_f);
        let mut best = (f32::INFINITY, max_f);
        for w0 in lo..=max_f.saturating_sub(QUIET_WINDOW) {
            let energy: f32 = self.frames[w0..w0 + QUIET_WINDOW].iter().map(|r| r * r).sum();
            if energy <= best.0 {
                best = (energy, w0 + QUIET_WINDOW / 2);
            }
        }
        Some((best.1.clamp(min_f, max_f), false))
    }
}

/// The level at or below which a frame counts as quiet: about 10 dB above the noise floor (the 10th
/// percentile frame), but never above a quarter of the speech level (the 90th percentile), so a recording
/// with no pauses at all has no quiet frames except real dips.
fn quiet_threshold(frames: &[f32]) -> f32 {
    let mut sorted = frames.to_vec();
    sorted.sort_by(f32::total_cmp);
    let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
    (at(0.1) * 3.0).max(ABS_QUIET).min(at(0.9) * 0.25)
}

/// One chunk's transcript, with times relative to the chunk's start.
#[derive(Clone, Debug)]
pub struct ChunkTranscript {
    /// Where the chunk starts in the recording, seconds.
    pub start_s: f64,
    /// Where it ends, seconds.
    pub end_s: f64,
    /// What Whisper heard in it.
    pub transcript: Transcript,
}

/// A word's text for comparison: lower case, letters, digits and apostrophes only.
fn norm(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A word this close to a cut on both sides, said again on the other side, is one word heard twice.
const EDGE_S: f64 = 0.5;

/// Joins chunk transcripts (in recording order) into one transcript of `duration_s` seconds: absolute,
/// monotonic word and segment times, each inside its chunk; a word repeated on both sides of a cut is
/// kept once.
pub fn merge(parts: &[ChunkTranscript], duration_s: f64) -> Transcript {
    merge_with(parts, duration_s, true)
}

/// [`merge`], dropping a word repeated across a cut only when `dedup` (pieces cut where Whisper's own
/// window loop would cut need no such repair: it never hears a word twice).
pub fn merge_with(parts: &[ChunkTranscript], duration_s: f64, dedup: bool) -> Transcript {
    let mut words: Vec<TimedText> = Vec::new();
    let mut segments: Vec<TimedText> = Vec::new();
    let place = |t: &TimedText, part: &ChunkTranscript, floor: f64| {
        let start = (t.start_s + part.start_s).clamp(part.start_s, part.end_s).max(floor);
        let end = (t.end_s + part.start_s).clamp(start, part.end_s.max(start));
        TimedText {
            start_s: start,
            end_s: end,
            text: t.text.clone(),
        }
    };
    for part in parts {
        let mut new_words = part.transcript.words.iter();
        let mut first_segment_skip = None;
        if dedup && let (Some(prev), Some(first)) = (words.last(), part.transcript.words.first()) {
            let cut = part.start_s;
            let same = !norm(&prev.text).is_empty() && norm(&prev.text) == norm(&first.text);
            if same && cut - prev.end_s <= EDGE_S && first.start_s <= EDGE_S {
                new_words.next();
                first_segment_skip = Some(first.text.clone());
            }
        }
        for w in new_words {
            let floor = words.last().map_or(0.0, |l| l.start_s);
            let placed = place(w, part, floor);
            words.push(placed);
        }
        for (i, s) in part.transcript.segments.iter().enumerate() {
            let floor = segments.last().map_or(0.0, |l| l.start_s);
            let mut placed = place(s, part, floor);
            if i == 0
                && let Some(skip) = &first_segment_skip
            {
                placed.text = without_first_word(&placed.text, skip);
            }
            if !placed.text.trim().is_empty() {
                segments.push(placed);
            }
        }
    }
    let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    Transcript {
        text,
        duration_s,
        segments,
        words,
    }
}

/// `text` without its first word when that word is `word` (compared as [`norm`] does).
fn without_first_word(text: &str, word: &str) -> String {
    let trimmed = text.trim_start();
    match trimmed.split_once(char::is_whitespace) {
        Some((first, rest)) if norm(first) == norm(word) => rest.trim_start().to_string(),
        None if norm(trimmed) == norm(word) => String::new(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Deterministic noise in [-1, 1).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
    }

    /// Speech-like signal: noise with a 4 Hz syllable envelope (short dips, no pauses) over `secs`,
    /// with silence (plus faint noise) in each `(from, to)` pause.
    fn speech(secs: f64, pauses: &[(f64, f64)]) -> Vec<f32> {
        let mut rng = Lcg(7);
        (0..(secs * RATE as f64) as usize)
            .map(|i| {
                let t = i as f64 / RATE as f64;
                let hiss = rng.next() * 0.0005;
                if pauses.iter().any(|&(a, b)| t >= a && t < b) {
                    hiss
                } else {
                    let env = 0.35 + 0.65 * (t * std::f64::consts::PI * 4.0).sin().abs();
                    rng.next() * 0.3 * env as f32 + hiss
                }
            })
            .collect()
    }

    /// The limits these tests were written for (independent of the tuned defaults).
    const TEST_CFG: ChunkerConfig = ChunkerConfig {
        min_s: 8.0,
        max_s: 25.0,
        pause_s: 0.3,
        end_pause_s: None,
    };

    fn chunk_all(signal: &[f32], block: usize) -> Vec<Chunk> {
        chunk_with(TEST_CFG, signal, block)
    }

    fn chunk_with(cfg: ChunkerConfig, signal: &[f32], block: usize) -> Vec<Chunk> {
        let mut c = Chunker::new(cfg);
        let mut out = Vec::new();
        for b in signal.chunks(block) {
            out.extend(c.push(b));
        }
        out.extend(c.finish());
        out
    }

    /// Chunks cover the signal exactly, in order, and respect the length limits.
    fn check_cover(signal: &[f32], chunks: &[Chunk]) {
        let mut at = 0;
        for (i, c) in chunks.iter().enumerate() {
            assert_eq!(c.start, at, "chunk {i} starts where the last ended");
            assert_eq!(
                &signal[at..at + c.samples.len()],
                &c.samples[..],
                "chunk {i} holds the audio"
            );
            let len = c.samples.len() as f64 / RATE as f64;
            assert!(len <= 25.0 + 1e-9, "chunk {i} is {len} s");
            if i + 1 < chunks.len() {
                assert!(len >= 8.0 - 1e-9, "chunk {i} is {len} s");
            }
            at += c.samples.len();
        }
        assert_eq!(at, signal.len(), "nothing lost");
    }

    fn cuts(chunks: &[Chunk]) -> Vec<f64> {
        chunks.iter().skip(1).map(Chunk::start_s).collect()
    }

    #[test]
    fn cuts_in_pauses_after_the_minimum_only() {
        // A pause before the minimum (5 s), one straddling it whose middle falls before 8 s, one that
        // counts (11.0–11.5), a short dip that is not a pause (20.0–20.15), and one more (23–24).
        let pauses = [
            (5.0, 5.6),
            (7.5, 7.9),
            (11.0, 11.5),
            (20.0, 20.15),
            (23.0, 24.0),
            (33.0, 33.4),
        ];
        let signal = speech(40.0, &pauses);
        for block in [160, 4000, 1234, signal.len()] {
            let chunks = chunk_all(&signal, block);
            check_cover(&signal, &chunks);
            let cuts = cuts(&chunks);
            assert_eq!(cuts.len(), 3, "block {block}: {cuts:?}");
            assert!((11.0..11.5).contains(&cuts[0]), "block {block}: {cuts:?}");
            assert!((23.0..24.0).contains(&cuts[1]), "block {block}: {cuts:?}");
            assert!((33.0..33.4).contains(&cuts[2]), "block {block}: {cuts:?}");
        }
    }

    #[test]
    fn no_pauses_cuts_at_the_quietest_place_within_the_maximum() {
        let mut signal = speech(70.0, &[]);
        // A softer stretch at 21.0–21.2 s, too short to be a pause: the best place to cut the first chunk.
        for s in &mut signal[21 * RATE..21 * RATE + 3200] {
            *s *= 0.1;
        }
        let chunks = chunk_all(&signal, 4000);
        check_cover(&signal, &chunks);
        assert!(chunks.len() >= 3, "{} chunks", chunks.len());
        let cuts = cuts(&chunks);
        assert!((21.0..21.2).contains(&cuts[0]), "{cuts:?}");
        for pair in cuts.windows(2) {
            assert!(pair[1] - pair[0] >= 8.0 && pair[1] - pair[0] <= 25.0, "{cuts:?}");
        }
    }

    #[test]
    fn a_constant_tone_is_not_a_pause() {
        let signal: Vec<f32> = (0..RATE * 30).map(|i| (i as f32 * 0.07).sin() * 0.2).collect();
        let chunks = chunk_all(&signal, 8000);
        check_cover(&signal, &chunks);
        assert_eq!(chunks.len(), 2);
        // Cut in the second half of the allowed length (all windows are about equally loud).
        assert!(chunks[0].samples.len() >= 16 * RATE, "{}", chunks[0].samples.len());
    }

    #[test]
    fn very_short_and_empty_answers() {
        let signal = speech(3.0, &[(1.0, 2.0)]);
        let chunks = chunk_all(&signal, 4000);
        assert_eq!(chunks.len(), 1, "a 3 s answer is one chunk");
        check_cover(&signal, &chunks);
        assert!(Chunker::new(ChunkerConfig::default()).finish().is_none());
        let mut c = Chunker::new(ChunkerConfig::default());
        assert!(c.push(&[]).is_empty());
        assert!(c.push(&[0.1; 100]).is_empty());
        assert_eq!(c.pending(), 100);
        let tail = c.finish().unwrap();
        assert_eq!((tail.start, tail.samples.len()), (0, 100));
    }

    #[test]
    fn long_silence_is_cut_soon_after_it_starts() {
        // Speech 0–9 s, silence to 40 s, speech to 45 s: the first cut comes a pause after 9 s, not at 25 s.
        let signal = speech(45.0, &[(9.0, 40.0)]);
        let chunks = chunk_all(&signal, 4000);
        check_cover(&signal, &chunks);
        let cuts = cuts(&chunks);
        assert!((9.0..9.5).contains(&cuts[0]), "{cuts:?}");
    }

    #[test]
    fn the_end_of_speech_closes_a_short_chunk_and_a_quiet_tail_is_known() {
        let cfg = ChunkerConfig {
            end_pause_s: Some(0.9),
            ..TEST_CFG
        };
        // Sentences with 0.5 s gaps (not the end), then 4 s of speech and silence (the person is done).
        let signal = speech(16.0, &[(3.0, 3.5), (9.0, 9.5), (13.0, 16.0)]);
        for block in [160, 1234, 4000] {
            let mut c = Chunker::new(cfg);
            let mut chunks = Vec::new();
            let mut quiet_at = None;
            for (i, b) in signal.chunks(block).enumerate() {
                chunks.extend(c.push(b));
                let t = ((i + 1) * block) as f64 / RATE as f64;
                if quiet_at.is_none() && !chunks.is_empty() && c.tail_is_quiet() {
                    quiet_at = Some(t);
                }
            }
            let cuts = cuts(&chunks);
            // A normal cut at the 9 s pause, then one 0.3 s into the final silence (chunk 9.x–13.3 s, 4 s).
            assert_eq!(cuts.len(), 1, "block {block}: {cuts:?}");
            assert!((9.0..9.5).contains(&cuts[0]), "block {block}: {cuts:?}");
            let last = chunks.last().unwrap();
            let end = last.start_s() + last.samples.len() as f64 / RATE as f64;
            assert!(
                (13.25..13.35).contains(&end),
                "block {block}: the early chunk ends at {end}"
            );
            assert!(!chunks[0].ends_speech, "the 0.5 s pause is not the end");
            assert!(last.ends_speech, "block {block}: the long pause is");
            // What is left is silence, known as such soon after the cut.
            assert!(c.tail_is_quiet(), "block {block}");
            assert!(
                quiet_at.is_some_and(|t| t < 14.3),
                "block {block}: quiet from {quiet_at:?}"
            );
            let mut all = chunks.clone();
            all.extend(c.finish());
            let covered: usize = all.iter().map(|c| c.samples.len()).sum();
            assert_eq!(covered, signal.len(), "nothing lost");
        }
        // Past the minimum, a pause still going on is cut once it is an end-of-speech pause, and said so.
        for block in [160, 4000] {
            let chunks = chunk_with(cfg, &speech(12.0, &[(10.0, 12.0)]), block);
            assert_eq!(chunks.len(), 2, "block {block}");
            assert!((10.25..10.35).contains(&chunks[1].start_s()), "block {block}");
            assert!(chunks[0].ends_speech, "block {block}");
        }
        // Short pauses alone never cut before the minimum; a word in the tail is not quiet.
        let chunks = chunk_with(cfg, &speech(7.5, &[(2.0, 2.6), (5.0, 5.5)]), 4000);
        assert_eq!(chunks.len(), 1);
        let mut c = Chunker::new(cfg);
        c.push(&speech(12.0, &[(9.0, 9.5)]));
        c.push(&speech(0.3, &[]));
        assert!(!c.tail_is_quiet(), "speech in the tail");
        assert!(!Chunker::new(cfg).tail_is_quiet(), "nothing to compare with yet");
    }

    fn tt(text: &str, start_s: f64, end_s: f64) -> TimedText {
        TimedText {
            start_s,
            end_s,
            text: text.into(),
        }
    }

    fn part(start_s: f64, end_s: f64, words: &[(&str, f64, f64)]) -> ChunkTranscript {
        let words: Vec<TimedText> = words.iter().map(|&(w, a, b)| tt(w, a, b)).collect();
        let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let segments = match (words.first(), words.last()) {
            (Some(f), Some(l)) => vec![tt(&text, f.start_s, l.end_s)],
            _ => Vec::new(),
        };
        ChunkTranscript {
            start_s,
            end_s,
            transcript: Transcript {
                text,
                duration_s: end_s - start_s,
                segments,
                words,
            },
        }
    }

    #[test]
    fn merge_makes_times_absolute_and_monotonic() {
        let parts = [
            part(0.0, 9.2, &[("We", 0.5, 0.7), ("ship", 0.7, 1.0), ("weekly.", 1.0, 9.9)]),
            // Whisper's times can start a little late or overlap; one runs past the chunk's end.
            part(
                9.2,
                20.0,
                &[("Then", 0.1, 0.4), ("we", 0.3, 0.5), ("measure.", 0.6, 12.0)],
            ),
            part(20.0, 22.0, &[]),
            part(22.0, 25.0, &[("Done.", 0.2, 0.6)]),
        ];
        let t = merge(&parts, 25.0);
        let w: Vec<&str> = t.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["We", "ship", "weekly.", "Then", "we", "measure.", "Done."]);
        assert_eq!(t.text, "We ship weekly. Then we measure. Done.");
        assert_eq!(t.duration_s, 25.0);
        assert_eq!(t.segments.len(), 3);
        assert!((t.words[3].start_s - 9.3).abs() < 1e-9, "{:?}", t.words[3]);
        assert!(
            (t.words[2].end_s - 9.2).abs() < 1e-9,
            "clamped to its chunk: {:?}",
            t.words[2]
        );
        assert!((t.words[5].end_s - 20.0).abs() < 1e-9, "{:?}", t.words[5]);
        assert!((t.words[6].start_s - 22.2).abs() < 1e-9, "{:?}", t.words[6]);
        for list in [&t.words, &t.segments] {
            for p in list.windows(2) {
                assert!(p[1].start_s >= p[0].start_s, "{p:?}");
            }
            assert!(list.iter().all(|w| w.end_s >= w.start_s && w.end_s <= 25.0));
        }
    }

    #[test]
    fn a_word_heard_on_both_sides_of_a_cut_is_kept_once() {
        let parts = [
            part(0.0, 10.0, &[("the", 8.0, 8.3), ("latency.", 9.5, 9.9)]),
            part(10.0, 20.0, &[("Latency", 0.0, 0.3), ("matters.", 0.4, 0.9)]),
        ];
        let t = merge(&parts, 20.0);
        let w: Vec<&str> = t.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["the", "latency.", "matters."]);
        assert_eq!(t.text, "the latency. matters.");
        // The same word far from the cut is a real repetition and stays.
        let parts = [
            part(0.0, 10.0, &[("no", 5.0, 5.3)]),
            part(10.0, 20.0, &[("no", 3.0, 3.3)]),
        ];
        assert_eq!(merge(&parts, 20.0).words.len(), 2);
    }
}
