//! A timed transcript: what Whisper heard and when. Everything downstream (rubric evidence, delivery
//! metrics, click-to-seek in Review) works on these times, so they live in one plain, serialisable type.

use serde::{Deserialize, Serialize};

/// A piece of text with its start and end in seconds from the start of the recording.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimedText {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
}

/// The full transcript of one answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

impl Transcript {
    /// Builds a transcript from plain text with no timing, spreading words evenly over `duration_s`
    /// (or over a speaking pace of 150 words per minute when the duration is unknown).
    pub fn from_plain_text(text: &str, duration_s: Option<f64>) -> Self {
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let n = tokens.len().max(1) as f64;
        let duration_s = duration_s.unwrap_or(n * 60.0 / 150.0);
        let step = duration_s / n;
        let words: Vec<TimedText> = tokens
            .iter()
            .enumerate()
            .map(|(i, w)| TimedText {
                start_s: i as f64 * step,
                end_s: (i as f64 + 1.0) * step,
                text: (*w).to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
