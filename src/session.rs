//! The life of one attempt, in one place: begin → started → stopped (or failed) → transcribed → scored,
//! plus re-transcribe and delete. The CLI (`rehearse record`, `attempts transcribe`) and the window both
//! call these functions, so an answer is stored, timed and scored the same way wherever it was recorded.
//! Each step checks the attempt is in a state where it makes sense, and the audio is never removed by a
//! failure: a capture that fails is kept as a failed attempt with its reason. Pure core: files through the
//! store, no audio or inference here.

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::bank::{Deck, Question};
use crate::report::{self, Report};
use crate::rubric::{Rubric, corrections};
use crate::store::{Attempt, NewAttempt, PanelSlot, Status, Store, StoreError};
use crate::transcript::{Transcript, mmss};

/// What can go wrong in an attempt's life.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The store could not read or write the attempt.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The step does not fit the attempt's state (e.g. transcribing one that is still recording).
    #[error("attempt {id} is {status}, so it cannot be {action}")]
    Transition {
        /// The attempt.
        id: String,
        /// Its state.
        status: Status,
        /// The step refused ("stopped", "transcribed", …).
        action: &'static str,
    },
    /// A time-box that is not a positive number of seconds.
    #[error("the time-box must be a positive number of seconds, not {0}")]
    InvalidTimeBox(f64),
    /// There is no recording to transcribe.
    #[error("attempt {0} has no recording to transcribe")]
    NoAudio(String),
    /// The person's corrections file could not be read or written.
    #[error(transparent)]
    Corrections(#[from] crate::store::corrections::CorrectionsError),
}

type Result<T, E = SessionError> = std::result::Result<T, E>;

/// Where an attempt's time-box came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBoxSource {
    /// The question's own time-box (the default).
    Question,
    /// The person chose another length for this attempt.
    Override,
}

/// The time-box an attempt is recorded and scored against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeBox {
    /// Length in seconds.
    pub seconds: f64,
    /// The question's, or the person's override.
    pub source: TimeBoxSource,
}

impl TimeBox {
    /// The rule: the question's time-box unless the person overrides it for this attempt.
    pub fn for_question(question: &Question, override_s: Option<f64>) -> Result<Self> {
        match override_s {
            None => Ok(Self {
                seconds: question.time_box_s,
                source: TimeBoxSource::Question,
            }),
            Some(s) if s.is_finite() && s > 0.0 => Ok(Self {
                seconds: s,
                source: TimeBoxSource::Override,
            }),
            Some(s) => Err(SessionError::InvalidTimeBox(s)),
        }
    }

    /// For people: "1:30 (this question's time-box)" or "2:00 (your choice for this attempt)".
    pub fn describe(&self) -> String {
        let which = match self.source {
            TimeBoxSource::Question => "this question's time-box",
            TimeBoxSource::Override => "your choice for this attempt",
        };
        format!("{} ({which})", mmss(self.seconds))
    }
}

/// How a recording ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The person stopped it (Stop, Ctrl-C, closing the window).
    User,
    /// The time-box ran out.
    TimeUp,
    /// The device or the disk failed part-way; the audio up to then is kept. The text says why.
    Interrupted(String),
}

fn require(attempt: &Attempt, allowed: &[Status], action: &'static str) -> Result<()> {
    if allowed.contains(&attempt.status) {
        Ok(())
    } else {
        Err(SessionError::Transition {
            id: attempt.id.clone(),
            status: attempt.status,
            action,
        })
    }
}

/// Begins an attempt at `question` (from deck `deck_id`): creates its folder and record (status
/// `recording`) with the time-box it will be scored against. Record into `wav_path` of the result.
pub fn begin(store: &Store, question: &Question, deck_id: &str, time_box: TimeBox) -> Result<NewAttempt> {
    let mut new = store.create_attempt(&question.id, deck_id)?;
    new.attempt.time_box_s = Some(time_box.seconds);
    store.save(&new.attempt)?;
    Ok(new)
}

/// [`begin`] for an answer in a mock panel: the same record, also saying which panel it belongs to and
/// whether it answers the question or its follow-up (both are scored against the question).
pub fn begin_in_panel(
    store: &Store,
    question: &Question,
    deck_id: &str,
    time_box: TimeBox,
    slot: PanelSlot,
) -> Result<NewAttempt> {
    let mut new = store.create_attempt(&question.id, deck_id)?;
    new.attempt.time_box_s = Some(time_box.seconds);
    new.attempt.panel = Some(slot);
    store.save(&new.attempt)?;
    Ok(new)
}

