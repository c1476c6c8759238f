//! A timed transcript: what Whisper heard and when. Everything downstream (rubric evidence, delivery
//! metrics, click-to-seek in Review) works on these times, so they live in one plain, serialisable type.
//!
//! A transcript holds only what was said. Whisper also writes what it heard that was not speech —
//! `[BLANK_AUDIO]`, `[wind blowing]`, `(music)`, `*laughs*`, `♪` — and those would otherwise become words
//! with times, pace and rubric evidence. [`strip_annotations`] removes them; the ASR engine applies it as it
//! builds words, and every transcript made here or read from JSON is cleaned again, so no path lets one in.

use serde::{Deserialize, Serialize};

/// A piece of text with its start and end in seconds from the start of the recording.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimedText {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
}

/// The full transcript of one answer. Deserialising one removes non-speech annotations
/// (see [`Transcript::without_annotations`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawTranscript")]
pub struct Transcript {
    /// The whole text, segments joined with spaces.
    pub text: String,
    /// Length of the audio in seconds.
    pub duration_s: f64,
    /// Whisper segments (roughly sentences).
    pub segments: Vec<TimedText>,
    /// Words with times from Whisper token timestamps; punctuation stays attached to its word.
    pub words: Vec<TimedText>,
}

/// [`Transcript`] as stored, before annotations are removed.
#[derive(Deserialize)]
struct RawTranscript {
    text: String,
    duration_s: f64,
    segments: Vec<TimedText>,
    words: Vec<TimedText>,
}

impl From<RawTranscript> for Transcript {
    fn from(raw: RawTranscript) -> Self {
        Transcript {
            text: raw.text,
            duration_s: raw.duration_s,
            segments: raw.segments,
            words: raw.words,
        }
        .without_annotations()
    }
}

/// The closing mark of an annotation that `open` starts, if `open` starts one.
fn closer(open: char) -> Option<char> {
    match open {
        '[' => Some(']'),
        '(' => Some(')'),
        '*' => Some('*'),
        '♪' | '♫' => Some(open),
        _ => None,
    }
}

/// For each token (a word, or a piece of text split at whitespace), its text with Whisper's non-speech
/// annotations removed, or `None` when nothing spoken is left of it. An annotation may span tokens
/// (`[wind` `blowing]`) or sit inside one (`shipping.[BLANK_AUDIO]`). A mark that opens an annotation but is
/// never closed, and a stray closing mark, are removed on their own. Tokens without annotation marks are
/// returned unchanged.
pub fn strip_annotations<S: AsRef<str>>(tokens: &[S]) -> Vec<Option<String>> {
    let chars: Vec<(usize, char)> = tokens
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.as_ref().chars().map(move |c| (i, c)))
        .collect();
    let mut dropped = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if let Some(close) = closer(c) {
            if let Some(j) = (i + 1..chars.len()).find(|&j| chars[j].1 == close) {
                dropped[i..=j].fill(true);
                i = j + 1;
                continue;
            }
            dropped[i] = true;
        } else if c == ']' || c == ')' {
            dropped[i] = true;
        }
        i += 1;
    }
    let mut kept: Vec<(String, bool)> = vec![(String::new(), false); tokens.len()];
    for (&(ti, c), &d) in chars.iter().zip(&dropped) {
        if d {
            kept[ti].1 = true;
        } else {
            kept[ti].0.push(c);
        }
    }
    kept.into_iter()
        .zip(tokens)
        .map(|((text, touched), original)| {
            if !touched {
                Some(original.as_ref().to_string())
            } else if text.chars().any(char::is_alphanumeric) {
                Some(text)
            } else {
                None
            }
        })
        .collect()
}

