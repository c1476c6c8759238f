//! Review of one attempt: the recording (waveform, playhead, speed), the transcript with the current word
//! highlighted, the person's own rating first, then the automatic rubric coverage with evidence that seeks
//! playback, content points, mistakes not mentioned, delivery, the model hint and the follow-up, and notes.
//! The person can correct the rubric: "Doesn't count" on a piece of evidence, or "Counts as…" on any
//! sentence; the attempt is scored again at once and the correction kept for future answers.

use egui::{RichText, ScrollArea};

use super::record::question_details;
use super::{St, section};
use crate::app::App;
use crate::app::logic::{Command, self_score_for};
use crate::app::state::{Review, SELF_SCORE_CELLS, Stage};
use crate::app::theme::{self, Theme};
use crate::app::widgets::{MarkerKind, evidence_chip_ui, self_score_ui, transcript_ui, waveform_ui};
use crate::delivery::WpmFlag;
use crate::transcript::mmss;

/// Playback speeds offered.
const SPEEDS: [f32; 4] = [0.75, 1.0, 1.25, 1.5];

pub(super) fn show(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    let Stage::Review(r) = &app.state.stage else {
        ui.label("Nothing to review yet. Record an answer, or open one from History.");
        return;
    };
    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::today::step_banner(ui, app, cmds);
        if let (Some(slot), Some(p)) = (&r.attempt.panel, &app.state.panel_report)
            && slot.id == p.panel_id
            && ui.button("Back to the panel report").clicked()
        {
            cmds.push(Command::ShowScreen(crate::app::state::Screen::Panel));
        }
        header(ui, r);
        transport(ui, app, r, cmds);
        ui.add_space(8.0);
        super::two_columns(ui, |left, right| {
            transcript(left, r, cmds);
            if r.revealed() && r.report.is_some() {
                corrections(left, app, r, cmds);
            }
            if r.revealed() {
                coverage(right, app, r, cmds);
            } else {
                self_score(right, r, cmds);
            }
        });
        if r.revealed() {
            details(ui, r, cmds);
        }
        notes_and_actions(ui, r, st, cmds);
    });
}

fn header(ui: &mut egui::Ui, r: &Review) {
    let prompt = r
        .question
        .as_ref()
        .map_or(r.attempt.question_id.as_str(), |q| q.prompt.as_str());
    ui.label(RichText::new(prompt).size(20.0).strong());
    let when = r
        .attempt
        .started_at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default();
    ui.weak(format!(
        "{when} · {} long{}",
        mmss(r.attempt.duration_s),
        r.attempt
            .model
            .as_ref()
            .map_or(String::new(), |m| format!(" · transcribed by {m}"))
    ));
    if let Some(p) = &r.problem {
        ui.colored_label(Theme::of(ui).amber, p);
    }
}

fn transport(ui: &mut egui::Ui, app: &App, r: &Review, cmds: &mut Vec<Command>) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let label = if r.playing() { "Pause" } else { "Play" };
        if ui
            .add(egui::Button::new(RichText::new(label).size(16.0)).min_size(egui::vec2(72.0, 28.0)))
            .on_hover_text("Space")
            .clicked()
        {
            cmds.push(Command::TogglePlay);
        }
        ui.monospace(format!("{} / {}", mmss(r.playhead_s), mmss(r.attempt.duration_s)));
        ui.separator();
        ui.label("Speed");
        for s in SPEEDS {
            if ui
                .add(egui::Button::selectable(
                    (app.state.prefs.speed - s).abs() < 0.01,
                    format!("{s}×"),
                ))
                .clicked()
            {
                cmds.push(Command::SetSpeed(s));
            }
        }
    });
    match &r.wave {
        Some(w) => {
            // Evidence would give the coverage away before the self-score: it appears with the rubric.
            let markers: Vec<_> = r
                .markers
                .iter()
                .filter(|m| r.revealed() || m.kind != MarkerKind::Evidence)
                .cloned()
                .collect();
            let resp = waveform_ui(ui, w, r.playhead_s, &markers);
            if let Some(t) = resp.seek_to {
                cmds.push(Command::Seek(t));
            }
        }
        None => {
            // Same size as the waveform, so nothing below jumps when it arrives.
            let size = egui::vec2(
                ui.available_width().max(100.0),
                theme::WAVEFORM_HEIGHT + theme::MARKER_STRIP_HEIGHT,
            );
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Loading the waveform…",
                egui::TextStyle::Body.resolve(ui.style()),
                ui.visuals().weak_text_color(),
            );
        }
    }
    let theme = Theme::of(ui);
    ui.horizontal(|ui| {
        for (kind, name) in [
            (MarkerKind::Evidence, "rubric evidence"),
            (MarkerKind::Filler, "filler"),
            (MarkerKind::Pause, "long pause"),
        ] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, kind.color(&theme));
            ui.weak(name);
        }
    });
}

