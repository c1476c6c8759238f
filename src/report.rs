//! The feedback for one attempt: rubric coverage with evidence, dimensions, content points, mistakes and
//! delivery, in one serialisable value. It is what the Review screen draws, what `rehearse score` prints and
//! what is stored as `attempt.json` and read back, so its JSON keys are a contract.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::bank::Question;
use crate::delivery::{self, Delivery, WpmFlag};
use crate::rubric::corrections;
use crate::rubric::semantic::{self, Mode, SentenceEncoder};
use crate::rubric::{CellResult, MistakeResult, PointResult, Rubric};
use crate::transcript::{Transcript, capitalised, mmss};

/// The guide's target for the number of dimensions named ("two or three"), used by [`Report::summary`].
pub const DIMENSION_TARGET: (usize, usize) = (2, 3);

/// Feedback for one recorded answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Question id.
    pub question: String,
    /// Length of the recording, seconds.
    pub duration_s: f64,
    /// What was said, with times.
    pub transcript: Transcript,
    /// One entry per rubric cell, in rubric order.
    pub rubric: Vec<CellResult>,
    /// When the problem was first restated (null if never).
    pub restatement_at_s: Option<f64>,
    /// The restatement came after the rubric's `late_after_s` (30 s).
    pub restatement_late: bool,
    /// Dimensions discussed as trade-off axes, in order of first discussion.
    pub dimensions: Vec<String>,
    /// The question's content points.
    pub content_points: Vec<PointResult>,
    /// The question's common mistakes and whether the answer addressed them.
    pub mistakes: Vec<MistakeResult>,
    /// Pace, fillers, hedges, pauses, time.
    pub delivery: Delivery,
}

/// What a person is told when a recording holds no speech, in place of a report. Front ends add where
/// inputs are chosen (Settings in the window, `--device` for `rehearse record`).
pub const NO_SPEECH: &str =
    "no speech heard — check that the microphone is on and not muted, or pick another input, then record again";

/// The result of scoring one recording: a report, or the finding that nothing was said.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Nothing was said (silence, noise, a muted or wrong input): there is nothing to score, so there is
    /// no report — pace, coverage and pauses of silence would be invented numbers. Say [`NO_SPEECH`].
    NoSpeech,
    /// The answer's report.
    Scored(Box<Report>),
}

/// Scores one recording, or finds that it holds no speech (see [`Transcript::has_speech`]). This is the
/// function the attempt lifecycle calls; [`score`] is for transcripts already known to hold speech.
pub fn assess(question: &Question, rubric: &Rubric, transcript: &Transcript, time_box_s: f64) -> Outcome {
    assess_with(question, rubric, transcript, time_box_s, None)
}

/// [`assess`], judging restatement, trade-offs and boundaries by meaning too when `semantic` is given
/// (see [`score_with`]). What the lifecycle, the CLI and the window call.
pub fn assess_with(
    question: &Question,
    rubric: &Rubric,
    transcript: &Transcript,
    time_box_s: f64,
    semantic: Option<Semantic<'_>>,
) -> Outcome {
    assess_corrected(
        question,
        rubric,
        transcript,
        time_box_s,
        semantic,
        Corrections::default(),
    )
}

/// Scores one answer: rubric cells, restatement timing, dimensions, content points, mistakes and delivery.
/// Non-speech annotations are removed first. A transcript without speech gets a report of zeros; call
/// [`assess`] to be told so instead.
pub fn score(question: &Question, rubric: &Rubric, transcript: &Transcript, time_box_s: f64) -> Report {
    let transcript = &transcript.clone().without_annotations();
    let eval = rubric.evaluate(question, transcript, time_box_s);
    Report {
        question: question.id.clone(),
        duration_s: transcript.duration_s,
        transcript: transcript.clone(),
        rubric: eval.cells,
        restatement_at_s: eval.restatement_at_s,
        restatement_late: eval.restatement_late,
        dimensions: eval.dimensions.into_iter().map(|d| d.name).collect(),
        content_points: eval.content_points,
        mistakes: eval.mistakes,
        delivery: delivery::analyse(transcript, time_box_s),
    }
}