/// `text` with annotations removed and whitespace collapsed.
fn strip_text(text: &str) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    strip_annotations(&tokens)
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Transcript {
    /// The same transcript with Whisper's non-speech annotations removed from its text, segments and words
    /// (see [`strip_annotations`]); segments and words with nothing spoken left are dropped.
    #[must_use]
    pub fn without_annotations(mut self) -> Self {
        let texts: Vec<&str> = self.words.iter().map(|w| w.text.as_str()).collect();
        let cleaned = strip_annotations(&texts);
        self.words = std::mem::take(&mut self.words)
            .into_iter()
            .zip(cleaned)
            .filter_map(|(w, text)| text.map(|text| TimedText { text, ..w }))
            .collect();
        self.segments = std::mem::take(&mut self.segments)
            .into_iter()
            .filter_map(|s| {
                let text = strip_text(&s.text);
                (!text.is_empty()).then_some(TimedText { text, ..s })
            })
            .collect();
        if self.text.contains(|c| closer(c).is_some() || c == ']' || c == ')') {
            self.text = strip_text(&self.text);
        }
        self
    }

    /// True when anything was said: a word (or, for a transcript without word times, the text) has a
    /// letter or digit. A recording of silence or noise has none once annotations are removed, and must
    /// not be scored (see [`crate::report::assess`]).
    pub fn has_speech(&self) -> bool {
        let spoken = |s: &str| s.chars().any(char::is_alphanumeric);
        self.words.iter().any(|w| spoken(&w.text)) || (self.words.is_empty() && spoken(&self.text))
    }

    /// When speech starts and ends (first word's start, last word's end), if there are words.
    pub fn speech_span(&self) -> Option<(f64, f64)> {
        let first = self.words.first()?;
        let last = self.words.last()?;
        Some((first.start_s, last.end_s.max(first.start_s)))
    }

    /// Builds a transcript from plain text with no timing, spreading words evenly over `duration_s`
    /// (or over a speaking pace of 150 words per minute when the duration is unknown).
    pub fn from_plain_text(text: &str, duration_s: Option<f64>) -> Self {
        let tokens: Vec<String> = {
            let raw: Vec<&str> = text.split_whitespace().collect();
            strip_annotations(&raw).into_iter().flatten().collect()
        };
        let n = tokens.len().max(1) as f64;
        let duration_s = duration_s.unwrap_or(n * 60.0 / 150.0);
        let step = duration_s / n;
        let words: Vec<TimedText> = tokens
            .iter()
            .enumerate()
            .map(|(i, w)| TimedText {
                start_s: i as f64 * step,
                end_s: (i as f64 + 1.0) * step,
                text: w.clone(),
            })
            .collect();
        let text = tokens.join(" ");
        let segments = if words.is_empty() {
            Vec::new()
        } else {
            vec![TimedText {
                start_s: 0.0,
                end_s: duration_s,
                text: text.clone(),
            }]
        };
        Self {
            text,
            duration_s,
            segments,
            words,
        }
    }
}

/// Seconds as `m:ss` (`0:42`, `2:59`, `12:05`), rounded down so a countdown never shows time that is not
/// left; negative or non-finite input shows `0:00`. The one formatter the CLI, the report and the window use.
pub fn mmss(seconds: f64) -> String {
    let whole = if seconds.is_finite() && seconds > 0.0 {
        seconds.floor() as u64
    } else {
        0
    };
    format!("{}:{:02}", whole / 60, whole % 60)
}

