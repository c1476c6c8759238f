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
    decks
        .iter()
        .filter(|d| d.id == attempt.deck_id)
        .chain(decks.iter())
        .find_map(|d| d.question(&attempt.question_id))
}

/// Saves a transcript into attempt `id` and, when the question is known, scores it. Returns the saved
/// attempt and its report. The time-box is the question's.
pub fn attach_transcript(
    store: &Store,
    id: &str,
    transcript: Transcript,
    model: &str,
    question: Option<&Question>,
    rubric: &Rubric,
) -> Result<(Attempt, Option<Report>), StoreError> {
    let report = question.map(|q| report::score(q, rubric, &transcript, q.time_box_s));
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