/// What semantic scoring needs (defined beside the head, so the embedding engine can build one without
/// reaching up into reports).
pub use crate::rubric::semantic::Semantic;

/// Scores one answer like [`score`], with restatement, trade-offs and boundaries judged by meaning
/// (the hybrid head) when `semantic` is given; `None` is exactly [`score`] (phrases only).
pub fn score_with(
    question: &Question,
    rubric: &Rubric,
    transcript: &Transcript,
    time_box_s: f64,
    semantic: Option<Semantic<'_>>,
) -> Report {
    let mut report = score(question, rubric, transcript, time_box_s);
    if let Some(sem) = semantic
        && !transcript.words.is_empty()
    {
        let encoded = semantic::encode(rubric, transcript, sem.encoder, Some(&question.prompt));
        let restatement = &rubric.config().restatement;
        // Restatement, trade-offs and boundaries are judged by meaning: the hybrid head sees the sentence
        // vectors plus the phrase hits as one signal among several, so a stock phrase alone does not count and
        // a boundary said in one's own words does (phrases alone: 0.50 balanced accuracy on boundaries of the
        // labelled sets, the head 0.82–0.83).
        semantic::apply(
            rubric,
            sem.head,
            Mode::Hybrid,
            Some(question),
            transcript,
            &encoded,
            &mut report.rubric,
        );
        // Dimensions by meaning: the units that made a trade-off or a boundary, compared with the head's
        // dimension examples, add to those found next to a cue word.
        let counted: Vec<f64> = report
            .rubric
            .iter()
            .filter(|c| c.covered && (c.cell == "trade-offs" || c.cell == "boundaries"))
            .flat_map(|c| c.evidence.iter().map(|e| e.start_s))
            .collect();
        for (name, _) in semantic::dimensions(sem.head, &encoded, |i| {
            encoded
                .units
                .get(i)
                .and_then(|u| transcript.words.get(u.first_word))
                .is_some_and(|w| counted.iter().any(|s| (s - w.start_s).abs() < 1e-6))
        }) {
            if !report.dimensions.contains(&name) {
                report.dimensions.push(name);
            }
        }
        report.restatement_at_s = report
            .rubric
            .iter()
            .find(|c| c.cell == restatement.cell)
            .and_then(|c| c.evidence.first())
            .map(|e| e.start_s);
        report.restatement_late = report.restatement_at_s.is_some_and(|t| t > restatement.late_after_s);
    }
    report
}

/// The person's corrections a report takes into account (see [`crate::rubric::corrections`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Corrections<'a> {
    /// This attempt's own corrections (`Attempt::corrections`).
    pub own: &'a [corrections::Correction],
    /// The personal exemplars (`<data>/rubric/corrections.json`).
    pub personal: &'a [corrections::PersonalExemplar],
}

impl Corrections<'_> {
    /// Nothing to take into account.
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.personal.is_empty()
    }
}

/// [`assess_with`], then the person's corrections: what the lifecycle, the CLI and the window call.
pub fn assess_corrected(
    question: &Question,
    rubric: &Rubric,
    transcript: &Transcript,
    time_box_s: f64,
    semantic: Option<Semantic<'_>>,
    fixes: Corrections<'_>,
) -> Outcome {
    let transcript = transcript.clone().without_annotations();
    if transcript.has_speech() {
        Outcome::Scored(Box::new(score_corrected(
            question,
            rubric,
            &transcript,
            time_box_s,
            semantic,
            fixes,
        )))
    } else {
        Outcome::NoSpeech
    }
}