/// The microphone confirmed the start: records which device and sample rate are in use.
pub fn started(store: &Store, id: &str, device: &str, sample_rate: u32) -> Result<Attempt> {
    let attempt = store.get(id)?;
    require(&attempt, &[Status::Recording], "started")?;
    Ok(store.update(id, |a| {
        a.device = Some(device.to_owned());
        a.sample_rate = Some(sample_rate);
    })?)
}

/// The recording ended with `duration_s` seconds of audio on disk: the attempt becomes `recorded`.
/// An interrupted recording keeps its audio and says why it ended early.
pub fn stopped(store: &Store, id: &str, duration_s: f64, ending: &Ending) -> Result<Attempt> {
    let attempt = store.get(id)?;
    require(&attempt, &[Status::Recording], "stopped")?;
    Ok(store.update(id, |a| {
        a.status = Status::Recorded;
        a.duration_s = duration_s;
        a.ended_at = Some(OffsetDateTime::now_utc());
        a.error = match ending {
            Ending::Interrupted(why) => Some(format!("the recording ended early: {why}; the audio so far is kept")),
            Ending::User | Ending::TimeUp => None,
        };
    })?)
}

/// The capture failed before a usable recording existed. The attempt is kept (never deleted: whatever
/// audio reached the disk stays) as `failed`, with the reason.
pub fn failed(store: &Store, id: &str, reason: &str) -> Result<Attempt> {
    let attempt = store.get(id)?;
    require(&attempt, &[Status::Recording], "marked failed")?;
    Ok(store.update(id, |a| {
        a.status = Status::Failed;
        a.ended_at = Some(OffsetDateTime::now_utc());
        a.error = Some(reason.to_owned());
    })?)
}

/// States whose recording can be (re-)transcribed.
const HAS_AUDIO: [Status; 4] = [Status::Recorded, Status::Transcribed, Status::Scored, Status::NoSpeech];

/// Checks that attempt `id` has a finished recording to transcribe and returns its WAV path. Used before
/// the first transcription and by Re-transcribe.
pub fn audio_to_transcribe(store: &Store, id: &str) -> Result<PathBuf> {
    let attempt = store.get(id)?;
    require(&attempt, &HAS_AUDIO, "transcribed")?;
    let wav = store.wav_path(&attempt.id);
    if wav.is_file() {
        Ok(wav)
    } else {
        Err(SessionError::NoAudio(attempt.id))
    }
}

/// Saves a transcript made with `model` (the model's short name, e.g. `tiny.en`) into attempt `id` and,
/// when the question is known, scores it. Returns the saved attempt and its report. A transcript without
/// speech (silence, noise) is kept with status `no_speech` and no report: no invented numbers. Time used is
/// measured against the time-box the attempt was recorded with (the question's when it does not say).
/// `semantic` (the sentence-embedding model and rubric head) judges the cells by meaning; `None` = phrases.
pub fn transcribed(
    store: &Store,
    id: &str,
    transcript: Transcript,
    model: &str,
    question: Option<&Question>,
    rubric: &Rubric,
    semantic: Option<report::Semantic<'_>>,
) -> Result<(Attempt, Option<Report>)> {
    let attempt = store.get(id)?;
    require(&attempt, &HAS_AUDIO, "transcribed")?;
    let transcript = transcript.without_annotations();
    let spoken = transcript.has_speech();
    let time_box = |q: &Question| attempt.time_box_s.unwrap_or(q.time_box_s);
    let personal = personal_exemplars(store);
    let fixes = report::Corrections {
        own: &attempt.corrections,
        personal: &personal,
    };
    let report = question.and_then(|q| scored(q, time_box(q), rubric, &transcript, semantic, fixes));
    let report_json = report.as_ref().and_then(report_to_store);
    let attempt = store.update(id, |a| {
        a.transcript = Some(transcript);
        a.model = Some(model.to_string());
        a.error = None;
        a.status = if !spoken {
            Status::NoSpeech
        } else if report_json.is_some() {
            Status::Scored
        } else {
            Status::Transcribed
        };
        a.report = report_json;
    })?;
    Ok((attempt, report))
}

