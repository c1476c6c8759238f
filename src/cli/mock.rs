//! `rehearse mock`: a mock panel headless through the microphone. Each question, then its follow-up, is
//! asked aloud (espeak-ng through the playback output) and answered as its own attempt through the same
//! recording path as `rehearse record`; Enter or the time-box moves on, Ctrl-C abandons the panel (what was
//! recorded is kept; the panel is incomplete). No feedback until the end: then the panel report.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::Args;
use crossbeam_channel::Receiver;

use super::record::Recorder;
use crate::asr::models;
use crate::audio::playback::Playback;
use crate::audio::speak;
use crate::panel::{self, PanelReport};
use crate::session;
use crate::store::AnswerKind;
use crate::transcript::mmss;

#[derive(Args)]
pub(super) struct MockArgs {
    /// Number of questions (each followed by its follow-up): a mix of difficulties, least recently
    /// practised first.
    #[arg(long, default_value_t = panel::DEFAULT_QUESTIONS)]
    questions: usize,
    /// Time-box of each question's answer in seconds (default: the question's own).
    #[arg(long)]
    seconds: Option<f64>,
    /// Time-box of each follow-up's answer in seconds.
    #[arg(long, default_value_t = panel::FOLLOW_UP_TIME_BOX_S)]
    follow_up_seconds: f64,
    /// Do not ask the questions aloud; print them only.
    #[arg(long)]
    no_voice: bool,
    /// Input device name (see `rehearse devices`); default: the system's default input.
    #[arg(long)]
    device: Option<String>,
    #[arg(long, default_value = models::DEFAULT_MODEL)]
    model: String,
    /// Print the panel report as JSON: panel_id, answers (attempt_id, question_id, kind, report), the mean
    /// coverage per cell and the worst cell.
    #[arg(long)]
    json: bool,
    /// List the panels recorded so far instead (id, date, answers, complete or not).
    #[arg(long, conflicts_with_all = ["json", "no_voice"])]
    list: bool,
    /// Also load this deck file.
    #[arg(long)]
    deck: Option<PathBuf>,
    /// Ask only questions of this deck (an id from `rehearse questions`, e.g. an imported guide's).
    #[arg(long, value_name = "ID")]
    deck_id: Option<String>,
}

impl MockArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let store = super::open_store()?;
        let decks = super::load_decks(self.deck.as_deref())?;
        let attempts = store.list()?;
        if self.list {
            return list(&attempts, &decks);
        }
        if self.questions == 0 {
            anyhow::bail!("--questions must be at least 1");
        }
        if !(self.follow_up_seconds.is_finite() && self.follow_up_seconds > 0.0) {
            anyhow::bail!("--follow-up-seconds must be a positive number of seconds");
        }
        let decks = match &self.deck_id {
            Some(id) => {
                let one: Vec<_> = decks.into_iter().filter(|d| &d.id == id).collect();
                anyhow::ensure!(
                    !one.is_empty(),
                    "there is no deck {id:?}; `rehearse questions` lists the decks (import a guide with `rehearse deck import GUIDE`)"
                );
                one
            }
            None => decks,
        };
        let chosen = panel::choose_questions(&decks, &attempts, self.questions);
        if chosen.is_empty() {
            anyhow::bail!("there are no questions to ask; `rehearse questions` lists the decks");
        }
        let planned = chosen.len();
        let path = models::resolve(&self.model).map_err(anyhow::Error::msg)?;
        // The model loads here, before anything is asked.
        let mut recorder = Recorder::new(&store, &decks, self.device.as_deref(), Some(path.as_path()), false)?;
        let player = if self.no_voice {
            None
        } else {
            Some(Playback::spawn(None).context("cannot start the audio output")?)
        };
        let speech_dir = tempfile::tempdir().context("cannot create a temporary folder for the spoken question")?;

        let abandon = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&abandon);
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context("cannot install the Ctrl-C handler")?;
        let enter = enter_presses();

        let panel_id =
            panel::new_id(time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc()));
        eprintln!("mock panel {panel_id}: {planned} questions, each with a follow-up; Enter moves on, Ctrl-C abandons");
        // The panel's one order (`panel::next_answer`): each question, then its follow-up.
        let mut next = Some((AnswerKind::Question, 0));
        while let Some((kind, position)) = next {
            next = panel::next_answer(kind, position, planned);
            let (deck, q) = chosen[position];
            if abandon.load(Ordering::SeqCst) {
                break;
            }
            let text = panel::asked(q, kind);
            let time_box = panel::answer_time_box(q, kind, self.seconds, self.follow_up_seconds)
                .map_err(|_| anyhow::anyhow!("--seconds must be a positive number of seconds"))?;
            let label = match kind {
                AnswerKind::Question => format!("question {} of {planned}", position + 1),
                AnswerKind::FollowUp => format!("follow-up {} of {planned}", position + 1),
            };
            eprintln!("{label}: {text}");
            if let Some(player) = &player {
                let spoken = speak::speak(player, speech_dir.path(), text)?;
                eprintln!(
                    "asked aloud in {:.2} s (speech {:.2} s)",
                    spoken.played_s, spoken.audio_s
                );
            }
            if abandon.load(Ordering::SeqCst) {
                break;
            }
            // An Enter pressed while the question was being asked does not skip the answer.
            while enter.try_recv().is_ok() {}
            let slot = panel::slot(&panel_id, kind, position, planned);
            let new = session::begin_in_panel(&store, q, &deck.id, time_box, slot)?;
            let stop = || abandon.load(Ordering::SeqCst) || enter.try_recv().is_ok();
            let attempt = recorder.record(new, time_box, &stop)?;
            eprintln!("{label}: {} recorded ({})", mmss(attempt.duration_s), attempt.status);
        }
        let attempts = store.list()?;
        let report = panel::build_report(&panel_id, &attempts, &decks)
            .ok_or_else(|| anyhow::anyhow!("panel {panel_id} was abandoned before any answer was recorded"))?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&json(&report))?);
        } else {
            print!("{}", summary(&report));
        }
        Ok(())
    }
}

