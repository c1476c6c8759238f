//! Answering: the question, a large countdown, the input level, Start/Stop. While recording only the clock
//! and the level show, so nothing competes with thinking out loud. Then the transcription progress.

use egui::{Align, Layout, RichText};

use super::{St, section};
use crate::app::App;
use crate::app::logic::Command;
use crate::app::state::{ModelState, Stage};
use crate::app::theme::Theme;
use crate::app::widgets::{countdown_ui, level_meter_ui};
use crate::bank::Question;
use crate::session::{TimeBox, TimeBoxSource};
use crate::transcript::mmss;

/// Width of the centred recording column.
const COLUMN_WIDTH: f32 = 560.0;

pub(super) fn show(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    let question = app.state.selected.as_deref().and_then(|id| app.state.question(id));
    super::today::step_banner(ui, app, cmds);
    ui.vertical_centered(|ui| {
        ui.set_max_width(COLUMN_WIDTH);
        match &app.state.stage {
            Stage::Preparing { question, time_box } => {
                prompt(ui, question);
                ui.add_space(24.0);
                countdown_ui(ui, time_box.seconds, time_box.seconds);
                ui.weak("Starting…");
            }
            Stage::Recording(r) => {
                prompt(ui, &r.question);
                ui.add_space(24.0);
                countdown_ui(ui, (r.time_box.seconds - r.elapsed_s).max(0.0), r.time_box.seconds);
                ui.add_space(8.0);
                level_meter_ui(ui, r.rms_db, r.peak_db);
                ui.add_space(16.0);
                let label = if r.stopping() { "Stopping…" } else { "Stop recording" };
                let b = ui
                    .add_enabled(
                        r.started() && !r.stopping(),
                        egui::Button::new(RichText::new(label).size(18.0)),
                    )
                    .on_hover_text("Space");
                if b.clicked() {
                    cmds.push(Command::StopRecording);
                }
                ui.weak("Space stops");
                if app.state.prefs.live_coach {
                    live_coach(ui, app, r.live.as_deref());
                }
            }
            Stage::Transcribing(t) => {
                if let Some(q) = &t.question {
                    prompt(ui, q);
                }
                ui.add_space(24.0);
                let text = if t.scoring() {
                    "Scoring…".to_owned()
                } else if matches!(app.state.model, ModelState::Loading(_)) {
                    "Waiting for the model to load…".to_owned()
                } else {
                    format!("Transcribing… {}%", t.progress())
                };
                ui.label(&text);
                let bar = ui.add(
                    egui::ProgressBar::new(t.progress() as f32 / 100.0)
                        // Not animated: an animated bar redraws the window every frame, and on a laptop
                        // without a GPU that drawing takes a core from Whisper while the person waits.
                        .desired_width(ui.available_width()),
                );
                bar.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, "Transcription progress")
                });
                ui.add_space(8.0);
                if ui.add_enabled(!t.scoring(), egui::Button::new("Cancel")).clicked() {
                    cmds.push(Command::CancelTranscription);
                }
            }
            Stage::Idle | Stage::Review(_) => match question {
                None => {
                    ui.add_space(40.0);
                    ui.label("Pick a question to answer.");
                    if ui.button("Go to questions").clicked() {
                        cmds.push(Command::ShowScreen(crate::app::state::Screen::Questions));
                    }
                }
                Some(q) => ready(ui, app, q, st, cmds),
            },
        }
    });
}

/// The live coach (Settings, off by default): each rubric cell lit once the answer so far covers it, and
/// the pace. The answer is scored after every window Whisper transcribes, so it trails speech by a few seconds.
fn live_coach(ui: &mut egui::Ui, app: &App, live: Option<&crate::report::Report>) {
    ui.add_space(16.0);
    let theme = Theme::of(ui);
    let Some(rep) = live else {
        ui.weak("Live coach: listening… the cells light up a few seconds after you speak.");
        return;
    };
    ui.horizontal_wrapped(|ui| {
        for c in &rep.rubric {
            let label = app.state.cell_label(&c.cell);
            let (text, colour) = if c.covered {
                (format!("{label}: covered"), theme.green)
            } else {
                (format!("{label}: not yet"), theme.weak_text)
            };
            let r = ui.label(RichText::new(text).color(colour));
            let state = if c.covered { "covered" } else { "not yet" };
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{label}: {state}")));
        }
    });
    if rep.delivery.wpm > 0.0 {
        ui.weak(format!("Pace {:.0} words/min", rep.delivery.wpm));
    }
}

fn prompt(ui: &mut egui::Ui, q: &Question) {
    ui.label(RichText::new(&q.prompt).size(22.0).strong());
}

