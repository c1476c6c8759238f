//! The mock panel: while it runs, what is being asked (spoken, with *Show the question* to read it), the
//! answer's countdown and level, *Done answering* and *End panel* — and no coverage, as in a real loop.
//! Afterwards the panel report: per answer the coverage per rubric cell with evidence, content points,
//! delivery and time used; per-cell averages with the person's own ratings beside them; the worst cell;
//! each answer opens in Review; Export….

use egui::{RichText, ScrollArea, Ui};

use super::section;
use crate::app::App;
use crate::app::logic::Command;
use crate::app::state::{PanelPhase, PanelRun, Screen, Stage};
use crate::app::theme::Theme;
use crate::app::widgets::{countdown_ui, evidence_chip_ui, level_meter_ui};
use crate::panel::{PanelAnswer, PanelReport};
use crate::store::{AnswerKind, Status};
use crate::transcript::mmss;

/// Width of the centred column while the panel runs.
const COLUMN_WIDTH: f32 = 600.0;

pub(super) fn show(ui: &mut Ui, app: &App, cmds: &mut Vec<Command>) {
    if let Some(p) = &app.state.panel {
        running(ui, app, p, cmds);
    } else if let Some(r) = &app.state.panel_report {
        ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| report(ui, app, r, cmds));
    } else {
        ui.label("No mock panel yet.");
        if ui.button("Start a mock panel").clicked() {
            cmds.push(Command::StartPanel {
                question_ids: Vec::new(),
                time_box_s: None,
            });
        }
    }
}

fn running(ui: &mut Ui, app: &App, p: &PanelRun, cmds: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.set_max_width(COLUMN_WIDTH);
        ui.label(RichText::new("Mock panel").size(24.0).strong());
        ui.label(RichText::new(p.slot_title()).size(18.0));
        let mut aloud = p.ask_aloud;
        if ui
            .checkbox(&mut aloud, "Ask aloud")
            .on_hover_text("The interviewer speaks each question and follow-up before the clock starts")
            .changed()
        {
            cmds.push(Command::SetAskAloud(aloud));
        }
        ui.add_space(12.0);
        if let PanelPhase::Asking(_) = p.phase {
            // No spinner here or below: an animation redraws the window every frame, which on a laptop
            // without a GPU takes a core from Whisper transcribing the previous answer.
            ui.label("The interviewer is asking\u{2026} listen, then answer out loud.");
        }
        if p.shown {
            ui.label(RichText::new(p.asked_text()).size(20.0).strong());
        } else if ui
            .button("Show the question")
            .on_hover_text("Read what is being asked")
            .clicked()
        {
            cmds.push(Command::ShowPanelQuestion);
        }
        ui.add_space(16.0);
        match &app.state.stage {
            Stage::Preparing { time_box, .. } => {
                countdown_ui(ui, time_box.seconds, time_box.seconds);
                ui.weak("Starting\u{2026}");
            }
            Stage::Recording(r) => {
                countdown_ui(ui, (r.time_box.seconds - r.elapsed_s).max(0.0), r.time_box.seconds);
                ui.add_space(8.0);
                level_meter_ui(ui, r.rms_db, r.peak_db);
                ui.add_space(12.0);
                let label = if r.stopping() {
                    "Stopping\u{2026}"
                } else {
                    "Done answering"
                };
                if ui
                    .add_enabled(
                        r.started() && !r.stopping(),
                        egui::Button::new(RichText::new(label).size(18.0)),
                    )
                    .on_hover_text("Space; the next question follows")
                    .clicked()
                {
                    cmds.push(Command::StopRecording);
                }
            }
            _ => {}
        }
        ui.add_space(24.0);
        ui.weak(format!(
            "{} answer(s) recorded. No feedback until the end, as in a real loop.",
            p.recorded.len()
        ));
        if ui
            .button("End panel")
            .on_hover_text("Stop here: what was recorded is kept, the panel is marked incomplete")
            .clicked()
        {
            cmds.push(Command::EndPanel);
        }
    });
}