/// [`score_with`], then the person's corrections ([`corrections::decide`] and [`corrections::apply`]): a
/// sentence marked as counting covers its cell; a cell with a rejected sentence is scored again without it.
/// Sentence vectors are computed once (cached across the rescoring); without an encoder, corrections match
/// sentences word for word.
pub fn score_corrected(
    question: &Question,
    rubric: &Rubric,
    transcript: &Transcript,
    time_box_s: f64,
    semantic: Option<Semantic<'_>>,
    fixes: Corrections<'_>,
) -> Report {
    if fixes.is_empty() {
        return score_with(question, rubric, transcript, time_box_s, semantic);
    }
    let cache = semantic.map(|s| CachedEncoder::new(s.encoder));
    let sem = semantic.zip(cache.as_ref()).map(|(s, c)| Semantic {
        head: s.head,
        encoder: c as &dyn SentenceEncoder,
    });
    let mut report = score_with(question, rubric, transcript, time_box_s, sem);
    let t = report.transcript.clone();
    let sentences = corrections::sentences(&t);
    let vectors = sem.map(|s| {
        let texts: Vec<&str> = sentences.iter().map(|x| x.text.as_str()).collect();
        s.encoder.encode(&texts)
    });
    let exemplar_vectors = exemplar_vectors(fixes.personal, sem.map(|s| s.encoder));
    let decisions = corrections::decide(
        &sentences,
        vectors.as_deref(),
        fixes.own,
        fixes.personal,
        &exemplar_vectors,
        corrections::MATCH_COSINE,
    );
    if decisions.is_empty() {
        return report;
    }
    let threshold = |cell: &str| {
        rubric
            .cells()
            .iter()
            .find(|c| c.id == cell)
            .map_or(1.0, |c| c.threshold)
    };
    corrections::apply(
        &mut report.rubric,
        &sentences,
        &decisions,
        threshold,
        |cell, dropped| {
            let rest = corrections::without_sentences(&t, &sentences, dropped);
            if !rest.has_speech() {
                return None;
            }
            score_with(question, rubric, &rest, time_box_s, sem)
                .rubric
                .into_iter()
                .find(|c| c.cell == cell)
        },
    );
    let restatement = &rubric.config().restatement;
    report.restatement_at_s = report
        .rubric
        .iter()
        .find(|c| c.cell == restatement.cell)
        .and_then(|c| c.evidence.first())
        .map(|e| e.start_s);
    report.restatement_late = report.restatement_at_s.is_some_and(|t| t > restatement.late_after_s);
    report
}

/// The personal exemplars' vectors: stored ones, and (with an encoder) the missing ones computed in one batch.
fn exemplar_vectors(
    personal: &[corrections::PersonalExemplar],
    encoder: Option<&dyn SentenceEncoder>,
) -> Vec<Option<Vec<f32>>> {
    let mut out: Vec<Option<Vec<f32>>> = personal
        .iter()
        .map(|e| (!e.vector.is_empty()).then(|| corrections::dequantise(&e.vector)))
        .collect();
    if let Some(enc) = encoder {
        let missing: Vec<usize> = (0..personal.len())
            .filter(|&i| out[i].as_ref().is_none_or(|v| v.len() != enc.dim()))
            .collect();
        let texts: Vec<&str> = missing.iter().map(|&i| personal[i].text.as_str()).collect();
        if !texts.is_empty() {
            for (i, v) in missing.into_iter().zip(enc.encode(&texts)) {
                out[i] = Some(v);
            }
        }
    }
    out
}

/// An encoder that remembers what it encoded, so scoring an answer again (without a rejected sentence)
/// does not run the model again for the same sentences.
struct CachedEncoder<'a> {
    inner: &'a dyn SentenceEncoder,
    seen: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
}

