//! The desktop window.

pub mod theme;
pub mod widgets;

/// Opens the main window and blocks until it is closed.
pub fn run() -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("rehearse")
            .with_inner_size([1100.0, 760.0]),
        ..Default::default()
    };
    eframe::run_native("rehearse", options, Box::new(|_cc| Ok(Box::new(Shell))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

struct Shell;

impl eframe::App for Shell {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("rehearse");
        });
    }
}
