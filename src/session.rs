//! What happens to an attempt after the microphone stops: attach the transcript, score it against the
//! question and rubric, and save both — one function shared by the CLI and the window, so an answer is
//! treated the same wherever it was recorded. Pure core: no audio or inference here.

use crate::bank::{Deck, Question};
use crate::report::{self, Report};
use crate::rubric::Rubric;
use crate::store::{Attempt, Status, Store, StoreError};
use crate::transcript::Transcript;

/// Finds the question an attempt answered: in its own deck first, then in any deck.
pub fn question_for<'a>(decks: &'a [Deck], attempt: &Attempt) -> Option<&'a Question> {
    crate::bank::find_question(decks, Some(&attempt.deck_id), &attempt.question_id).map(|(_, q)| q)
}

/// Saves a transcript into attempt `id` and, when the question is known, scores it. Returns the saved
/// attempt and its report. Time used is measured against the time-box the attempt was recorded with
/// (the question's when the attempt does not say).
pub fn attach_transcript(
    store: &Store,
    id: &str,
    transcript: Transcript,
    model: &str,
    question: Option<&Question>,
    rubric: &Rubric,
) -> Result<(Attempt, Option<Report>), StoreError> {
    let recorded_box = store.get(id)?.time_box_s;
    let report = question.map(|q| report::score(q, rubric, &transcript, recorded_box.unwrap_or(q.time_box_s)));
    let report_json = report.as_ref().and_then(|r| serde_json::to_value(r).ok());
    let attempt = store.update(id, |a| {
        a.transcript = Some(transcript);
        a.model = Some(model.to_string());
        a.error = None;
        a.status = if report_json.is_some() {
            Status::Scored
        } else {
            Status::Transcribed
        };
        a.report = report_json;
    })?;
    Ok((attempt, report))
}

/// Records a transcription failure on the attempt; the audio and everything else stay as they were.
pub fn record_failure(store: &Store, id: &str, error: &str) -> Result<Attempt, StoreError> {
    store.update(id, |a| a.error = Some(error.to_string()))
}

/// The report stored in an attempt, if it has one that this version can read.
pub fn stored_report(attempt: &Attempt) -> Option<Report> {
    attempt
        .report
        .as_ref()
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_against_the_recorded_time_box_and_saves_everything() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(dir.path()).expect("store");
        let deck = Deck::embedded().expect("deck");
        let q = deck.question("pm-01-success-metrics").expect("question");
        let mut new = store.create_attempt(&q.id, &deck.id).expect("create");
        new.attempt.time_box_s = Some(60.0);
        store.save(&new.attempt).expect("save");
        let attempt = store.get(&new.attempt.id).expect("get");
        assert_eq!(
            question_for(std::slice::from_ref(&deck), &attempt).map(|q| q.id.as_str()),
            Some(q.id.as_str())
        );

        let t = Transcript::from_plain_text("So the question is how to measure a pipeline.", Some(90.0));
        let rubric = Rubric::embedded().expect("rubric");
        let (saved, report) = attach_transcript(&store, &attempt.id, t, "tiny.en", Some(q), &rubric).expect("attach");
        let report = report.expect("scored");
        assert!(
            (report.delivery.time_box_s - 60.0).abs() < 1e-9,
            "{}",
            report.delivery.time_box_s
        );
        assert_eq!(saved.status, Status::Scored);
        assert_eq!(saved.model.as_deref(), Some("tiny.en"));
        let reread = store.get(&attempt.id).expect("get");
        assert_eq!(stored_report(&reread).map(|r| r.question), Some(q.id.clone()));

        record_failure(&store, &attempt.id, "boom").expect("fail");
        let failed = store.get(&attempt.id).expect("get");
        assert_eq!(failed.error.as_deref(), Some("boom"));
        assert!(failed.transcript.is_some(), "a failure keeps what was there");
    }
}
