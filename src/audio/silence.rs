//! Words Whisper heard in silence. Whisper fills long quiet stretches with text nobody said ("So if you're
//! interested in the data, you can also find out more…"), and stretches the last words before a pause into
//! it. [`keep_spoken`] checks a transcript against the recording's own levels: a word timed wholly inside a
//! quiet stretch is dropped, a word that runs into one is cut at its edge, and a segment left with no words
//! goes. Pure: samples and a transcript in, a transcript out.

use super::level::rms;
use crate::transcript::{TimedText, Transcript};

/// Sample rate of the samples (Whisper's).
pub const RATE: usize = 16_000;
/// One level frame: 20 ms.
const FRAME: usize = RATE / 50;
/// Below this RMS (about -70 dBFS) a frame is silent whatever else the recording holds.
const ABS_QUIET: f32 = 3e-4;
/// A quiet stretch shorter than this is a pause between words, not silence.
pub const MIN_SILENCE_S: f64 = 1.0;
/// A quiet stretch this long between two words is a pause: the word after it starts where it ends.
pub const MIN_PAUSE_S: f64 = 0.16;
/// A pause that ends this little after where a word is timed to start still comes before it.
const ONSET_SLACK_S: f64 = 0.15;
/// Word times are this uncertain: a word may reach this far into a quiet stretch.
pub const SLACK_S: f64 = 0.25;

/// The 20 ms levels of a recording, added as its samples arrive (a streamed recording need not be kept
/// whole: 50 numbers a second are).
#[derive(Clone, Debug, Default)]
pub struct Levels {
    frames: Vec<f32>,
    partial: Vec<f32>,
    samples: usize,
}

impl Levels {
    /// The levels of a whole recording.
    pub fn of(samples: &[f32]) -> Self {
        let mut l = Self::default();
        l.push(samples);
        l
    }

    /// Adds the next samples.
    pub fn push(&mut self, samples: &[f32]) {
        self.samples += samples.len();
        let mut rest = samples;
        if !self.partial.is_empty() {
            let need = (FRAME - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..need]);
            rest = &rest[need..];
            if self.partial.len() == FRAME {
                self.frames.push(rms(&self.partial));
                self.partial.clear();
            }
        }
        let whole = rest.len() / FRAME * FRAME;
        self.frames.extend(rest[..whole].chunks_exact(FRAME).map(rms));
        self.partial.extend_from_slice(&rest[whole..]);
    }

    /// Where transcription should start: a second before the first 20 ms frame above -70 dBFS, on
    /// Whisper's 10 ms grid; 0 when that is within the first second or two; `None` while every frame so far
    /// is that quiet. Whisper loses speech that starts about a minute into an input that is digitally
    /// silent (or nearly) before it (speech starting 55–62 s in came back empty), and an input that never
    /// rises above that level holds nothing to transcribe. Causal: a growing recording's frames give the
    /// same answer as the whole file's once its first loud frame has arrived.
    pub fn speech_start(&self) -> Option<usize> {
        let first = self.frames.iter().position(|&f| f > ABS_QUIET)?;
        let at = (first * FRAME).saturating_sub(RATE) / 160 * 160;
        Some(if at < 2 * RATE { 0 } else { at })
    }

    /// Quiet stretches of at least [`MIN_SILENCE_S`], as (start, end) in seconds. A 20 ms frame is quiet
    /// when its level (averaged over 60 ms) is at most 6 dB above the recording's noise floor (its
    /// 10th-percentile frame) and 20 dB below its speech level (95th percentile), or below -70 dBFS in any
    /// case. A recording of steady noise has no speech level above its floor, so nothing in it is silence.
    pub fn silent_stretches(&self) -> Vec<(f64, f64)> {
        self.quiet_runs(MIN_SILENCE_S)
    }

    /// Pauses between words: quiet stretches (as [`Levels::silent_stretches`] tells them) of at least
    /// [`MIN_PAUSE_S`].
    pub fn pauses(&self) -> Vec<(f64, f64)> {
        self.quiet_runs(MIN_PAUSE_S)
    }

    /// `t` checked against these levels: [`keep_outside`] the silent stretches, then [`start_after_pauses`].
    pub fn spoken(&self, t: Transcript) -> Transcript {
        start_after_pauses(
            keep_outside(t, &self.open_ended(self.silent_stretches())),
            &self.pauses(),
        )
    }

    /// `quiet` with a stretch that reaches the end of the recording running on past it: Whisper times
    /// what it writes in silence at the end of a file up to its very last frame (a sentence written six
    /// times at 71.26-71.48 s of a 71.5 s recording), where no slack at the stretch's end is due.
    fn open_ended(&self, mut quiet: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
        let end_s = self.samples as f64 / RATE as f64;
        if let Some(last) = quiet.last_mut()
            && last.1 >= end_s - 0.05
        {
            last.1 = f64::INFINITY;
        }
        quiet
    }

    fn quiet_runs(&self, min_s: f64) -> Vec<(f64, f64)> {
        let mut frames = self.frames.clone();
        if !self.partial.is_empty() {
            frames.push(rms(&self.partial));
        }
        if frames.is_empty() {
            return Vec::new();
        }
        let mut sorted = frames.clone();
        sorted.sort_by(f32::total_cmp);
        let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
        let limit = (at(0.1) * 2.0).min(at(0.95) * 0.1).max(ABS_QUIET);
        let smooth = |i: usize| {
            let lo = i.saturating_sub(1);
            let hi = (i + 2).min(frames.len());
            frames[lo..hi].iter().sum::<f32>() / (hi - lo) as f32
        };
        let min_frames = (min_s * 50.0).round() as usize;
        let end_s = self.samples as f64 / RATE as f64;
        let mut out = Vec::new();
        let mut i = 0;
        while i < frames.len() {
            if smooth(i) > limit {
                i += 1;
                continue;
            }
            let a = i;
            while i < frames.len() && smooth(i) <= limit {
                i += 1;
            }
            if i - a >= min_frames {
                out.push((a as f64 / 50.0, (i as f64 / 50.0).min(end_s)));
            }
        }
        out
    }
}