fn transcript(ui: &mut egui::Ui, r: &Review, cmds: &mut Vec<Command>) {
    section(ui, "Transcript");
    let words = r
        .report
        .as_ref()
        .map(|rep| &rep.transcript.words)
        .or(r.attempt.transcript.as_ref().map(|t| &t.words));
    match words {
        Some(w) if !w.is_empty() => {
            ScrollArea::vertical()
                .id_salt("transcript")
                .max_height(320.0)
                .show(ui, |ui| {
                    let current = (r.playing() || r.playhead_s > 0.0).then_some(r.playhead_s);
                    let shade: Vec<_> = r
                        .highlights
                        .iter()
                        .filter(|h| r.revealed() || h.2 != MarkerKind::Evidence)
                        .copied()
                        .collect();
                    if let Some(t) = transcript_ui(ui, w, current, &shade) {
                        cmds.push(Command::Seek(t));
                    }
                });
        }
        Some(_) => {
            ui.weak("Whisper heard no words. Check the microphone level next time.");
        }
        None => {
            ui.weak("No transcript yet.");
        }
    }
}

/// Every sentence with a "Counts as…" menu of the rubric's cells: the person says the rubric missed it.
fn corrections(ui: &mut egui::Ui, app: &App, r: &Review, cmds: &mut Vec<Command>) {
    let Some(rep) = &r.report else { return };
    let cells: Vec<(String, String)> = rep
        .rubric
        .iter()
        .map(|c| {
            let label = app.state.cell_label(&c.cell);
            (c.cell.clone(), label)
        })
        .collect();
    ui.add_space(6.0);
    egui::CollapsingHeader::new("Mark a sentence the rubric missed")
        .id_salt("corrections")
        .show(ui, |ui| {
            ui.weak(
                "Said it in your own words and the rubric missed it? Mark the sentence. Your corrections are \
                 kept with this attempt and used for your future answers (`rehearse rubric corrections list`).",
            );
            ScrollArea::vertical()
                .id_salt("sentences")
                .max_height(280.0)
                .show(ui, |ui| {
                    for (i, s) in r.sentences.iter().enumerate() {
                        ui.horizontal_wrapped(|ui| {
                            ui.menu_button("Counts as\u{2026}", |ui| {
                                for (id, label) in &cells {
                                    if ui.button(label).clicked() {
                                        cmds.push(Command::MarkCounts {
                                            sentence: i,
                                            cell: id.clone(),
                                        });
                                        ui.close();
                                    }
                                }
                            });
                            ui.label(format!("{} {}", mmss(s.start_s), s.text));
                        });
                    }
                });
        });
}

fn self_score(ui: &mut egui::Ui, r: &Review, cmds: &mut Vec<Command>) {
    section(ui, "Rate yourself first");
    ui.label("Before you see the automatic coverage, score this answer 1–5 on each part of the rubric.");
    ui.add_space(6.0);
    for (index, (label, _)) in SELF_SCORE_CELLS.iter().enumerate() {
        let mut v = r.scores[index];
        if self_score_ui(ui, label, &mut v).changed() {
            cmds.push(Command::SetSelfScore { index, value: v });
        }
    }
    ui.add_space(8.0);
    let all = r.scores.iter().all(Option::is_some);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(all, egui::Button::new("Save and show coverage"))
            .clicked()
        {
            cmds.push(Command::RevealCoverage);
        }
        if ui.small_button("Skip rating").clicked() {
            cmds.push(Command::RevealCoverage);
        }
    });
}

fn coverage(ui: &mut egui::Ui, app: &App, r: &Review, cmds: &mut Vec<Command>) {
    section(ui, "Rubric coverage");
    let Some(rep) = &r.report else {
        ui.weak("No report: the answer has not been transcribed.");
        return;
    };
    let theme = Theme::of(ui);
    for cell in &rep.rubric {
        let label = app.state.cell_label(&cell.cell);
        ui.horizontal(|ui| {
            let (mark, color) = if cell.covered {
                ("covered", theme.green)
            } else {
                ("missing", theme.red)
            };
            ui.label(RichText::new(&label).strong());
            ui.colored_label(color, mark);
            ui.weak(format!("{:.0}%", cell.score * 100.0));
            if let Some(s) = self_score_for(&r.attempt.self_scores, &cell.cell) {
                ui.weak(format!("· you: {s}/5"));
            }
        });
        if cell.evidence.is_empty() {
            continue;
        }
        ui.horizontal_wrapped(|ui| {
            for e in cell.evidence.iter().take(4) {
                let mut chip = evidence_chip_ui(ui, &e.text, e.start_s);
                if let Some(why) = &e.why {
                    chip = chip.on_hover_text(why);
                }
                if chip.clicked() {
                    cmds.push(Command::Seek(e.start_s));
                }
                // Only quotes of something said can be rejected (not "finished at 2:41 of 3:00").
                if e.sentence.is_some()
                    && ui
                        .small_button("Doesn't count")
                        .on_hover_text(format!(
                            "This sentence does not cover {label}: score again without it, and decide the same \
                             sentence that way in future answers"
                        ))
                        .clicked()
                {
                    cmds.push(Command::RejectEvidence {
                        cell: cell.cell.clone(),
                        start_s: e.start_s,
                    });
                }
            }
        });
        ui.add_space(4.0);
    }
    if r.rescoring {
        ui.weak("Scoring again with your correction\u{2026}");
    }
    match rep.restatement_at_s {
        Some(t) if rep.restatement_late => {
            ui.colored_label(
                theme.amber,
                format!("Restated the problem late, at {} (aim for the first 30 s)", mmss(t)),
            );
        }
        Some(t) => {
            ui.weak(format!("Restated the problem at {}", mmss(t)));
        }
        None => {
            ui.colored_label(theme.amber, "Never restated the problem");
        }
    }
    let dims = if rep.dimensions.is_empty() {
        "none".to_owned()
    } else {
        rep.dimensions.join(", ")
    };
    ui.weak(format!("Dimensions named: {dims} (aim for 2–3)"));
}