/// The person's exemplars from the store's data folder. A damaged file does not stop scoring: it counts as
/// none here, and `rehearse rubric corrections list` says what is wrong with it.
pub fn personal_exemplars(store: &Store) -> Vec<corrections::PersonalExemplar> {
    crate::store::corrections::load(store.root())
        .map(|f| f.exemplars)
        .unwrap_or_default()
}

/// The person corrects the rubric on attempt `id`: the correction is saved with the attempt, kept as a
/// personal exemplar for future answers (with its sentence vector when `semantic` is given), and the attempt
/// is scored again at once against `question`. Returns the saved attempt and its new report.
pub fn correct(
    store: &Store,
    id: &str,
    correction: corrections::Correction,
    question: Option<&Question>,
    rubric: &Rubric,
    semantic: Option<report::Semantic<'_>>,
) -> Result<(Attempt, Option<Report>)> {
    let attempt = store.get(id)?;
    let Some(transcript) = attempt.transcript.clone() else {
        return Err(SessionError::Transition {
            id: attempt.id,
            status: attempt.status,
            action: "corrected (it has no transcript)",
        });
    };
    let vector = semantic
        .and_then(|s| s.encoder.encode(&[correction.sentence.as_str()]).pop())
        .map(|v| corrections::quantise(&v))
        .unwrap_or_default();
    crate::store::corrections::add(
        store.root(),
        corrections::PersonalExemplar {
            cell: correction.cell.clone(),
            verdict: correction.verdict,
            text: correction.sentence.clone(),
            attempt_id: attempt.id.clone(),
            question_id: attempt.question_id.clone(),
            created: OffsetDateTime::now_utc(),
            vector,
        },
    )?;
    let mut own = attempt.corrections.clone();
    corrections::upsert_correction(&mut own, correction);
    let personal = personal_exemplars(store);
    let time_box = |q: &Question| attempt.time_box_s.unwrap_or(q.time_box_s);
    let fixes = report::Corrections {
        own: &own,
        personal: &personal,
    };
    let report = question.and_then(|q| scored(q, time_box(q), rubric, &transcript, semantic, fixes));
    let report_json = report.as_ref().and_then(report_to_store);
    let attempt = store.update(id, |a| {
        a.corrections = own;
        if report_json.is_some() {
            a.report = report_json;
            a.status = Status::Scored;
        }
    })?;
    Ok((attempt, report))
}

/// Records a transcription failure (or cancellation) on the attempt; the audio, and any earlier
/// transcript and report, stay as they were.
pub fn transcription_failed(store: &Store, id: &str, error: &str) -> Result<Attempt> {
    Ok(store.update(id, |a| a.error = Some(error.to_string()))?)
}

/// Deletes the attempt and its audio. Refused while it is still being recorded.
pub fn delete(store: &Store, id: &str) -> Result<()> {
    let attempt = store.get(id)?;
    // Another rehearse is recording it: say so, and how to go on.
    if attempt.status == Status::Recording && store.recorded_elsewhere(&attempt.id) {
        return Err(StoreError::Busy(attempt.id).into());
    }
    // Its audio is being written (a recording a crash left behind is repaired by start-up recovery first).
    require(
        &attempt,
        &[
            Status::Recorded,
            Status::Transcribed,
            Status::Scored,
            Status::NoSpeech,
            Status::Failed,
        ],
        "deleted",
    )?;
    Ok(store.delete(&attempt.id)?)
}

/// Finds the question an attempt answered: in its own deck first, then in any deck.
pub fn question_for<'a>(decks: &'a [Deck], attempt: &Attempt) -> Option<&'a Question> {
    crate::bank::find_question(decks, Some(&attempt.deck_id), &attempt.question_id).map(|(_, q)| q)
}

/// A report as stored in `attempt.json`: without its transcript, which the attempt holds once.
pub fn report_to_store(report: &Report) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(report).ok()?;
    if let Some(map) = value.as_object_mut() {
        map.remove("transcript");
    }
    Some(value)
}

/// The report stored in an attempt, if it has one that this version can read. Reports written
/// before attempt format 2 carry their own copy of the transcript; later ones take the attempt's.
pub fn stored_report(attempt: &Attempt) -> Option<Report> {
    let mut value = attempt.report.clone()?;
    let map = value.as_object_mut()?;
    if !map.contains_key("transcript") {
        map.insert(
            "transcript".into(),
            serde_json::to_value(attempt.transcript.as_ref()?).ok()?,
        );
    }
    serde_json::from_value(value).ok()
}

