//! Every character the window shows from the built-in deck and the rubric has a glyph. egui's own fonts
//! lack some ("→" in the deck's examples, "−", "✓"), which then draw as boxes; eframe's system font
//! fallback (its `system_fonts` feature, on in `Cargo.toml`) finds them in the system's fonts
//! (`fonts-dejavu-core`, installed by `make setup`). This runs that same provider over the same text.

use std::sync::Arc;

use egui::{FontFamily, FontId, RawInput};

fn text_shown() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    for f in ["assets/decks/product-metrics.toml", "assets/rubric.toml"] {
        text.push_str(&std::fs::read_to_string(root.join(f)).expect("asset"));
    }
    text
}

fn missing(ctx: &egui::Context, text: &str) -> Vec<char> {
    let font = FontId::new(14.0, FontFamily::Proportional);
    let mut chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
    chars.sort_unstable();
    chars.dedup();
    ctx.fonts_mut(|f| chars.into_iter().filter(|c| !f.has_glyph(&font, *c)).collect())
}

#[test]
fn the_decks_symbols_have_glyphs_with_the_system_font_fallback() {
    let text = text_shown();
    // Without the fallback, egui's own fonts miss some of them: the test can tell the difference.
    let plain = egui::Context::default();
    let _ = plain.run_ui(RawInput::default(), |ui| {
        ui.label(&text);
    });
    let without = missing(&plain, &text);
    assert!(
        without.contains(&'→'),
        "egui's default fonts now have → ({without:?}): drop the fallback?"
    );

    let ctx = egui::Context::default();
    ctx.add_font_provider(Arc::new(egui_system_font_provider::SystemFontProvider::new()));
    // The provider is asked while text is laid out; a second pass draws with what it found.
    for _ in 0..2 {
        let _ = ctx.run_ui(RawInput::default(), |ui| {
            ui.label(&text);
        });
    }
    let with = missing(&ctx, &text);
    assert!(
        with.is_empty(),
        "no glyph for {with:?} even with the system fonts; install fonts-dejavu-core (make setup)"
    );
}
