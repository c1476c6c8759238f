//! `rehearse devices`: the input devices rehearse can record from, default marked with `*`.

use clap::Args;

#[derive(Args)]
pub(super) struct DevicesArgs {}

impl DevicesArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let list = crate::audio::capture::list_input_devices()?;
        if list.is_empty() {
            println!("no input devices found; connect a microphone (or check that PulseAudio/PipeWire is running)");
        }
        for d in list {
            let config = d
                .default_config
                .map(|c| format!("{} Hz, {} ch, {}", c.sample_rate, c.channels, c.sample_format))
                .unwrap_or_else(|| "no default config".into());
            println!("{} {:<40} {config}", if d.is_default { "*" } else { " " }, d.name);
        }
        Ok(())
    }
}
