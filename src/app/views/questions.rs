//! The deck: search, filter by difficulty, open another deck, and pick a question to answer. Each row shows
//! the best coverage so far and how many attempts there were. Importing a guide (file or pasted text) shows what
//! was found before the deck is saved.

use egui::{RichText, ScrollArea};

use super::{St, section};
use crate::app::App;
use crate::app::logic::Command;
use crate::app::widgets::coverage_badge_ui;
use crate::bank::Difficulty;

pub(super) fn show(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    toolbar(ui, st, cmds);
    panel_bar(ui, app, st, cmds);
    let query = st.search.trim().to_owned();
    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for deck in &app.state.decks {
            let list = deck.filter(st.difficulty, (!query.is_empty()).then_some(query.as_str()));
            section(ui, &deck.title);
            if list.is_empty() {
                ui.weak("No question matches.");
                continue;
            }
            egui::Grid::new(("questions", &deck.id))
                .num_columns(4)
                .spacing([16.0, 8.0])
                .striped(true)
                .show(ui, |ui| {
                    for q in list {
                        let tried: Vec<_> = app
                            .state
                            .entries
                            .iter()
                            .filter(|e| e.attempt.question_id == q.id)
                            .collect();
                        let best = tried.iter().filter_map(|e| e.coverage()).reduce(f64::max);
                        let mut ticked = st.panel_pick.contains(&q.id);
                        let tick = ui.checkbox(&mut ticked, "").on_hover_text("In the next mock panel");
                        tick.widget_info(|| {
                            egui::WidgetInfo::selected(
                                egui::Role::CheckBox,
                                true,
                                ticked,
                                format!("In the panel: {}", q.prompt),
                            )
                        });
                        if tick.changed() {
                            if ticked {
                                st.panel_pick.push(q.id.clone());
                            } else {
                                st.panel_pick.retain(|id| id != &q.id);
                            }
                        }
                        let selected = app.state.selected.as_deref() == Some(q.id.as_str());
                        let r = ui.add(egui::Button::selectable(selected, RichText::new(&q.prompt).size(15.0)));
                        if r.clicked() {
                            cmds.push(Command::SelectQuestion(q.id.clone()));
                        }
                        ui.weak(q.difficulty.as_str());
                        coverage_badge_ui(ui, best, tried.len());
                        ui.end_row();
                    }
                });
        }
    });
}

/// Search, the difficulty filter, and the buttons that add a deck (open, import, paste a guide).
fn toolbar(ui: &mut egui::Ui, st: &mut St, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut st.search)
                .hint_text("words in the question")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        ui.separator();
        ui.label("Difficulty");
        for (d, name) in [
            (None, "All"),
            (Some(Difficulty::Easy), "Easy"),
            (Some(Difficulty::Medium), "Medium"),
            (Some(Difficulty::Hard), "Hard"),
        ] {
            if ui.add(egui::Button::selectable(st.difficulty == d, name)).clicked() {
                st.difficulty = d;
            }
        }
        ui.separator();
        if ui
            .button("Open deck…")
            .on_hover_text("Add a deck of questions from a TOML file")
            .clicked()
        {
            cmds.push(Command::OpenDeckDialog);
        }
        if ui
            .button("Import a guide…")
            .on_hover_text("Make a deck from a prep guide (text, Markdown or saved HTML page)")
            .clicked()
        {
            cmds.push(Command::ImportGuideDialog);
        }
        if ui
            .button("Paste a guide…")
            .on_hover_text("Make a deck from a prep guide's text copied from a page")
            .clicked()
        {
            st.paste_guide.get_or_insert_with(String::new);
        }
    });
}

