//! `rehearse devices`: the input devices rehearse can record from, default marked with `*`.

use clap::Args;

#[derive(Args)]
pub(super) struct DevicesArgs {
    /// Also list the sound system's plugins that are not microphones (ALSA's null, rate converters, JACK,
    /// OSS, up/down-mix…), with their ids.
    #[arg(long)]
    all: bool,
}

impl DevicesArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let list = if self.all {
            crate::audio::capture::list_all_input_devices()?
        } else {
            crate::audio::capture::list_input_devices()?
        };
        if list.is_empty() {
            println!("no input devices found; connect a microphone (or check that PulseAudio/PipeWire is running)");
        }
        for d in list {
            let config = d
                .default_config
                .map(|c| format!("{} Hz, {} ch, {}", c.sample_rate, c.channels, c.sample_format))
                .unwrap_or_else(|| "no default config".into());
            let mark = if d.is_default { "*" } else { " " };
            if self.all {
                println!("{mark} {:<40} {:<24} {config}", d.name, d.id);
            } else {
                println!("{mark} {:<40} {config}", d.name);
            }
        }
        Ok(())
    }
}