/// Enter presses on stdin, one message per line, read on a named thread. With no stdin (or at its end)
/// nothing ever arrives, so only the time-box moves on.
fn enter_presses() -> Receiver<()> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let _ = std::thread::Builder::new()
        .name("rehearse-stdin".into())
        .spawn(move || {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                line.clear();
                if tx.send(()).is_err() {
                    break;
                }
            }
        });
    rx
}

/// The `--json` shape: `{panel_id, answers: [{attempt_id, question_id, kind, report}], cells: {cell: mean},
/// worst_cell}`.
fn json(report: &PanelReport) -> serde_json::Value {
    let answers: Vec<serde_json::Value> = report
        .answers
        .iter()
        .map(|a| {
            serde_json::json!({
                "attempt_id": a.attempt_id,
                "question_id": a.question_id,
                "kind": a.kind,
                "report": a.report,
            })
        })
        .collect();
    let cells: serde_json::Map<String, serde_json::Value> = report
        .cells
        .iter()
        .map(|c| (c.cell.clone(), serde_json::json!(c.mean)))
        .collect();
    serde_json::json!({
        "panel_id": report.panel_id,
        "answers": answers,
        "cells": cells,
        "worst_cell": report.worst_cell,
    })
}

/// The panel report for the terminal.
fn summary(report: &PanelReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "mock panel {} — {}",
        report.panel_id,
        if report.complete {
            "complete"
        } else {
            "incomplete (abandoned; what was recorded is kept)"
        }
    );
    for a in &report.answers {
        let coverage = a.report.as_ref().map_or_else(
            || a.status.to_string(),
            |r| format!("{:.0}% covered", crate::report::coverage(r) * 100.0),
        );
        let _ = writeln!(
            s,
            "  {}. {:<9} {:<40} {} of {}  {coverage}",
            a.position + 1,
            a.kind.as_str(),
            a.attempt_id,
            mmss(a.time_used_s()),
            a.time_box_s.map_or_else(|| "—".into(), mmss),
        );
    }
    if !report.cells.is_empty() {
        let _ = writeln!(s, "coverage per cell (mean over the panel; self-score 1–5 beside it):");
        for c in &report.cells {
            let own = c.self_mean.map(|m| format!("  self {m:.1}/5")).unwrap_or_default();
            let _ = writeln!(s, "  {:<14} {:>4.0}%{own}", c.cell, c.mean * 100.0);
        }
    }
    if let Some(w) = &report.worst_cell {
        let _ = writeln!(s, "worst cell: {w}");
    }
    let _ = writeln!(
        s,
        "open an answer with `rehearse attempts show ID`; export the panel with `rehearse export {} --format html -o panel.html`",
        report.panel_id
    );
    s
}

fn list(attempts: &[crate::store::Attempt], decks: &[crate::bank::Deck]) -> anyhow::Result<()> {
    let panels = panel::list(attempts);
    if panels.is_empty() {
        println!("no mock panels yet; start one with `rehearse mock`");
    }
    for p in panels {
        let complete = panel::build_report(&p.id, attempts, decks).is_some_and(|r| r.complete);
        let date = p
            .started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        println!(
            "{:<24} {date:<25} {:>2} answers of {:>2} questions  {}",
            p.id,
            p.answers,
            p.planned,
            if complete { "complete" } else { "incomplete" }
        );
    }
    Ok(())
}
