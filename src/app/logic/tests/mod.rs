//! Every transition of the window, as a table of (state, event) → (state, effects). No window, engine or
//! disk: the effects are checked as data. Shared set-ups here; the tables by screen in the files beside.

use std::path::PathBuf;

use super::*;
use crate::app::state::Prefs;
use crate::bank::Deck;
use crate::engine::capture::StopWhy;
use crate::session::{TimeBox, TimeBoxSource};
use crate::store::NewAttempt;
use crate::transcript::Transcript;

mod panel;
mod plan;
mod record;
mod review;

/// The scorer's report that an attempt is saved and scored.
fn scored_event(e: Entry) -> Event {
    Event::Score(ScoreEvent::Scored {
        attempt: Box::new(e.attempt),
        report: e.report.map(Box::new),
    })
}

/// The scorer's report that a correction is saved and the attempt scored again.
fn corrected_event(e: Entry) -> Event {
    Event::Score(ScoreEvent::Corrected {
        attempt: Box::new(e.attempt),
        report: e.report.map(Box::new),
    })
}

const SHORT: &str = "pm-15-what-and-why"; // a 90-second question

const LONG: &str = "pm-01-success-metrics"; // a 3-minute question

fn ready() -> State {
    let mut s = State::new(Prefs::default(), vec![Deck::embedded().unwrap()], None);
    s.model = ModelState::Ready("tiny.en".into());
    s
}

fn cmd(s: &mut State, c: Command) -> Vec<Effect> {
    update(s, Event::Command(c))
}

fn attempt(id: &str, question: &str) -> Attempt {
    Attempt {
        id: id.into(),
        question_id: question.into(),
        ..Attempt::default()
    }
}

/// Select `question`, Start, and the disk answers with a new attempt: the state is `Recording`.
fn recording(question: &str) -> State {
    let mut s = ready();
    cmd(&mut s, Command::SelectQuestion(question.into()));
    cmd(&mut s, Command::StartRecording);
    update(
        &mut s,
        Event::Io(IoEvent::Begun(Box::new(NewAttempt {
            attempt: attempt("a1", question),
            dir: PathBuf::from("/d/a1"),
            wav_path: PathBuf::from("/d/a1/answer.wav"),
        }))),
    );
    update(
        &mut s,
        Event::Rec(RecEvent::Started {
            device: "mic".into(),
            sample_rate: 48_000,
        }),
    );
    s
}

fn transcribing(question: &str) -> State {
    let mut s = recording(question);
    cmd(&mut s, Command::StopRecording);
    update(
        &mut s,
        Event::Rec(RecEvent::Stopped {
            path: PathBuf::from("/d/a1/answer.wav"),
            duration_s: 12.0,
            why: StopWhy::User,
        }),
    );
    s
}

fn review(question: &str) -> State {
    let mut s = transcribing(question);
    let mut a = attempt("a1", question);
    a.status = Status::Scored;
    a.duration_s = 12.0;
    update(
        &mut s,
        scored_event(Entry {
            attempt: a,
            report: None,
        }),
    );
    s
}

fn job(s: &State) -> u64 {
    match &s.stage {
        Stage::Transcribing(t) => t.job,
        other => panic!("not transcribing: {}", other.name()),
    }
}

const DAY1: time::Date = time::macros::date!(2026 - 11 - 26);