/// `s` with its first letter a capital ("trade-offs" → "Trade-offs"): a rubric cell's id as a heading, an
/// error as a sentence. The one such helper the CLI, the report, the export and the window use.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mmss_rounds_down_and_clamps() {
        assert_eq!(mmss(0.0), "0:00");
        assert_eq!(mmss(42.9), "0:42");
        assert_eq!(mmss(179.0), "2:59");
        assert_eq!(mmss(725.0), "12:05");
        assert_eq!(mmss(-3.0), "0:00");
        assert_eq!(mmss(f64::NAN), "0:00");
    }

    #[test]
    fn capitalised_raises_the_first_letter_only() {
        assert_eq!(capitalised("trade-offs"), "Trade-offs");
        assert_eq!(capitalised("éclair à deux"), "Éclair à deux");
        assert_eq!(capitalised(""), "");
    }

    #[test]
    fn plain_text_spreads_words_over_duration() {
        let t = Transcript::from_plain_text("one two  three\nfour", Some(8.0));
        assert_eq!(t.words.len(), 4);
        assert_eq!(t.text, "one two three four");
        assert!((t.words[2].start_s - 4.0).abs() < 1e-9);
        assert!((t.words[3].end_s - 8.0).abs() < 1e-9);
    }

    #[test]
    fn plain_text_without_duration_uses_speaking_pace() {
        let t = Transcript::from_plain_text(&"word ".repeat(150), None);
        assert!((t.duration_s - 60.0).abs() < 1e-9);
    }

    fn words(list: &[(&str, f64, f64)]) -> Vec<TimedText> {
        list.iter()
            .map(|&(text, start_s, end_s)| TimedText {
                start_s,
                end_s,
                text: text.to_string(),
            })
            .collect()
    }

    #[test]
    fn strip_annotations_table() {
        let cases: &[(&[&str], &[Option<&str>])] = &[
            (&["[BLANK_AUDIO]"], &[None]),
            (&["[wind", "blowing]"], &[None, None]),
            (&["(music)"], &[None]),
            (&["*laughs*", "okay"], &[None, Some("okay")]),
            (&["♪", "la", "la", "♪"], &[None, None, None, None]),
            (&["shipping.[BLANK_AUDIO]"], &[Some("shipping.")]),
            (
                &["before", "shipping.", "[BLANK_AUDIO]"],
                &[Some("before"), Some("shipping."), None],
            ),
            (&["Hello", "(laughs),", "there"], &[Some("Hello"), None, Some("there")]),
            (
                &["[phone", "ringing]", "So,", "um"],
                &[None, None, Some("So,"), Some("um")],
            ),
            // An unclosed opener or a stray closer goes on its own; the words stay.
            (
                &["[so", "the", "question"],
                &[Some("so"), Some("the"), Some("question")],
            ),
            (&["latency)", "matters"], &[Some("latency"), Some("matters")]),
            // Ordinary words, hyphens, apostrophes and numbers are untouched.
            (
                &["it's", "99.9%", "10×", "trade-off."],
                &[Some("it's"), Some("99.9%"), Some("10×"), Some("trade-off.")],
            ),
        ];
        for (input, want) in cases {
            let got = strip_annotations(input);
            let want: Vec<Option<String>> = want.iter().map(|w| w.map(str::to_string)).collect();
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn annotations_leave_text_segments_and_words() {
        let t = Transcript {
            text: "We test before shipping. [BLANK_AUDIO]".into(),
            duration_s: 30.0,
            segments: vec![
                TimedText {
                    start_s: 0.0,
                    end_s: 2.0,
                    text: "We test before shipping.".into(),
                },
                TimedText {
                    start_s: 2.0,
                    end_s: 30.0,
                    text: "[BLANK_AUDIO]".into(),
                },
            ],
            words: words(&[
                ("We", 0.0, 0.3),
                ("test", 0.3, 0.6),
                ("before", 0.6, 1.0),
                ("shipping.", 1.0, 1.8),
                ("[BLANK_AUDIO]", 20.0, 30.0),
            ]),
        }
        .without_annotations();
        assert_eq!(t.text, "We test before shipping.");
        assert_eq!(t.segments.len(), 1);
        assert_eq!(t.words.len(), 4);
        assert_eq!(t.speech_span(), Some((0.0, 1.8)));
        assert!(t.has_speech());
    }

    #[test]
    fn silence_and_noise_transcripts_have_no_speech() {
        for (text, list) in [
            ("[BLANK_AUDIO]", words(&[("[BLANK_AUDIO]", 0.0, 10.0)])),
            ("[wind blowing]", words(&[("[wind", 0.0, 5.0), ("blowing]", 5.0, 9.0)])),
            ("(music) ♪", words(&[("(music)", 0.0, 5.0), ("♪", 5.0, 6.0)])),
            ("", Vec::new()),
        ] {
            let t = Transcript {
                text: text.into(),
                duration_s: 30.0,
                segments: Vec::new(),
                words: list,
            }
            .without_annotations();
            assert!(!t.has_speech(), "{t:?}");
            assert!(t.words.is_empty() && t.text.is_empty(), "{t:?}");
            assert_eq!(t.speech_span(), None);
        }
        assert!(Transcript::from_plain_text("hello", Some(2.0)).has_speech());
        assert!(!Transcript::from_plain_text("[BLANK_AUDIO]", Some(30.0)).has_speech());
    }

    #[test]
    fn transcript_read_from_json_is_cleaned() {
        let json = r#"{"text":"Cost matters. [wind blowing]","duration_s":12.0,
            "segments":[{"start_s":0.0,"end_s":12.0,"text":"Cost matters. [wind blowing]"}],
            "words":[{"start_s":0.0,"end_s":0.4,"text":"Cost"},{"start_s":0.4,"end_s":0.9,"text":"matters."},
                     {"start_s":3.0,"end_s":8.0,"text":"[wind"},{"start_s":8.0,"end_s":12.0,"text":"blowing]"}]}"#;
        let t: Transcript = serde_json::from_str(json).expect("json");
        assert_eq!(t.text, "Cost matters.");
        assert_eq!(t.segments[0].text, "Cost matters.");
        let w: Vec<&str> = t.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(w, ["Cost", "matters."]);
        // A clean transcript round-trips unchanged.
        let back: Transcript = serde_json::from_str(&serde_json::to_string(&t).expect("ser")).expect("de");
        assert_eq!(back, t);
    }
}