/// Start a mock panel (with the ticked questions, or a mix), and untick all.
fn panel_bar(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = if st.panel_pick.is_empty() {
            format!(
                "Start a mock panel ({} questions)",
                crate::panel::DEFAULT_QUESTIONS
            )
        } else {
            format!("Start a mock panel with the {} ticked", st.panel_pick.len())
        };
        if ui
            .add_enabled(app.state.panel.is_none(), egui::Button::new(label))
            .on_hover_text(
                "Each question, then its follow-up, asked aloud and answered against the clock; the report comes at                  the end. Tick questions to choose them, or leave all unticked for a mix of difficulties you                  practised least recently.",
            )
            .clicked()
        {
            cmds.push(Command::StartPanel {
                question_ids: st.panel_pick.clone(),
                time_box_s: None,
            });
            st.panel_pick.clear();
        }
        if !st.panel_pick.is_empty() && ui.button("Untick all").clicked() {
            st.panel_pick.clear();
        }
    });
}

/// The guide import dialogs: the box to paste a guide into, and the preview of what was found (questions by
/// difficulty, warnings with their lines) with *Save deck* / *Discard*. Nothing is written before *Save deck*.
pub(super) fn guide_dialogs(ctx: &egui::Context, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
    if let Some(p) = &app.state.guide_preview {
        let mut open = true;
        dialog(&format!("Import \u{201c}{}\u{201d}", p.deck.title), &mut open).show(ctx, |ui| {
            ui.set_max_width(640.0);
            ui.weak(format!("from {}", p.source));
            let count = |d: Difficulty| p.deck.questions.iter().filter(|q| q.difficulty == d).count();
            ui.label(format!(
                "{} questions: {} easy · {} medium · {} hard. Deck id {}.",
                p.deck.questions.len(),
                count(Difficulty::Easy),
                count(Difficulty::Medium),
                count(Difficulty::Hard),
                p.deck.id
            ));
            if let Some(old) = &p.replaces {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Saving replaces the deck \u{201c}{old}\u{201d} (same id); attempts at unchanged questions keep their history."
                    ),
                );
            }
            ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                for (i, q) in p.deck.questions.iter().enumerate() {
                    ui.horizontal_wrapped(|ui| {
                        ui.weak(format!("{}.", i + 1));
                        ui.label(&q.prompt);
                        ui.weak(format!(
                            "{} · {} content point{}{}",
                            q.difficulty.as_str(),
                            q.content_points.len(),
                            if q.content_points.len() == 1 { "" } else { "s" },
                            if q.example.trim().is_empty() { " · no example" } else { "" }
                        ));
                    });
                }
                if !p.warnings.is_empty() {
                    ui.add_space(8.0);
                    ui.label(RichText::new(format!("{} warning(s): left out of the deck", p.warnings.len())).strong());
                    for w in &p.warnings {
                        ui.colored_label(ui.visuals().warn_fg_color, w);
                    }
                }
            });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button(RichText::new("Save deck").strong()).clicked() {
                    cmds.push(Command::SaveGuide);
                }
                if ui.button("Discard").clicked() {
                    cmds.push(Command::DiscardGuide);
                }
            });
        });
        if !open {
            cmds.push(Command::DiscardGuide);
        }
        return;
    }
    let Some(text) = st.paste_guide.as_mut() else { return };
    let mut close = false;
    let mut open = true;
    dialog("Paste a guide", &mut open).show(ctx, |ui| {
        ui.set_max_width(640.0);
        ui.label("Copy the guide's page (Q1., Q2., … with difficulty, hint, example, mistakes, follow-up) and paste it here.");
        ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(14)
                    .desired_width(f32::INFINITY)
                    .hint_text("Q1.What …\nmediumPair a …"),
            );
        });
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Read guide").strong()).clicked() {
                cmds.push(Command::PasteGuide(text.clone()));
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if close || !open {
        st.paste_guide = None;
    }
}

/// A dialog window in the middle of the screen, with a close button.
fn dialog<'a>(title: &str, open: &'a mut bool) -> egui::Window<'a> {
    egui::Window::new(title.to_owned())
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .open(open)
}