/// A word timed after a pause that lies between it and the word before starts where the (last such) pause
/// ends, and the word before ends where it begins. The alignment places the start of a word after a pause
/// late, as late as the pause was long (measured on espeak-ng speech: "First, correctness" 0.69 s late);
/// the recording's own levels say where the sound starts again. The last pause and not the first: when a
/// filler Whisper did not write ("which, um, tells") sits between the two, the word is after the filler
/// Measured on six espeak-ng answers against espeak-ng's own word times (four voices and speeds, one with
/// spoken fillers): 14 words more than 0.3 s off instead of 22 without this step, worst 0.68 s instead of
/// 0.93 s (both in the answer with fillers); the first pause instead of the last, or no slack after the
/// start, gave 17-20. `pauses` are quiet stretches, in order.
pub fn start_after_pauses(mut t: Transcript, pauses: &[(f64, f64)]) -> Transcript {
    for i in 1..t.words.len() {
        let (prev_start, start) = (t.words[i - 1].start_s, t.words[i].start_s);
        // The last pause that begins after the previous word started and ends before this one starts (or
        // just after: the alignment may place the start a little early, and a pause before it then is the
        // stop of a consonant inside the word before: "minutes. The" moved to the "t" of "minutes").
        let Some(&(a, b)) = pauses
            .iter()
            .rev()
            .find(|&&(a, b)| a > prev_start && b < start + ONSET_SLACK_S)
        else {
            continue;
        };
        // Moved later, it stays before the next word.
        if b > start && t.words.get(i + 1).is_some_and(|n| b >= n.start_s) {
            continue;
        }
        t.words[i].start_s = b;
        t.words[i].end_s = t.words[i].end_s.max(b);
        let prev = &mut t.words[i - 1];
        if prev.end_s > a {
            prev.end_s = a.max(prev.start_s);
        }
    }
    t
}