fn details(ui: &mut egui::Ui, r: &Review, cmds: &mut Vec<Command>) {
    let Some(rep) = &r.report else { return };
    let theme = Theme::of(ui);
    super::two_columns(ui, |ui, right| {
        section(ui, "Content points");
        for p in &rep.content_points {
            ui.horizontal_wrapped(|ui| {
                if p.covered {
                    ui.colored_label(theme.green, "covered");
                } else {
                    ui.colored_label(theme.red, "missing");
                }
                ui.label(&p.point);
                if let Some(e) = p.evidence.first()
                    && evidence_chip_ui(ui, &e.text, e.start_s).clicked()
                {
                    cmds.push(Command::Seek(e.start_s));
                }
            });
        }
        let missed: Vec<_> = rep.mistakes.iter().filter(|m| !m.mentioned).collect();
        section(ui, "Common mistakes not mentioned");
        if missed.is_empty() {
            ui.label("You addressed every common mistake.");
        }
        for m in missed {
            ui.label(format!("• {}", m.mistake));
        }
        let ui = right;
        section(ui, "Delivery");
        let d = &rep.delivery;
        let pace = match d.wpm_flag {
            WpmFlag::Slow => " — slow, aim for 110–170",
            WpmFlag::Fast => " — fast, aim for 110–170",
            WpmFlag::Ok => "",
        };
        egui::Grid::new("delivery")
            .num_columns(2)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                ui.label("Pace");
                ui.label(format!("{:.0} words/min{pace}", d.wpm));
                ui.end_row();
                ui.label("Fillers");
                let top: Vec<String> = d.fillers.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
                ui.label(format!("{:.1}/min {}", d.fillers_per_min, top.join(", ")));
                ui.end_row();
                ui.label("Hedges");
                ui.label(format!("{:.1}/min", d.hedges_per_min));
                ui.end_row();
                ui.label("Long pauses");
                ui.label(d.long_pauses.len().to_string());
                ui.end_row();
                ui.label("Time");
                let over = d.over_time_s();
                let over = if over > 0.0 {
                    format!(" — {over:.0} s over")
                } else {
                    String::new()
                };
                ui.label(format!("{} of {}{over}", mmss(d.time_used_s), mmss(d.time_box_s)));
                ui.end_row();
            });
    });
    if let Some(q) = &r.question {
        question_details(ui, q);
        section(ui, "Follow-up to practise next");
        ui.label(&q.follow_up);
    }
}

fn notes_and_actions(ui: &mut egui::Ui, r: &Review, st: &mut St, cmds: &mut Vec<Command>) {
    section(ui, "Notes");
    let label = ui.weak("What to do differently next time");
    let resp = ui
        .add(
            egui::TextEdit::multiline(&mut st.notes)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if resp.lost_focus() {
        cmds.push(Command::SaveNotes(st.notes.clone()));
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Save notes").clicked() {
            cmds.push(Command::SaveNotes(st.notes.clone()));
        }
        if ui.button("Re-transcribe").clicked() {
            cmds.push(Command::Retranscribe);
        }
        if ui
            .button("Export…")
            .on_hover_text("Save as a web page or Markdown")
            .clicked()
        {
            cmds.push(Command::ExportAttempt);
        }
        if r.confirm_delete() {
            ui.label("Delete this attempt and its recording?");
            if ui.button("Delete").clicked() {
                cmds.push(Command::ConfirmDelete);
            }
            if ui.button("Keep").clicked() {
                cmds.push(Command::AskDelete(false));
            }
        } else if ui.button("Delete attempt…").clicked() {
            cmds.push(Command::AskDelete(true));
        }
    });
}