impl<'a> CachedEncoder<'a> {
    fn new(inner: &'a dyn SentenceEncoder) -> Self {
        Self {
            inner,
            seen: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl SentenceEncoder for CachedEncoder<'_> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn encode(&self, sentences: &[&str]) -> Vec<Vec<f32>> {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut todo: Vec<&str> = sentences.iter().copied().filter(|s| !seen.contains_key(*s)).collect();
        todo.sort_unstable();
        todo.dedup();
        if !todo.is_empty() {
            for (s, v) in todo.iter().zip(self.inner.encode(&todo)) {
                seen.insert((*s).to_string(), v);
            }
        }
        sentences
            .iter()
            .map(|s| seen.get(*s).cloned().unwrap_or_else(|| vec![0.0; self.inner.dim()]))
            .collect()
    }
}

/// Fraction of rubric cells covered (0 when the report has no cells); used for badges and history.
pub fn coverage(report: &Report) -> f64 {
    if report.rubric.is_empty() {
        return 0.0;
    }
    report.rubric.iter().filter(|c| c.covered).count() as f64 / report.rubric.len() as f64
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

fn quote(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("\u{201c}{text}\u{201d}")
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("\u{201c}{}…\u{201d}", cut.trim_end())
    }
}

impl Report {
    /// A short human summary for the terminal: a line per cell with ✓/✗ and its first quote, restatement
    /// time, dimensions against the 2–3 target, content points, mistakes not mentioned, and delivery.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        self.write_cells(&mut s);
        self.write_structure(&mut s);
        self.write_points(&mut s);
        self.write_delivery(&mut s);
        s
    }

    /// The heading line (question, time used of the box, cells covered) and a line per rubric cell.
    fn write_cells(&self, s: &mut String) {
        let covered = self.rubric.iter().filter(|c| c.covered).count();
        let _ = writeln!(
            s,
            "{} · {} of {} · {}/{} rubric cells",
            self.question,
            mmss(self.delivery.time_used_s),
            mmss(self.delivery.time_box_s),
            covered,
            self.rubric.len()
        );
        let width = self.rubric.iter().map(|c| c.cell.chars().count()).max().unwrap_or(0);
        for c in &self.rubric {
            let name = capitalised(&c.cell);
            let detail = c.evidence.first().map_or_else(
                || "— nothing found".to_string(),
                |e| format!("{} {}", mmss(e.start_s), quote(&e.text)),
            );
            let _ = writeln!(
                s,
                "{} {name:<width$}  {:>3.0}%  {detail}",
                mark(c.covered),
                c.score * 100.0
            );
        }
    }

    /// When the problem was restated, the dimensions against the 2–3 target, the boundary named.
    fn write_structure(&self, s: &mut String) {
        match self.restatement_at_s {
            Some(t) if self.restatement_late => {
                let _ = writeln!(
                    s,
                    "! Restated the problem late, at {} (aim for the first 30 s)",
                    mmss(t)
                );
            }
            Some(t) => {
                let _ = writeln!(s, "  Restated the problem at {}", mmss(t));
            }
            None => {
                let _ = writeln!(s, "! Never restated the problem");
            }
        }
        let (lo, hi) = DIMENSION_TARGET;
        let n = self.dimensions.len();
        let list = if n == 0 {
            String::new()
        } else {
            format!(" ({})", self.dimensions.join(", "))
        };
        let advice = if n > hi {
            " — say which one you'd optimise"
        } else {
            ""
        };
        let _ = writeln!(s, "{} Dimensions: {n}{list}, target {lo}–{hi}{advice}", mark(n >= lo));
        let boundary = self.rubric.iter().find(|c| c.cell == "boundaries");
        if let Some(b) = boundary {
            let _ = writeln!(
                s,
                "{} Boundary: {}",
                mark(b.covered),
                b.evidence
                    .first()
                    .map_or("none named — say where this breaks".to_string(), |e| format!(
                        "{} {}",
                        mmss(e.start_s),
                        quote(&e.text)
                    ))
            );
        }
    }