/// [`Levels::silent_stretches`] of a whole recording.
pub fn silent_stretches(samples: &[f32]) -> Vec<(f64, f64)> {
    Levels::of(samples).silent_stretches()
}

/// `t` without what Whisper heard in the quiet stretches of `samples` (the recording `t` was transcribed
/// from, 16 kHz, times from its first sample). A segment that lies wholly inside one (by more than
/// [`SLACK_S`] at both ends) was not said: it goes, with its words. The words of a segment that was said but
/// whose times run into a quiet stretch are moved to its edge: the last words before a pause, stretched into
/// it, end where the silence begins, and the first words after a long silence, timed early inside it,
/// start where it ends; a word after a short pause starts where it ends ([`start_after_pauses`]). A
/// transcript with nothing in silence and no word late after a pause comes back unchanged.
pub fn keep_spoken(t: Transcript, samples: &[f32]) -> Transcript {
    Levels::of(samples).spoken(t)
}

/// [`keep_spoken`] with the quiet stretches given.
pub fn keep_outside(mut t: Transcript, quiet: &[(f64, f64)]) -> Transcript {
    if quiet.is_empty() || t.words.is_empty() {
        return t;
    }
    let silent = |a: f64, b: f64| quiet.iter().any(|&(qa, qb)| a >= qa + SLACK_S && b <= qb - SLACK_S);
    let dropped: Vec<usize> = (0..t.segments.len())
        .filter(|&i| silent(t.segments[i].start_s, t.segments[i].end_s))
        .collect();
    // Which segment each word belongs to (by its start).
    let seg_of = |w: &TimedText| {
        t.segments
            .iter()
            .position(|s| w.start_s >= s.start_s - 1e-6 && w.start_s <= s.end_s + 1e-6)
    };
    let keep: Vec<bool> = t
        .words
        .iter()
        .map(|w| match seg_of(w) {
            Some(i) => !dropped.contains(&i),
            None => !silent(w.start_s, w.end_s),
        })
        .collect();
    let mut words: Vec<TimedText> = t
        .words
        .drain(..)
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect();
    for &(a, b) in quiet {
        // Words inside the silence that lead into speech after it start at its end, in their order.
        let inside: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].start_s >= a + SLACK_S && words[i].start_s < b - SLACK_S)
            .collect();
        // `inside` is a run of consecutive words (they are in time order); the word after it is in speech.
        if let (Some(&first), Some(&last)) = (inside.first(), inside.last())
            && let Some(next) = words.get(last + 1).map(|w| w.start_s)
        {
            let from = b - SLACK_S;
            // Whisper's times drifted into the silence for the sentence that follows it (its window began in
            // the silence): when that sentence is one segment ending in speech, its words are spread from the
            // silence's end to the segment's end by their length, as they were said; packing them in front of
            // the first word Whisper timed in speech squeezed a dozen words into a second and left the next
            // ones up to 3 s early (`tests/silence.rs`, 30 s between two answers).
            let seg = seg_of(&words[first]).filter(|&i| seg_of(&words[last + 1]) == Some(i));
            let run_end = seg.map(|i| {
                let end = t.segments[i].end_s;
                (last + 1..words.len())
                    .take_while(|&k| words[k].start_s <= end + 1e-6)
                    .last()
                    .map_or((last, end), |k| (k, end.max(words[k].end_s.min(end + 1.0))))
            });
            match run_end {
                Some((l, end)) if end > from => {
                    let weight = |w: &TimedText| w.text.chars().count() as f64 + 1.0;
                    let total: f64 = words[first..=l].iter().map(weight).sum();
                    let mut done = 0.0;
                    for w in &mut words[first..=l] {
                        let wt = weight(w);
                        w.start_s = from + (end - from) * done / total;
                        done += wt;
                        w.end_s = from + (end - from) * done / total;
                    }
                }
                _ => {
                    let step = (next.max(from) - from) / inside.len() as f64;
                    for (k, w) in words[first..=last].iter_mut().enumerate() {
                        w.start_s = from + step * k as f64;
                        w.end_s = from + step * (k as f64 + 1.0);
                    }
                }
            }
        }
        // A word that runs on into the silence ends where the silence begins.
        for w in &mut words {
            if w.start_s < a + SLACK_S && w.end_s > a + SLACK_S && w.end_s <= b + SLACK_S {
                w.end_s = a + SLACK_S;
            }
        }
    }
    // Times stay monotonic.
    let mut last = 0.0f64;
    for w in &mut words {
        w.start_s = w.start_s.max(last);
        w.end_s = w.end_s.max(w.start_s);
        last = w.start_s;
    }
    if !dropped.is_empty() {
        let mut i = 0;
        t.segments.retain(|_| {
            i += 1;
            !dropped.contains(&(i - 1))
        });
        t.text = t.segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    }
    for s in &mut t.segments {
        let inner: Vec<&TimedText> = words
            .iter()
            .filter(|w| w.start_s >= s.start_s - 1e-6 && w.start_s <= s.end_s + 1e-6)
            .collect();
        if let (Some(f), Some(l)) = (inner.first(), inner.last()) {
            s.start_s = s.start_s.max(f.start_s.min(s.end_s)).min(f.start_s);
            s.end_s = s.end_s.min(l.end_s.max(s.start_s)).max(l.end_s);
        }
    }
    t.words = words;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_after_a_pause_starts_where_the_pause_ends() {
        let w = |text: &str, start_s: f64, end_s: f64| TimedText {
            start_s,
            end_s,
            text: text.into(),
        };
        let t = Transcript {
            words: vec![w("First,", 1.0, 2.1), w("correctness", 2.1, 2.9), w("the", 2.95, 3.1)],
            ..Transcript::default()
        };
        // Said: "First," 1.0-1.4, a pause 1.4-1.7, "correctness" from 1.7; a pause before the first word too.
        let t = start_after_pauses(t, &[(0.2, 0.9), (1.4, 1.7)]);
        let times: Vec<(f64, f64)> = t.words.iter().map(|w| (w.start_s, w.end_s)).collect();
        assert_eq!(times, [(1.0, 1.4), (1.7, 2.9), (2.95, 3.1)]);
        // A pause that ends just after where a word is timed moves it later, but never past the next word
        // (the stream once timed "which" after "tells").
        let t = Transcript {
            words: vec![w("so", 5.0, 5.2), w("which", 6.0, 6.0), w("tells", 6.05, 6.5)],
            ..Transcript::default()
        };
        let t = start_after_pauses(t, &[(5.5, 6.1)]);
        let starts: Vec<f64> = t.words.iter().map(|w| w.start_s).collect();
        assert_eq!(starts, [5.0, 6.0, 6.05]);
    }

    #[test]
    fn a_segment_in_silence_at_the_very_end_of_a_file_is_dropped() {
        let w = |text: &str, start_s: f64, end_s: f64| TimedText {
            start_s,
            end_s,
            text: text.into(),
        };
        // 2 s of sound, then 8 s of silence; Whisper wrote a sentence in its last quarter second.
        let mut samples = tone(2.0, 0.3);
        samples.extend(vec![0.0; RATE * 8]);
        let t = Transcript {
            text: "Said. Not said.".into(),
            duration_s: 10.0,
            segments: vec![w("Said.", 0.2, 1.8), w("Not said.", 9.8, 9.98)],
            words: vec![w("Said.", 0.2, 1.8), w("Not", 9.8, 9.9), w("said.", 9.9, 9.98)],
        };
        let kept = keep_spoken(t, &samples);
        assert_eq!(kept.text, "Said.");
        assert_eq!(kept.words.len(), 1, "{:?}", kept.words);
        // Inside the silence but not at its end, the slack still holds.
        let t = Transcript {
            text: "Said. Late.".into(),
            duration_s: 10.0,
            segments: vec![w("Said.", 0.2, 1.8), w("Late.", 1.9, 2.2)],
            words: vec![w("Said.", 0.2, 1.8), w("Late.", 1.9, 2.2)],
        };
        assert_eq!(keep_spoken(t, &samples).words.len(), 2);
    }

    #[test]
    fn pauses_are_the_short_quiet_stretches_between_sounds() {
        let mut samples = tone(1.0, 0.3);
        samples.extend(vec![0.0; RATE / 4]);
        samples.extend(tone(1.0, 0.3));
        samples.extend(vec![0.0; RATE / 10]);
        samples.extend(tone(1.0, 0.3));
        let levels = Levels::of(&samples);
        let pauses = levels.pauses();
        assert_eq!(pauses.len(), 1, "{pauses:?}");
        assert!(
            (pauses[0].0 - 1.02).abs() < 0.05 && (pauses[0].1 - 1.23).abs() < 0.05,
            "{pauses:?}"
        );
        assert!(levels.silent_stretches().is_empty());
    }

    fn tone(seconds: f64, amp: f32) -> Vec<f32> {
        (0..(seconds * RATE as f64) as usize)
            .map(|i| amp * (i as f32 * 0.07).sin())
            .collect()
    }

    fn word(text: &str, a: f64, b: f64) -> TimedText {
        TimedText {
            start_s: a,
            end_s: b,
            text: text.into(),
        }
    }

    #[test]
    fn transcription_starts_a_second_before_the_first_sound() {
        let mut s = vec![0.0; RATE * 58];
        s.extend(tone(3.0, 0.3));
        let whole = Levels::of(&s).speech_start().expect("sound");
        assert_eq!(whole, 57 * RATE);
        // The same from a growing recording once the sound has arrived, and nothing before it.
        let mut growing = Levels::default();
        for piece in s.chunks(1_234) {
            growing.push(piece);
        }
        assert_eq!(growing.speech_start(), Some(whole));
        assert_eq!(Levels::of(&s[..RATE * 58]).speech_start(), None, "all quiet");
        // Near-silence (-80 dBFS) is as quiet; a short lead is kept whole.
        let mut s = tone(30.0, 1e-4);
        s.extend(tone(1.0, 0.3));
        assert_eq!(Levels::of(&s).speech_start(), Some(29 * RATE));
        let mut s = vec![0.0; RATE * 2];
        s.extend(tone(1.0, 0.3));
        assert_eq!(Levels::of(&s).speech_start(), Some(0));
    }

    #[test]
    fn long_quiet_stretches_are_found_and_short_pauses_are_not() {
        let mut s = tone(5.0, 0.3);
        s.extend(vec![0.0; RATE / 2]); // 0.5 s pause
        s.extend(tone(5.0, 0.3));
        s.extend(vec![0.0; RATE * 10]); // 10 s silence
        let q = silent_stretches(&s);
        assert_eq!(q.len(), 1, "{q:?}");
        assert!((q[0].0 - 10.5).abs() < 0.1 && (q[0].1 - 20.5).abs() < 0.1, "{q:?}");
        // Steady noise alone is not silence.
        assert!(silent_stretches(&tone(10.0, 0.01)).is_empty());
        // Quiet room noise after speech is.
        let mut s = tone(5.0, 0.3);
        s.extend(tone(5.0, 0.002));
        assert_eq!(silent_stretches(&s).len(), 1);
    }

    #[test]
    fn words_in_silence_go_and_words_stretched_into_it_are_cut() {
        let t = Transcript {
            text: "we spend per million events. So if you're interested".into(),
            duration_s: 40.0,
            segments: vec![
                TimedText {
                    start_s: 0.0,
                    end_s: 12.0,
                    text: "we spend per million events.".into(),
                },
                TimedText {
                    start_s: 20.0,
                    end_s: 25.0,
                    text: "So if you're interested".into(),
                },
            ],
            words: vec![
                word("we", 8.0, 8.3),
                word("spend", 8.3, 8.8),
                word("per", 8.8, 9.0),
                word("million", 9.0, 9.5),
                word("events.", 9.5, 12.0), // said until 10.0, stretched into the silence
                word("So", 20.0, 20.5),
                word("if", 20.5, 21.0),
                word("you're", 21.0, 22.0),
                word("interested", 22.0, 25.0),
            ],
        };
        let out = keep_outside(t, &[(10.0, 40.0)]);
        assert_eq!(out.text, "we spend per million events.");
        assert_eq!(out.words.len(), 5);
        assert!((out.words[4].end_s - 10.25).abs() < 1e-9);
        assert_eq!(out.segments.len(), 1);
        assert!((out.segments[0].end_s - 10.25).abs() < 1e-9);
    }

    #[test]
    fn first_words_timed_early_in_a_silence_move_to_its_end() {
        // 10 s of silence, then "let me restate the problem": Whisper timed the first four words inside it.
        let t = Transcript {
            text: "Let me restate the problem.".into(),
            duration_s: 14.0,
            segments: vec![TimedText {
                start_s: 0.0,
                end_s: 12.0,
                text: "Let me restate the problem.".into(),
            }],
            words: vec![
                word("Let", 0.0, 1.6),
                word("me", 1.6, 2.7),
                word("restate", 2.7, 6.4),
                word("the", 6.4, 8.0),
                word("problem.", 10.0, 12.0),
            ],
        };
        let out = keep_outside(t, &[(0.0, 9.9)]);
        assert_eq!(out.text, "Let me restate the problem.");
        assert_eq!(out.words.len(), 5);
        assert!(out.words[1].start_s >= 9.6, "{:?}", out.words);
        assert!(out.words.windows(2).all(|p| p[1].start_s >= p[0].start_s));
    }

    #[test]
    fn a_sentence_timed_into_a_silence_is_spread_over_its_segment_as_said() {
        // 30 s of silence, then one segment (76-81.4 s) whose first 15 words Whisper timed in the silence and
        // whose last three it put at 77-81 s: the words go from the silence's end to the segment's end by
        // length, not packed into the second before "once".
        let text = "So the question is how I would know that the new data pipeline is healthy once it ships.";
        let mut words: Vec<TimedText> = text
            .split(' ')
            .enumerate()
            .map(|(i, w)| word(w, 60.0 + i as f64, 60.5 + i as f64))
            .collect();
        let n = words.len();
        words[n - 3] = word("once", 77.04, 78.2);
        words[n - 2] = word("it", 78.2, 78.7);
        words[n - 1] = word("ships.", 78.8, 81.3);
        let t = Transcript {
            text: text.into(),
            duration_s: 90.0,
            segments: vec![TimedText {
                start_s: 46.3,
                end_s: 81.36,
                text: text.into(),
            }],
            words,
        };
        let out = keep_outside(t, &[(46.3, 76.2)]);
        let at = |w: &str| out.words.iter().find(|x| x.text == w).map_or(f64::NAN, |x| x.start_s);
        assert!((at("So") - 75.95).abs() < 0.01, "{:?}", out.words);
        // "once" is 75 of 89 characters in: about 80.5 s (it was said at 80.0 s).
        assert!((at("once") - 80.0).abs() < 0.5, "{:?}", out.words);
        assert!(out.words.windows(2).all(|p| p[1].start_s >= p[0].start_s));
        assert!(out.words.iter().all(|w| w.end_s <= 81.36 + 1e-9));
    }

    #[test]
    fn levels_added_in_pieces_are_the_levels_of_the_whole() {
        let mut s = tone(3.0, 0.3);
        s.extend(vec![0.0; RATE * 3]);
        s.extend(tone(1.0, 0.2));
        let mut l = Levels::default();
        for piece in s.chunks(777) {
            l.push(piece);
        }
        assert_eq!(l.silent_stretches(), silent_stretches(&s));
        assert_eq!(l.frames, Levels::of(&s).frames);
    }

    #[test]
    fn nothing_changes_without_silence() {
        let t = Transcript::from_plain_text("a b c", Some(3.0));
        let out = keep_spoken(t.clone(), &tone(3.0, 0.3));
        assert_eq!(out, t);
    }
}