fn report(ui: &mut Ui, app: &App, r: &PanelReport, cmds: &mut Vec<Command>) {
    let theme = Theme::of(ui);
    ui.label(RichText::new("Mock panel report").size(24.0).strong());
    let answered = r.answers.len();
    let state = if r.complete {
        "complete".to_owned()
    } else {
        format!(
            "incomplete: {answered} of {} answers recorded; what was recorded is kept",
            r.planned * 2
        )
    };
    ui.weak(format!("{} · {} question(s) · {state}", r.panel_id, r.planned));
    ui.horizontal(|ui| {
        if ui
            .button("Export\u{2026}")
            .on_hover_text("Save this panel as a web page (HTML) or Markdown")
            .clicked()
        {
            cmds.push(Command::ExportPanel);
        }
        if ui.button("Back to Today").clicked() {
            cmds.push(Command::ShowScreen(Screen::Today));
        }
    });
    let pending = r
        .answers
        .iter()
        .filter(|a| matches!(a.status, Status::Recording | Status::Recorded))
        .count();
    if pending > 0 {
        ui.label(format!("Transcribing {pending} answer(s)\u{2026}"));
    }

    section(ui, "Coverage per cell (mean over the panel)");
    let cell_title = |id: &str| app.state.cell_label(id);
    if r.cells.is_empty() {
        ui.weak("No answer has been scored yet.");
    } else {
        egui::Grid::new("panel_cells")
            .num_columns(4)
            .spacing([20.0, 6.0])
            .striped(true)
            .show(ui, |ui| {
                ui.label(RichText::new("Cell").strong());
                ui.label(RichText::new("Rubric").strong());
                ui.label(RichText::new("You (self-score)").strong());
                ui.label(RichText::new("Answers").strong());
                ui.end_row();
                for c in &r.cells {
                    let worst = r.worst_cell.as_deref() == Some(c.cell.as_str());
                    let name = RichText::new(cell_title(&c.cell));
                    ui.label(if worst { name.strong().color(theme.red) } else { name });
                    ui.label(format!("{:.0}%", c.mean * 100.0));
                    // Self-scores are 1–5; as a share, 1 is 0% and 5 is 100% (the calibration's scale).
                    ui.label(c.self_mean.map_or_else(
                        || "\u{2014}".to_owned(),
                        |m| format!("{m:.1}/5 ({:.0}%)", (m - 1.0) / 4.0 * 100.0),
                    ));
                    ui.label(c.answers.to_string());
                    ui.end_row();
                }
            });
        if let Some(w) = &r.worst_cell {
            ui.label(
                RichText::new(format!("Worst cell: {}", cell_title(w)))
                    .size(18.0)
                    .strong(),
            );
            ui.weak("The weakness blitz drills it.");
        }
        if r.cells.iter().all(|c| c.self_mean.is_none()) {
            ui.weak("Rate your answers in Review to see your own scores beside the rubric's.");
        }
    }

    section(ui, "Answers");
    for a in &r.answers {
        answer(ui, app, a, &cell_title, cmds);
    }
}

fn answer(ui: &mut Ui, app: &App, a: &PanelAnswer, cell_title: &dyn Fn(&str) -> String, cmds: &mut Vec<Command>) {
    let theme = Theme::of(ui);
    egui::Frame::group(ui.style()).inner_margin(10.0).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        let kind = match a.kind {
            AnswerKind::Question => "Question",
            AnswerKind::FollowUp => "Follow-up",
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{}. {kind}", a.position + 1)).strong());
            ui.label(&a.prompt);
        });
        ui.horizontal(|ui| {
            ui.weak(format!(
                "Time used {} of {}",
                mmss(a.time_used_s()),
                a.time_box_s.map_or_else(|| "\u{2014}".to_owned(), mmss)
            ));
            if ui.button("Open in Review").clicked() {
                cmds.push(Command::OpenAttempt(a.attempt_id.clone()));
            }
        });
        let Some(rep) = &a.report else {
            let why = match a.status {
                Status::Recording | Status::Recorded => "Transcribing\u{2026}".to_owned(),
                Status::NoSpeech => "No speech heard.".to_owned(),
                Status::Failed => "The recording failed.".to_owned(),
                other => {
                    let error = app
                        .state
                        .entries
                        .iter()
                        .find(|e| e.attempt.id == a.attempt_id)
                        .and_then(|e| e.attempt.error.clone());
                    error.unwrap_or_else(|| format!("No report ({other})."))
                }
            };
            ui.colored_label(theme.amber, why);
            return;
        };
        for cell in &rep.rubric {
            ui.horizontal_wrapped(|ui| {
                let (mark, color) = if cell.covered {
                    ("covered", theme.green)
                } else {
                    ("missing", theme.red)
                };
                ui.label(RichText::new(cell_title(&cell.cell)).strong());
                ui.colored_label(color, mark);
                ui.weak(format!("{:.0}%", cell.score * 100.0));
                for e in cell.evidence.iter().take(3) {
                    let chip = evidence_chip_ui(ui, &e.text, e.start_s);
                    if let Some(why) = &e.why {
                        chip.on_hover_text(why);
                    }
                }
            });
        }
        if !rep.content_points.is_empty() {
            // Words, not check marks: the default font has no glyph for them.
            ui.horizontal_wrapped(|ui| {
                ui.weak("Content points:");
                for p in &rep.content_points {
                    let (mark, color) = if p.covered {
                        ("made", theme.green)
                    } else {
                        ("not made", theme.red)
                    };
                    ui.label(&p.point);
                    ui.colored_label(color, mark);
                }
            });
        }
        let d = &rep.delivery;
        ui.weak(format!(
            "Delivery: {:.0} words/min · {:.1} fillers/min · {} long pause(s)",
            d.wpm,
            d.fillers_per_min,
            d.long_pauses.len()
        ));
    });
    ui.add_space(6.0);
}