    /// The content points covered and the common mistakes not mentioned.
    fn write_points(&self, s: &mut String) {
        let hit = self.content_points.iter().filter(|p| p.covered).count();
        let _ = writeln!(s, "Content points {hit}/{}:", self.content_points.len());
        for p in &self.content_points {
            let at = p
                .evidence
                .first()
                .map(|e| format!(" — {} {}", mmss(e.start_s), quote(&e.text)));
            let _ = writeln!(s, "  {} {}{}", mark(p.covered), p.point, at.unwrap_or_default());
        }
        let missed: Vec<&str> = self
            .mistakes
            .iter()
            .filter(|m| !m.mentioned)
            .map(|m| m.mistake.as_str())
            .collect();
        if missed.is_empty() {
            let _ = writeln!(s, "✓ Addressed every common mistake");
        } else {
            let _ = writeln!(s, "Not mentioned:");
            for m in missed {
                let _ = writeln!(s, "  ✗ {m}");
            }
        }
    }

    /// Pace, fillers, hedges, long pauses, silence before and after, the longest run and the time.
    fn write_delivery(&self, s: &mut String) {
        let d = &self.delivery;
        let pace = match d.wpm_flag {
            WpmFlag::Slow => " (slow: aim for 110–170)",
            WpmFlag::Fast => " (fast: aim for 110–170)",
            WpmFlag::Ok => "",
        };
        let top_fillers = {
            let mut v: Vec<(&String, &usize)> = d.fillers.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1));
            v.iter()
                .take(3)
                .map(|(k, n)| format!("{k} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fillers = if top_fillers.is_empty() {
            String::new()
        } else {
            format!(" ({top_fillers})")
        };
        let _ = writeln!(
            s,
            "Delivery: {:.0} wpm{pace} · fillers {:.1}/min{fillers} · hedges {:.1}/min",
            d.wpm, d.fillers_per_min, d.hedges_per_min
        );
        let pauses = if d.long_pauses.is_empty() {
            "no long pauses".to_string()
        } else {
            let at: Vec<String> = d
                .long_pauses
                .iter()
                .take(5)
                .map(|p| format!("{} ({:.1} s)", mmss(p.start_s), p.length_s))
                .collect();
            format!("{} long pause(s) at {}", d.long_pauses.len(), at.join(", "))
        };
        let silence = [
            (d.leading_silence_s, "before the first word"),
            (d.trailing_silence_s, "after the last"),
        ]
        .iter()
        .filter(|(t, _)| *t >= delivery::LONG_PAUSE_S)
        .map(|(t, when)| format!("{} {when}", mmss(*t)))
        .collect::<Vec<_>>();
        if !silence.is_empty() {
            let _ = writeln!(
                s,
                "          spoke for {} · silence {}",
                mmss(d.speaking_s),
                silence.join(", ")
            );
        }
        let over = d.over_time_s();
        let time = if over > 0.0 {
            format!(" — {over:.0} s over the box")
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "          {pauses} · longest run {} · time {}/{}{time}",
            mmss(d.longest_run_s),
            mmss(d.time_used_s),
            mmss(d.time_box_s)
        );
    }
}

