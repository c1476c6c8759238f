//! The deck: search, filter by difficulty, open another deck, and pick a question to answer. Each row shows
//! the best coverage so far and how many attempts there were.

use egui::{RichText, ScrollArea};

use super::{St, section};
use crate::app::App;
use crate::app::logic::Command;
use crate::app::widgets::coverage_badge_ui;
use crate::bank::Difficulty;

pub(super) fn show(ui: &mut egui::Ui, app: &App, st: &mut St, cmds: &mut Vec<Command>) {
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
    });
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
                .num_columns(3)
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
