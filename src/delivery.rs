//! How the answer was spoken, as opposed to what it covered: pace, fillers, hedges, pauses and time used,
//! all from the word timestamps of a transcript. Kept separate from the rubric because these numbers mean
//! the same for every question.
//!
//! Rates are per minute of *speaking span* (first word start to last word end), so silence before the
//! person starts talking, or before they press Stop, does not drag the pace down. That silence is reported
//! as leading and trailing silence, never as a pause.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rubric::text::normalise_word;
use crate::transcript::Transcript;

/// Initial prompt for Whisper that shows it fillers, so it writes more "um"s and "uh"s. Only used on
/// request (`rehearse transcribe --filler-prompt`): it raises the word error rate on clear speech (see
/// `asr::whisper::Options::default` for the numbers), and the rubric needs the words more than the fillers.
pub const FILLER_PROMPT: &str = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.";

/// A gap between words longer than this (seconds) is a long pause.
pub const LONG_PAUSE_S: f64 = 1.2;
/// Below this pace (words per minute) the answer is flagged slow.
pub const WPM_SLOW: f64 = 110.0;
/// Above this pace the answer is flagged fast.
pub const WPM_FAST: f64 = 170.0;
/// A gap at least this long (seconds) sets "like"/"so"/"you know" off as a filler, like a comma does.
pub const SET_OFF_PAUSE_S: f64 = 0.5;

/// Pace verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WpmFlag {
    /// Under [`WPM_SLOW`].
    Slow,
    /// Within range.
    #[default]
    Ok,
    /// Over [`WPM_FAST`].
    Fast,
}

/// A long pause between two words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// When the silence began (end of the previous word), seconds.
    pub start_s: f64,
    /// How long it lasted, seconds.
    pub length_s: f64,
}

/// Delivery metrics for one answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Words per minute over the speaking span.
    pub wpm: f64,
    /// Fillers per minute.
    pub fillers_per_min: f64,
    /// Count per filler ("um", "like", "you know"…).
    pub fillers: BTreeMap<String, usize>,
    /// Hedges per minute.
    pub hedges_per_min: f64,
    /// Pauses longer than [`LONG_PAUSE_S`], in order.
    pub long_pauses: Vec<Pause>,
    /// Time used: until the last word ends (the recording length when nothing was said).
    pub time_used_s: f64,
    /// The question's time box.
    pub time_box_s: f64,
    /// Pace verdict.
    #[serde(default)]
    pub wpm_flag: WpmFlag,
    /// Count per hedge ("i think", "maybe"…).
    #[serde(default)]
    pub hedges: BTreeMap<String, usize>,
    /// Longest stretch of speech without a long pause, seconds.
    #[serde(default)]
    pub longest_run_s: f64,
    /// Speaking span: first word start to last word end, seconds. Pace and rates are over this.
    #[serde(default)]
    pub speaking_s: f64,
    /// Silence before the first word, seconds.
    #[serde(default)]
    pub leading_silence_s: f64,
    /// Silence after the last word until the recording stopped, seconds.
    #[serde(default)]
    pub trailing_silence_s: f64,
}

impl Delivery {
    /// Seconds over the time box (0 when inside it).
    pub fn over_time_s(&self) -> f64 {
        (self.time_used_s - self.time_box_s).max(0.0)
    }
}

struct Tok {
    norm: String,
    /// Set off before: the previous word ends with a comma-like mark, or a pause precedes it.
    off_before: bool,
    /// Set off after: the word ends with a comma-like mark or a sentence end, or a pause follows.
    off_after: bool,
}

fn tokens(transcript: &Transcript) -> Vec<Tok> {
    let words = &transcript.words;
    let mut out: Vec<Tok> = Vec::with_capacity(words.len());
    let mut prev_comma = false;
    for (wi, w) in words.iter().enumerate() {
        let pieces = normalise_word(&w.text);
        let trimmed = w.text.trim_end_matches(['"', '\'', ')', '\u{201d}']);
        let comma = trimmed.ends_with([',', ';', ':', '\u{2026}', '\u{2014}', '\u{2013}']) || trimmed.ends_with("...");
        let end = !comma && trimmed.ends_with(['.', '?', '!']);
        let pause_before = wi > 0 && w.start_s - words[wi - 1].end_s >= SET_OFF_PAUSE_S;
        let pause_after = words
            .get(wi + 1)
            .is_some_and(|n| n.start_s - w.end_s >= SET_OFF_PAUSE_S);
        if pieces.is_empty() {
            prev_comma |= comma;
            continue;
        }
        let n = pieces.len();
        for (pi, norm) in pieces.into_iter().enumerate() {
            out.push(Tok {
                norm,
                off_before: pi == 0 && (prev_comma || pause_before),
                off_after: pi + 1 == n && (comma || end || pause_after),
            });
        }
        prev_comma = comma;
    }
    out
}