/// The question card and the Start button, with what is missing if recording cannot work.
fn ready(ui: &mut egui::Ui, app: &App, q: &Question, st: &mut St, cmds: &mut Vec<Command>) {
    prompt(ui, q);
    // The view holds the UI state while it draws (`app.state.ui_state` is empty meanwhile): read the override here.
    let time_box = TimeBox::for_question(q, st.time_box_override).unwrap_or_else(|_| app.state.time_box_for(q));
    ui.weak(format!("{} · answer out loud", q.difficulty.as_str()));
    let answered = app
        .state
        .entries
        .iter()
        .any(|e| e.attempt.question_id == q.id && e.report.is_some());
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.checkbox(&mut st.peek, "Peek at the hint")
            .on_hover_text("The hint, example and common mistakes. Try answering first.");
    });
    if st.peek || answered {
        ui.with_layout(Layout::top_down(Align::LEFT), |ui| question_details(ui, q));
    }
    ui.add_space(24.0);
    countdown_ui(ui, time_box.seconds, time_box.seconds);
    time_box_ui(ui, q, time_box, cmds);
    ui.add_space(8.0);
    let problem = blocker(ui, app, cmds);
    ui.add_space(8.0);
    let start = ui
        .add_enabled(
            problem.is_none(),
            egui::Button::new(RichText::new("Start recording").size(18.0)),
        )
        .on_hover_text("Space");
    if start.clicked() {
        cmds.push(Command::StartRecording);
    }
    ui.weak("Space starts and stops");
}

/// Which time-box applies (the question's, or the person's choice for this attempt) and a way to change it.
fn time_box_ui(ui: &mut egui::Ui, q: &Question, time_box: TimeBox, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label(format!("Time-box: {}", time_box.describe()));
        let mut secs = time_box.seconds;
        let r = ui
            .add(
                egui::Slider::new(&mut secs, 30.0..=600.0)
                    .step_by(15.0)
                    .show_value(false),
            )
            .labelled_by(label.id)
            .on_hover_text("Change the time-box for this attempt");
        if r.changed() {
            cmds.push(Command::SetTimeBoxOverride(Some(secs)));
        }
        if time_box.source == TimeBoxSource::Override
            && ui
                .button(format!("Use the question's {}", mmss(q.time_box_s)))
                .clicked()
        {
            cmds.push(Command::SetTimeBoxOverride(None));
        }
    });
}

/// Shows why recording cannot start (no model, no microphone) and what to do; `Some` when blocked.
fn blocker(ui: &mut egui::Ui, app: &App, cmds: &mut Vec<Command>) -> Option<()> {
    let theme = Theme::of(ui);
    let mut blocked = None;
    match &app.state.model {
        ModelState::Unavailable(why) => {
            ui.colored_label(theme.red, "No transcription model");
            ui.label(why);
            if ui.button("Open Settings").clicked() {
                cmds.push(Command::ShowScreen(crate::app::state::Screen::Settings));
            }
            blocked = Some(());
        }
        ModelState::Loading(name) => {
            ui.weak(format!(
                "Loading model {name}… you can start; transcription waits for it."
            ));
        }
        ModelState::Ready(_) => {}
    }
    match &app.state.devices {
        Some(Err(why)) => {
            ui.colored_label(theme.red, "No microphone");
            ui.label(format!(
                "{why}. Plug in a microphone (or allow access to it), then press Refresh in Settings."
            ));
            blocked = Some(());
        }
        Some(Ok(list)) if list.is_empty() => {
            ui.colored_label(theme.red, "No microphone");
            ui.label("No input device was found. Plug one in, then press Refresh in Settings.");
            blocked = Some(());
        }
        Some(Ok(list)) => {
            let current = app
                .state
                .prefs
                .input_device
                .clone()
                .unwrap_or_else(|| "System default".to_owned());
            ui.horizontal(|ui| {
                let label = ui.label("Microphone");
                egui::ComboBox::from_id_salt("record_device")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(app.state.prefs.input_device.is_none(), "System default")
                            .clicked()
                        {
                            cmds.push(Command::SetInputDevice(None));
                        }
                        for (name, _) in list {
                            let sel = app.state.prefs.input_device.as_deref() == Some(name.as_str());
                            if ui.selectable_label(sel, name).clicked() {
                                cmds.push(Command::SetInputDevice(Some(name.clone())));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
        }
        None => {
            ui.weak("Looking for microphones…");
        }
    }
    blocked
}

/// Hint, example and common mistakes.
pub(super) fn question_details(ui: &mut egui::Ui, q: &Question) {
    section(ui, "Hint");
    ui.label(&q.hint);
    if !q.example.is_empty() {
        section(ui, "Example");
        ui.label(&q.example);
    }
    if !q.mistakes.is_empty() {
        section(ui, "Common mistakes");
        for m in &q.mistakes {
            ui.label(format!("• {}", m.mistake));
        }
    }
}