// The rubric's table tests score whole answers, so they live above both the rubric and the report.
#[cfg(test)]
mod rubric_tables;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Deck;

    #[test]
    fn json_has_exactly_the_contract_keys_and_round_trips() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = &deck.questions[0];
        let t = Transcript::from_plain_text(
            "So the question is which metrics tell us product metrics is working. The trade-off is latency \
             versus cost. It breaks down when events arrive late.",
            Some(12.0),
        );
        let r = score(q, &rubric, &t, q.time_box_s);
        let v = serde_json::to_value(&r).expect("json");
        let mut keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "content_points",
                "delivery",
                "dimensions",
                "duration_s",
                "mistakes",
                "question",
                "restatement_at_s",
                "restatement_late",
                "rubric",
                "transcript"
            ]
        );
        let cell = &v["rubric"][0];
        assert_eq!(cell["cell"], "restatement");
        assert!(cell["covered"].is_boolean() && cell["score"].is_number());
        let ev = &cell["evidence"][0];
        assert!(ev["text"].is_string() && ev["start_s"].is_number() && ev["end_s"].is_number());
        for k in [
            "wpm",
            "fillers_per_min",
            "fillers",
            "hedges_per_min",
            "long_pauses",
            "time_used_s",
            "time_box_s",
        ] {
            assert!(v["delivery"].get(k).is_some(), "delivery.{k}");
        }
        assert!(v["mistakes"][0].get("mentioned").is_some());
        assert!(v["content_points"][0].get("point").is_some());
        let back: Report = serde_json::from_value(v).expect("deserialize");
        assert_eq!(back, r);
        let none = score(
            q,
            &rubric,
            &Transcript::from_plain_text("Hello there.", Some(3.0)),
            180.0,
        );
        assert!(serde_json::to_value(&none).expect("json")["restatement_at_s"].is_null());
    }

    /// A 384-d bag-of-words "encoder" that counts the sentences it is asked for.
    struct Counting(std::sync::atomic::AtomicUsize);
    impl SentenceEncoder for Counting {
        fn dim(&self) -> usize {
            384
        }
        fn encode(&self, sentences: &[&str]) -> Vec<Vec<f32>> {
            self.0.fetch_add(sentences.len(), std::sync::atomic::Ordering::SeqCst);
            sentences
                .iter()
                .map(|s| {
                    let mut v = vec![0f32; 384];
                    for w in corrections::normalise(s).split(' ') {
                        let h = w
                            .bytes()
                            .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
                        v[h % 384] += 1.0;
                    }
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
                    v.iter().map(|x| x / n).collect()
                })
                .collect()
        }
    }

    #[test]
    fn corrections_rescore_without_running_the_encoder_again() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let head = crate::rubric::semantic::Head::embedded().expect("head");
        let q = &deck.questions[0];
        let t = Transcript::from_plain_text(
            "So the question is which metrics tell us it is working. Trade-offs, there are always trade-offs. \
             The trade-off is latency versus cost.",
            Some(12.0),
        );
        let enc = Counting(std::sync::atomic::AtomicUsize::new(0));
        let sem = Semantic {
            head: &head,
            encoder: &enc,
        };
        let own = [corrections::Correction {
            cell: "trade-offs".into(),
            verdict: corrections::Verdict::DoesNotCount,
            sentence: "Trade-offs, there are always trade-offs.".into(),
            start_s: 0.0,
            end_s: 1.0,
        }];
        let fixes = Corrections {
            own: &own,
            personal: &[],
        };
        let r = score_corrected(q, &rubric, &t, 180.0, Some(sem), fixes);
        // Three sentences and the prompt, each encoded once, although the answer was scored twice.
        assert_eq!(enc.0.load(std::sync::atomic::Ordering::SeqCst), 4);
        let cell = r.rubric.iter().find(|c| c.cell == "trade-offs").expect("cell");
        assert!(cell.evidence.iter().all(|e| !e.text.contains("always")), "{cell:?}");
        // Without corrections it is exactly `score_with`.
        let plain = score_corrected(q, &rubric, &t, 180.0, Some(sem), Corrections::default());
        assert_eq!(plain, score_with(q, &rubric, &t, 180.0, Some(sem)));
    }

    #[test]
    fn coverage_is_fraction_of_cells() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let mut r = score(&deck.questions[0], &rubric, &Transcript::default(), 180.0);
        assert_eq!(coverage(&r), 0.0);
        r.rubric[0].covered = true;
        r.rubric[1].covered = true;
        assert!((coverage(&r) - 2.0 / r.rubric.len() as f64).abs() < 1e-12);
        r.rubric.clear();
        assert_eq!(coverage(&r), 0.0);
    }

    #[test]
    fn silence_or_noise_gives_no_report() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = &deck.questions[0];
        let blank = |text: &str, words: &[(&str, f64, f64)]| Transcript {
            text: text.into(),
            duration_s: 30.0,
            segments: Vec::new(),
            words: words
                .iter()
                .map(|&(w, start_s, end_s)| crate::transcript::TimedText {
                    start_s,
                    end_s,
                    text: w.into(),
                })
                .collect(),
        };
        for t in [
            blank("[BLANK_AUDIO]", &[("[BLANK_AUDIO]", 0.0, 10.0)]),
            blank("[wind blowing]", &[("[wind", 0.0, 4.0), ("blowing]", 4.0, 9.0)]),
            blank("[phone ringing]", &[("[phone", 0.0, 4.0), ("ringing]", 4.0, 9.0)]),
            blank("", &[]),
        ] {
            assert_eq!(assess(q, &rubric, &t, 180.0), Outcome::NoSpeech, "{t:?}");
        }
        let spoken = Transcript::from_plain_text("So the question is which metrics matter.", Some(5.0));
        match assess(q, &rubric, &spoken, 180.0) {
            Outcome::Scored(r) => assert_eq!(*r, score(q, &rubric, &spoken, 180.0)),
            Outcome::NoSpeech => panic!("speech was heard"),
        }
    }

    #[test]
    fn trailing_annotation_is_not_evidence_and_silence_is_shown() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = &deck.questions[0];
        let mut t = Transcript::from_plain_text(
            "So the question is which metrics tell us it is working. If latency matters more, pay for it, \
             at the cost of more compute. It breaks down when events arrive late.",
            Some(14.0),
        );
        t.duration_s = 42.0;
        t.words.push(crate::transcript::TimedText {
            start_s: 32.0,
            end_s: 42.0,
            text: "[BLANK_AUDIO]".into(),
        });
        t.text.push_str(" [BLANK_AUDIO]");
        let r = score(q, &rubric, &t, q.time_box_s);
        let json = serde_json::to_string(&r).expect("json");
        assert!(!json.contains("BLANK"), "{json}");
        assert!(r.delivery.wpm > 110.0, "pace over speaking time: {}", r.delivery.wpm);
        assert!((r.delivery.trailing_silence_s - 28.0).abs() < 1e-9);
        let communication = r.rubric.iter().find(|c| c.cell == "communication").expect("cell");
        let finished = communication
            .evidence
            .iter()
            .find(|e| e.text.starts_with("finished at"))
            .expect("finished-at evidence");
        assert_eq!(finished.text, "finished at 0:14 of 3:00");
        assert!((finished.end_s - 14.0).abs() < 1e-9, "{finished:?}");
        let s = r.summary();
        assert!(s.contains("spoke for 0:14 · silence 0:28 after the last"), "{s}");
        assert!(s.contains("time 0:14/3:00"), "{s}");
    }

    #[test]
    fn summary_lists_cells_dimensions_mistakes_and_delivery() {
        let deck = Deck::embedded().expect("deck");
        let rubric = Rubric::embedded().expect("rubric");
        let q = &deck.questions[0];
        let t = Transcript::from_plain_text(
            "So the question is which metrics tell us it is working. If latency matters more, pay for it, \
             at the cost of more compute. It breaks down when events arrive late.",
            Some(14.0),
        );
        let s = score(q, &rubric, &t, q.time_box_s).summary();
        assert!(s.starts_with("pm-01-success-metrics · 0:14 of 3:00"), "{s}");
        assert!(s.contains("✓ Restatement"), "{s}");
        assert!(s.contains("0:00 \u{201c}So the question is"), "{s}");
        assert!(s.contains("✓ Boundaries"), "{s}");
        assert!(s.contains("✗ Execution"), "{s}");
        assert!(s.contains("Dimensions: 2 (latency, cost), target 2–3"), "{s}");
        assert!(s.contains("✗ Skipping schema evolution"), "{s}");
        assert!(s.contains("Delivery: "), "{s}");
        assert!(s.contains("no long pauses"), "{s}");
    }
}