/// The canonical filler for a single token, if it is one regardless of context ("ummm" → "um").
fn bare_filler(norm: &str) -> Option<&'static str> {
    let only =
        |s: &str, head: &str, tail: char| s.strip_prefix(head).is_some_and(|rest| rest.chars().all(|c| c == tail));
    if only(norm, "um", 'm') {
        Some("um")
    } else if only(norm, "uh", 'h') {
        Some("uh")
    } else if only(norm, "er", 'r') || norm == "erm" {
        Some("er")
    } else if only(norm, "ah", 'h') {
        Some("ah")
    } else if only(norm, "hm", 'm') || only(norm, "mm", 'm') {
        Some("hmm")
    } else {
        None
    }
}

/// Words before "kind of"/"sort of" that make it a noun ("what kind of metric"), not a hedge.
const KIND_DETERMINERS: &[&str] = &[
    "what", "which", "this", "that", "a", "any", "some", "every", "the", "one", "same",
];

/// Analyses pace, fillers, hedges and pauses.
pub fn analyse(transcript: &Transcript, time_box_s: f64) -> Delivery {
    let toks = tokens(transcript);
    let words = &transcript.words;
    let mut fillers: BTreeMap<String, usize> = BTreeMap::new();
    let mut hedges: BTreeMap<String, usize> = BTreeMap::new();
    let bump = |m: &mut BTreeMap<String, usize>, k: &str| *m.entry(k.to_string()).or_default() += 1;

    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let next = toks.get(i + 1);
        let pair = next.map(|n| (t.norm.as_str(), n.norm.as_str()));
        let prev = if i > 0 {
            toks.get(i - 1).map(|p| p.norm.as_str())
        } else {
            None
        };
        if let Some(f) = bare_filler(&t.norm) {
            bump(&mut fillers, f);
        } else if (t.norm == "like" || t.norm == "so")
            && (t.off_before || t.off_after)
            && !(t.norm == "so" && prev.is_some_and(|p| p == "or" || p == "and"))
        {
            // "like"/"so" are fillers only when set off: "It's, like, ten gigs", "So, um".
            // "So the question is", "I like Kafka" and "a week or so," are not.
            bump(&mut fillers, &t.norm);
        } else if let (Some(("you", "know")) | Some(("i", "mean")), Some(n)) = (pair, next) {
            if t.off_before || n.off_after {
                bump(&mut fillers, &format!("{} {}", t.norm, n.norm));
                i += 2;
                continue;
            }
        } else if let Some(("i", "think") | ("i", "guess")) = pair {
            bump(&mut hedges, &format!("i {}", next.map_or("", |n| n.norm.as_str())));
            i += 2;
            continue;
        } else if let Some(("sort", "of") | ("kind", "of")) = pair {
            if !prev.is_some_and(|p| KIND_DETERMINERS.contains(&p)) {
                bump(&mut hedges, &format!("{} of", t.norm));
                i += 2;
                continue;
            }
        } else if t.norm == "maybe" || t.norm == "just" {
            bump(&mut hedges, &t.norm);
        }
        i += 1;
    }

    let word_count = words
        .iter()
        .filter(|w| w.text.chars().any(char::is_alphanumeric))
        .count();
    let (speech_start, speech_end) = transcript.speech_span().unwrap_or((0.0, 0.0));
    let span_s = speech_end - speech_start;
    let (leading_silence_s, trailing_silence_s) = if words.is_empty() {
        (0.0, 0.0)
    } else {
        (speech_start.max(0.0), (transcript.duration_s - speech_end).max(0.0))
    };
    let minutes = span_s / 60.0;
    let per_min = |n: usize| {
        if minutes > 0.0 { n as f64 / minutes } else { 0.0 }
    };
    let wpm = per_min(word_count);
    let wpm_flag = if word_count == 0 {
        WpmFlag::Ok
    } else if wpm < WPM_SLOW {
        WpmFlag::Slow
    } else if wpm > WPM_FAST {
        WpmFlag::Fast
    } else {
        WpmFlag::Ok
    };

    let mut long_pauses = Vec::new();
    let mut longest_run_s: f64 = 0.0;
    let mut run_start = words.first().map_or(0.0, |w| w.start_s);
    for pair in words.windows(2) {
        let gap = pair[1].start_s - pair[0].end_s;
        if gap > LONG_PAUSE_S {
            long_pauses.push(Pause {
                start_s: pair[0].end_s,
                length_s: gap,
            });
            longest_run_s = longest_run_s.max(pair[0].end_s - run_start);
            run_start = pair[1].start_s;
        }
    }
    if let Some(last) = words.last() {
        longest_run_s = longest_run_s.max(last.end_s - run_start);
    }

    let filler_total = fillers.values().sum();
    let hedge_total = hedges.values().sum();
    Delivery {
        wpm,
        fillers_per_min: per_min(filler_total),
        fillers,
        hedges_per_min: per_min(hedge_total),
        long_pauses,
        time_used_s: crate::rubric::time_used(transcript),
        time_box_s,
        wpm_flag,
        hedges,
        longest_run_s,
        speaking_s: span_s,
        leading_silence_s,
        trailing_silence_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::TimedText;

    /// Words with explicit (start, end) times.
    fn timed(words: &[(&str, f64, f64)]) -> Transcript {
        let words: Vec<TimedText> = words
            .iter()
            .map(|(t, s, e)| TimedText {
                start_s: *s,
                end_s: *e,
                text: (*t).to_string(),
            })
            .collect();
        let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let duration_s = words.last().map_or(0.0, |w| w.end_s);
        Transcript {
            text,
            duration_s,
            segments: Vec::new(),
            words,
        }
    }

    /// Evenly spaced words with no pauses (0.4 s per word → 150 wpm).
    fn even(text: &str) -> Transcript {
        let n = text.split_whitespace().count() as f64;
        Transcript::from_plain_text(text, Some(n * 0.4))
    }

    #[test]
    fn fillers_like_and_so_only_when_set_off() {
        let d = analyse(
            &even("So, um, I like Kafka. It's, like, ten gigs. So the question is, uh, ummm fine. A week or so, then."),
            180.0,
        );
        assert_eq!(d.fillers.get("um"), Some(&2), "{:?}", d.fillers);
        assert_eq!(d.fillers.get("uh"), Some(&1));
        assert_eq!(
            d.fillers.get("like"),
            Some(&1),
            "'I like Kafka' is not a filler: {:?}",
            d.fillers
        );
        assert_eq!(
            d.fillers.get("so"),
            Some(&1),
            "'So the question' is not a filler: {:?}",
            d.fillers
        );
        assert_eq!(d.fillers.values().sum::<usize>(), 5);
    }

    #[test]
    fn like_set_off_by_pause_counts() {
        let t = timed(&[
            ("it", 0.0, 0.2),
            ("was", 0.2, 0.4),
            ("like", 1.2, 1.4),
            ("huge", 1.5, 1.8),
        ]);
        assert_eq!(analyse(&t, 180.0).fillers.get("like"), Some(&1));
        let t = timed(&[
            ("it", 0.0, 0.2),
            ("was", 0.2, 0.4),
            ("like", 0.45, 0.6),
            ("huge", 0.65, 1.0),
        ]);
        assert_eq!(analyse(&t, 180.0).fillers.get("like"), None);
    }

    #[test]
    fn you_know_and_i_mean_need_to_be_set_off() {
        let d = analyse(
            &even("It is, you know, slow. I mean, it works. Do you know the schema? That is what I mean by it."),
            180.0,
        );
        assert_eq!(d.fillers.get("you know"), Some(&1), "{:?}", d.fillers);
        assert_eq!(d.fillers.get("i mean"), Some(&1), "{:?}", d.fillers);
    }

    #[test]
    fn hedges_counted_but_not_kind_of_as_noun() {
        let d = analyse(
            &even("I think it's sort of fine, maybe. What kind of metric? I guess it's just latency."),
            180.0,
        );
        assert_eq!(d.hedges.get("i think"), Some(&1));
        assert_eq!(d.hedges.get("sort of"), Some(&1));
        assert_eq!(d.hedges.get("kind of"), None);
        assert_eq!(d.hedges.get("maybe"), Some(&1));
        assert_eq!(d.hedges.get("i guess"), Some(&1));
        assert_eq!(d.hedges.get("just"), Some(&1));
    }

    #[test]
    fn long_pauses_with_times_and_longest_run() {
        let t = timed(&[
            ("First", 0.0, 0.4),
            ("we", 0.5, 0.7),
            ("measure.", 0.8, 1.3),
            ("Then", 3.0, 3.3), // 1.7 s pause at 1.3
            ("we", 3.4, 3.6),
            ("profile", 3.7, 4.0),
            ("it", 4.1, 4.2),
            ("and", 4.3, 4.4),
            ("fix", 5.5, 5.8), // 1.1 s: not long
            ("it.", 7.1, 7.4), // 1.3 s pause at 5.8
        ]);
        let d = analyse(&t, 180.0);
        assert_eq!(d.long_pauses.len(), 2, "{:?}", d.long_pauses);
        assert!((d.long_pauses[0].start_s - 1.3).abs() < 1e-9);
        assert!((d.long_pauses[0].length_s - 1.7).abs() < 1e-9);
        assert!((d.long_pauses[1].start_s - 5.8).abs() < 1e-9);
        assert!((d.longest_run_s - 2.8).abs() < 1e-9, "{}", d.longest_run_s);
    }

    #[test]
    fn wpm_and_flags() {
        let text = "word ".repeat(150);
        let d = analyse(&Transcript::from_plain_text(&text, Some(60.0)), 180.0);
        assert!((d.wpm - 150.0).abs() < 1e-6);
        assert_eq!(d.wpm_flag, WpmFlag::Ok);
        let slow = analyse(&Transcript::from_plain_text(&text, Some(100.0)), 180.0);
        assert!((slow.wpm - 90.0).abs() < 1e-6);
        assert_eq!(slow.wpm_flag, WpmFlag::Slow);
        let fast = analyse(&Transcript::from_plain_text(&text, Some(45.0)), 30.0);
        assert_eq!(fast.wpm_flag, WpmFlag::Fast);
        assert!((fast.over_time_s() - 15.0).abs() < 1e-9);
        let empty = analyse(&Transcript::default(), 180.0);
        assert_eq!((empty.wpm, empty.wpm_flag), (0.0, WpmFlag::Ok));
    }

    /// Pace, time used and silence at either end, for a short answer inside a longer recording.
    #[test]
    fn pace_and_silence_over_the_speaking_span_table() {
        // (leading silence, words, seconds per word, recording length) →
        // (wpm, leading, trailing, time used, long pauses)
        type Row = (f64, usize, f64, f64, (f64, f64, f64, f64, usize));
        let rows: &[Row] = &[
            // 30 words at 0.4 s = 12 s of speech: 150 wpm however long the recording ran on.
            (0.0, 30, 0.4, 12.0, (150.0, 0.0, 0.0, 12.0, 0)),
            (0.0, 30, 0.4, 40.0, (150.0, 0.0, 28.0, 12.0, 0)),
            (5.0, 30, 0.4, 17.0, (150.0, 5.0, 0.0, 17.0, 0)),
            (5.0, 30, 0.4, 45.0, (150.0, 5.0, 28.0, 17.0, 0)),
            // 36 words at 0.5 s = 18 s: 120 wpm.
            (2.0, 36, 0.5, 30.0, (120.0, 2.0, 10.0, 20.0, 0)),
        ];
        for &(lead, n, step, duration_s, (wpm, leading, trailing, used, pauses)) in rows {
            let list: Vec<(&str, f64, f64)> = (0..n)
                .map(|i| ("word", lead + i as f64 * step, lead + (i + 1) as f64 * step))
                .collect();
            let mut t = timed(&list);
            t.duration_s = duration_s;
            let d = analyse(&t, 180.0);
            let row = (lead, n, step, duration_s);
            assert!((d.wpm - wpm).abs() < 1e-6, "{row:?}: wpm {}", d.wpm);
            assert_eq!(d.wpm_flag, WpmFlag::Ok, "{row:?}");
            assert!((d.leading_silence_s - leading).abs() < 1e-9, "{row:?}: {d:?}");
            assert!((d.trailing_silence_s - trailing).abs() < 1e-9, "{row:?}: {d:?}");
            assert!((d.time_used_s - used).abs() < 1e-9, "{row:?}: {d:?}");
            assert!((d.speaking_s - n as f64 * step).abs() < 1e-9, "{row:?}: {d:?}");
            assert_eq!(
                d.long_pauses.len(),
                pauses,
                "{row:?}: silence at the ends is not a pause"
            );
        }
    }

    #[test]
    fn trailing_blank_audio_is_neither_speech_nor_pace() {
        // "… before shipping. [BLANK_AUDIO]" as Whisper wrote it before annotations were removed.
        let mut t = timed(&[
            ("We", 0.0, 0.4),
            ("test", 0.4, 0.8),
            ("before", 0.8, 1.2),
            ("shipping.", 1.2, 1.6),
            ("[BLANK_AUDIO]", 20.0, 30.0),
        ]);
        t.duration_s = 30.0;
        let d = analyse(&t.without_annotations(), 180.0);
        assert!((d.wpm - 150.0).abs() < 1e-6, "{}", d.wpm);
        assert!(d.long_pauses.is_empty(), "{:?}", d.long_pauses);
        assert!((d.trailing_silence_s - 28.4).abs() < 1e-9);
        assert!((d.time_used_s - 1.6).abs() < 1e-9);
    }

    #[test]
    fn filler_prompt_is_full_of_fillers() {
        let d = analyse(&even(FILLER_PROMPT), 180.0);
        assert!(
            ["um", "like", "hmm"].iter().all(|f| d.fillers.contains_key(*f)),
            "{:?}",
            d.fillers
        );
    }
}
