//! The models on first start, as a block at the top of Today (below the sentence on what the app does, above
//! *Try one question now* and *Make my plan*): what rehearse still needs, how big, from where and checked
//! how, a *Download* button, the progress bar with *Cancel download*, and, when something went wrong, what
//! happened and what to do (without a connection, the files to fetch elsewhere and the `rehearse setup
//! --offline` command, selectable to copy). The rest of the window stays usable while it downloads.

use egui::RichText;

use crate::app::logic::{Command, SetupCommand};
use crate::app::state::first_start::{FirstStart, SetupPhase};
use crate::asr::models::human_size;
use crate::setup;

/// Widest the block runs, so lines stay readable on a large window.
const TEXT_WIDTH: f32 = 620.0;

pub(super) fn show(ui: &mut egui::Ui, first: &FirstStart, cmds: &mut Vec<Command>) {
    egui::Frame::group(ui.style()).inner_margin(12.0).show(ui, |ui| {
        ui.set_max_width(TEXT_WIDTH);
        ui.label(RichText::new("Before your first answer").size(18.0).strong());
        ui.add_space(4.0);
        body(ui, first, cmds);
    });
}

fn body(ui: &mut egui::Ui, first: &FirstStart, cmds: &mut Vec<Command>) {
    ui.label(setup::needs_sentence(&first.missing));
    ui.weak(format!(
        "{} They are downloaded once into {}; after that nothing leaves this computer and no connection is \
         needed.",
        setup::what_they_do(&first.missing),
        first.models_dir.display()
    ));
    ui.add_space(8.0);

    match &first.phase {
        SetupPhase::Offer => {
            ui.horizontal(|ui| {
                let total = human_size(setup::download_size(&first.missing));
                // The first screen's first step: as large as Make my plan below.
                if ui
                    .button(RichText::new(format!("Download ({total})")).size(18.0))
                    .clicked()
                {
                    cmds.push(Command::Setup(SetupCommand::Download));
                }
                not_now(ui, first, cmds);
            });
        }
        SetupPhase::Running(run) => {
            let bar = ui.add(
                egui::ProgressBar::new(run.fraction())
                    .desired_width(TEXT_WIDTH - 24.0)
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
                    .desired_width(TEXT_WIDTH - 24.0)
                    .desired_rows(3),
            );
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui.button("Download").clicked() {
                    cmds.push(Command::Setup(SetupCommand::Download));
                }
                not_now(ui, first, cmds);
            });
        }
    }
}

/// *Not now*: hides the block (without the speech model nothing can be transcribed; Record says so).
fn not_now(ui: &mut egui::Ui, first: &FirstStart, cmds: &mut Vec<Command>) {
    let hint = if first.missing.contains(&setup::Item::Speech) {
        "Look around first; answers cannot be transcribed until the speech model is here"
    } else {
        "Go on without it; answers are scored by their phrases"
    };
    if ui.button("Not now").on_hover_text(hint).clicked() {
        cmds.push(Command::Setup(SetupCommand::NotNow));
    }
}
