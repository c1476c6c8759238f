//! Progress bars for long work (transcribing, converting, downloading, recording): an `indicatif` bar on stderr
//! when stderr is a terminal, and nothing at all otherwise, so logs and pipes get no `\r` noise. Colours
//! follow `NO_COLOR` (indicatif draws through `console`, which honours it).

use std::borrow::Cow;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar from 0 to 100 %.
pub(super) fn percent(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    new(
        Some(100),
        "{msg} [{bar:30.cyan/blue}] {pos:>3}% ({elapsed}, about {eta} left)",
        message,
    )
}

/// A bar over `total` bytes, or a byte counter when the total is not known.
pub(super) fn bytes(total: Option<u64>, message: impl Into<Cow<'static, str>>) -> ProgressBar {
    let template = if total.is_some() {
        "{msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} ({bytes_per_sec}, about {eta} left)"
    } else {
        "{msg} {spinner} {bytes} ({bytes_per_sec})"
    };
    new(total, template, message)
}

/// A bar over `total_s` seconds of recording; set its position in tenths of a second.
pub(super) fn tenths_of_seconds(total_s: f64, message: impl Into<Cow<'static, str>>) -> ProgressBar {
    new(
        Some((total_s * 10.0).round() as u64),
        "[{bar:30.red/blue}] {msg}",
        message,
    )
}

/// A spinner with a message, for steps whose length is not known (a pip download).
pub(super) fn spinner(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    let bar = new(None, "{spinner} {msg} ({elapsed})", message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn new(len: Option<u64>, template: &str, message: impl Into<Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(message);
    bar
}
