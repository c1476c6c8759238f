//! `rehearse completions SHELL`: prints a tab-completion script for bash, zsh, fish, elvish or PowerShell.

use std::io::Write;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

impl CompletionsArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let mut cmd = super::Cli::command();
        // Into memory first: clap_complete panics on a failed write, e.g. a closed pipe.
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut cmd, "rehearse", &mut script);
        std::io::stdout()
            .write_all(&script)
            .context("cannot write the completion script")
    }
}