/// The report of one answer with the person's corrections, or `None` when it holds no speech.
fn scored(
    question: &Question,
    time_box_s: f64,
    rubric: &Rubric,
    transcript: &Transcript,
    semantic: Option<report::Semantic<'_>>,
    fixes: report::Corrections<'_>,
) -> Option<Report> {
    match report::assess_corrected(question, rubric, transcript, time_box_s, semantic, fixes) {
        report::Outcome::Scored(r) => Some(*r),
        report::Outcome::NoSpeech => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        deck: Deck,
        rubric: Rubric,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        Fixture {
            _dir: dir,
            store,
            deck: Deck::embedded().unwrap(),
            rubric: Rubric::embedded().unwrap(),
        }
    }

    fn q<'a>(f: &'a Fixture, id: &str) -> &'a Question {
        f.deck.question(id).unwrap()
    }

    #[test]
    fn a_correction_is_kept_with_the_attempt_and_decides_it_again_after_the_personal_list_is_cleared() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let tb = TimeBox::for_question(question, None).unwrap();
        let id = begin(&f.store, question, "product-metrics", tb).unwrap().attempt.id;
        let boundary = "Past ten thousand events a second the single writer falls behind.";
        // Nothing to correct before there is a transcript.
        let fix = corrections::Correction {
            cell: "boundaries".into(),
            verdict: corrections::Verdict::Counts,
            sentence: boundary.into(),
            start_s: 0.0,
            end_s: 1.0,
        };
        assert!(matches!(
            correct(&f.store, &id, fix.clone(), Some(question), &f.rubric, None),
            Err(SessionError::Transition { .. })
        ));
        write_audio(&f, &id, 1.0);
        stopped(&f.store, &id, 12.0, &Ending::User).unwrap();
        let t = Transcript::from_plain_text(&format!("I would track freshness and cost. {boundary}"), Some(12.0));
        let (_, before) = transcribed(&f.store, &id, t.clone(), "tiny.en", Some(question), &f.rubric, None).unwrap();
        let covered = |r: &Option<Report>| {
            r.as_ref()
                .and_then(|r| r.rubric.iter().find(|c| c.cell == "boundaries"))
                .map(|c| c.covered)
        };
        assert_eq!(covered(&before), Some(false));
        let (saved, after) = correct(&f.store, &id, fix, Some(question), &f.rubric, None).unwrap();
        assert_eq!(covered(&after), Some(true));
        assert_eq!(saved.corrections.len(), 1);
        assert_eq!(
            covered(&stored_report(&f.store.get(&id).unwrap())),
            Some(true),
            "saved report"
        );
        assert_eq!(
            crate::store::corrections::load(f.store.root()).unwrap().exemplars.len(),
            1
        );
        // Forgetting the personal list leaves the attempt's own correction: transcribing again keeps it.
        crate::store::corrections::clear(f.store.root()).unwrap();
        let (_, again) = transcribed(&f.store, &id, t, "tiny.en", Some(question), &f.rubric, None).unwrap();
        assert_eq!(covered(&again), Some(true));
    }

    /// Writes a short valid WAV where the recorder would.
    fn write_audio(f: &Fixture, id: &str, seconds: f64) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(f.store.wav_path(id), spec).unwrap();
        for i in 0..(seconds * 16_000.0) as usize {
            w.write_sample(((i as f64 * 0.05).sin() * 3000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn time_box_is_the_questions_unless_overridden() {
        let f = fixture();
        let short = q(&f, "pm-15-what-and-why");
        assert!(
            (short.time_box_s - 90.0).abs() < 1e-9,
            "the guide's 90-second explain drill"
        );
        let tb = TimeBox::for_question(short, None).unwrap();
        assert_eq!(tb.seconds, 90.0);
        assert_eq!(tb.source, TimeBoxSource::Question);
        assert_eq!(tb.describe(), "1:30 (this question's time-box)");
        let tb = TimeBox::for_question(short, Some(120.0)).unwrap();
        assert_eq!((tb.seconds, tb.source), (120.0, TimeBoxSource::Override));
        assert_eq!(tb.describe(), "2:00 (your choice for this attempt)");
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                TimeBox::for_question(short, Some(bad)),
                Err(SessionError::InvalidTimeBox(_))
            ));
        }
    }

    #[test]
    fn whole_life_stores_every_field_and_scores_against_the_recorded_time_box() {
        let f = fixture();
        let question = q(&f, "pm-15-what-and-why");
        let tb = TimeBox::for_question(question, None).unwrap();
        let new = begin(&f.store, question, &f.deck.id, tb).unwrap();
        let id = new.attempt.id.clone();
        assert_eq!(new.attempt.status, Status::Recording);
        assert_eq!(f.store.get(&id).unwrap().time_box_s, Some(90.0));
        assert_eq!(new.wav_path, f.store.wav_path(&id));

        let a = started(&f.store, &id, "Built-in mic", 48_000).unwrap();
        assert_eq!(a.device.as_deref(), Some("Built-in mic"));
        assert_eq!(a.sample_rate, Some(48_000));

        write_audio(&f, &id, 1.0);
        let a = stopped(&f.store, &id, 1.0, &Ending::TimeUp).unwrap();
        assert_eq!(a.status, Status::Recorded);
        assert!(a.ended_at.is_some(), "ended_at written");
        assert!(a.error.is_none());
        assert_eq!(audio_to_transcribe(&f.store, &id).unwrap(), f.store.wav_path(&id));

        let t = Transcript::from_plain_text("So the question is what a metric is and why we track it.", Some(80.0));
        let (saved, report) = transcribed(&f.store, &id, t, "tiny.en", Some(question), &f.rubric, None).unwrap();
        let report = report.unwrap();
        assert!(
            (report.delivery.time_box_s - 90.0).abs() < 1e-9,
            "{}",
            report.delivery.time_box_s
        );
        assert_eq!(saved.status, Status::Scored);
        assert_eq!(saved.model.as_deref(), Some("tiny.en"));
        let reread = f.store.get(&id).unwrap();
        assert_eq!(stored_report(&reread).as_ref(), Some(&report));
        // The transcript is stored once, not again inside the report.
        let json = std::fs::read_to_string(f.store.attempt_dir(&id).join(crate::store::ATTEMPT_FILE)).unwrap();
        assert_eq!(json.matches("\"segments\"").count(), 1, "{json}");
        assert!(reread.report.as_ref().is_some_and(|r| r.get("transcript").is_none()));
        assert_eq!(
            question_for(std::slice::from_ref(&f.deck), &reread).map(|q| q.id.as_str()),
            Some(question.id.as_str())
        );

        // Re-transcribing a scored attempt is allowed; a failure keeps what was there.
        assert!(audio_to_transcribe(&f.store, &id).is_ok());
        let failed_again = transcription_failed(&f.store, &id, "boom").unwrap();
        assert_eq!(failed_again.error.as_deref(), Some("boom"));
        assert!(failed_again.transcript.is_some());
        assert_eq!(failed_again.status, Status::Scored);

        delete(&f.store, &id).unwrap();
        assert!(matches!(f.store.get(&id), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn an_interrupted_recording_keeps_its_audio_and_says_why() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let new = begin(
            &f.store,
            question,
            &f.deck.id,
            TimeBox::for_question(question, Some(60.0)).unwrap(),
        )
        .unwrap();
        write_audio(&f, &new.attempt.id, 0.5);
        let a = stopped(
            &f.store,
            &new.attempt.id,
            0.5,
            &Ending::Interrupted("the microphone was unplugged".into()),
        )
        .unwrap();
        assert_eq!(a.status, Status::Recorded);
        assert!(a.error.as_deref().unwrap().contains("unplugged"), "{:?}", a.error);
        assert_eq!(a.time_box_s, Some(60.0));
        assert!(f.store.wav_path(&a.id).is_file());
    }

    #[test]
    fn a_failed_capture_is_kept_with_its_reason() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let new = begin(
            &f.store,
            question,
            &f.deck.id,
            TimeBox::for_question(question, None).unwrap(),
        )
        .unwrap();
        let a = failed(&f.store, &new.attempt.id, "no input device").unwrap();
        assert_eq!(a.status, Status::Failed);
        assert_eq!(a.error.as_deref(), Some("no input device"));
        assert!(a.ended_at.is_some());
        assert!(f.store.get(&new.attempt.id).is_ok(), "kept, not deleted");
        // Nothing to transcribe, and the life cannot go on.
        assert!(matches!(
            audio_to_transcribe(&f.store, &a.id),
            Err(SessionError::Transition { .. })
        ));
        assert!(matches!(
            stopped(&f.store, &a.id, 1.0, &Ending::User),
            Err(SessionError::Transition { .. })
        ));
    }

    /// Every step against every state it must refuse.
    #[test]
    fn illegal_transitions_are_refused_and_change_nothing() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let tb = TimeBox::for_question(question, None).unwrap();
        let t = || Transcript::from_plain_text("hello", Some(1.0));

        // Still recording: cannot be transcribed or deleted (its audio is being written).
        let rec = begin(&f.store, question, &f.deck.id, tb).unwrap();
        write_audio(&f, &rec.attempt.id, 0.2);
        let err = transcribed(
            &f.store,
            &rec.attempt.id,
            t(),
            "tiny.en",
            Some(question),
            &f.rubric,
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is recording, so it cannot be transcribed"),
            "{err}"
        );
        assert!(matches!(
            delete(&f.store, &rec.attempt.id),
            Err(SessionError::Transition { .. })
        ));
        assert_eq!(f.store.get(&rec.attempt.id).unwrap().status, Status::Recording);

        // Recorded: cannot start, stop or fail again.
        stopped(&f.store, &rec.attempt.id, 0.2, &Ending::User).unwrap();
        for r in [
            started(&f.store, &rec.attempt.id, "x", 1).map(|_| ()),
            stopped(&f.store, &rec.attempt.id, 1.0, &Ending::User).map(|_| ()),
            failed(&f.store, &rec.attempt.id, "x").map(|_| ()),
        ] {
            assert!(matches!(r, Err(SessionError::Transition { .. })), "{r:?}");
        }
        let a = f.store.get(&rec.attempt.id).unwrap();
        assert_eq!((a.status, a.duration_s), (Status::Recorded, 0.2));

        // Recorded but the audio file is gone.
        std::fs::remove_file(f.store.wav_path(&a.id)).unwrap();
        assert!(matches!(
            audio_to_transcribe(&f.store, &a.id),
            Err(SessionError::NoAudio(_))
        ));

        // Unknown attempt.
        assert!(matches!(
            started(&f.store, "20990101-000000-nope", "x", 1),
            Err(SessionError::Store(StoreError::NotFound(_)))
        ));
    }

    #[test]
    fn without_the_question_the_transcript_is_kept_unscored() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let new = begin(
            &f.store,
            question,
            "gone-deck",
            TimeBox::for_question(question, None).unwrap(),
        )
        .unwrap();
        write_audio(&f, &new.attempt.id, 0.2);
        stopped(&f.store, &new.attempt.id, 0.2, &Ending::User).unwrap();
        let (a, report) = transcribed(
            &f.store,
            &new.attempt.id,
            Transcript::from_plain_text("hi", Some(0.2)),
            "tiny.en",
            None,
            &f.rubric,
            None,
        )
        .unwrap();
        assert!(report.is_none());
        assert_eq!(a.status, Status::Transcribed);
    }

    #[test]
    fn silence_is_kept_as_no_speech_without_a_report() {
        let f = fixture();
        let question = q(&f, "pm-01-success-metrics");
        let new = begin(
            &f.store,
            question,
            &f.deck.id,
            TimeBox::for_question(question, None).unwrap(),
        )
        .unwrap();
        write_audio(&f, &new.attempt.id, 0.2);
        stopped(&f.store, &new.attempt.id, 30.0, &Ending::User).unwrap();
        let silence = Transcript {
            text: "[BLANK_AUDIO]".into(),
            duration_s: 30.0,
            segments: Vec::new(),
            words: vec![crate::transcript::TimedText {
                start_s: 0.0,
                end_s: 10.0,
                text: "[BLANK_AUDIO]".into(),
            }],
        };
        let (saved, report) = transcribed(
            &f.store,
            &new.attempt.id,
            silence,
            "tiny.en",
            Some(question),
            &f.rubric,
            None,
        )
        .unwrap();
        assert!(report.is_none());
        assert_eq!(saved.status, Status::NoSpeech);
        let reread = f.store.get(&new.attempt.id).unwrap();
        assert_eq!(reread.status, Status::NoSpeech);
        assert!(reread.report.is_none() && reread.error.is_none());
        let t = reread.transcript.unwrap();
        assert!(t.words.is_empty() && t.text.is_empty() && (t.duration_s - 30.0).abs() < 1e-9);
        // It can be re-transcribed (another model may hear something) and deleted.
        assert!(audio_to_transcribe(&f.store, &new.attempt.id).is_ok());
        delete(&f.store, &new.attempt.id).unwrap();
    }
}
