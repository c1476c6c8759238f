//! `rehearse man`: the manual pages, generated from the same clap definition as `--help`, so the page the
//! package installs (`make dist`) cannot drift from the commands. Hidden: a person reads `man rehearse`,
//! the packaging calls this.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};

#[derive(Args)]
pub(super) struct ManArgs {
    /// Write rehearse.1 and one rehearse-COMMAND.1 per subcommand into this directory (created if missing)
    /// instead of printing rehearse.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

impl ManArgs {
    pub(super) fn run(self) -> anyhow::Result<()> {
        let cmd = super::Cli::command();
        match self.dir {
            Some(dir) => {
                std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
                clap_mangen::generate_to(cmd, &dir)
                    .with_context(|| format!("cannot write the man pages into {}", dir.display()))
            }
            None => {
                // Into memory first, so a closed pipe is an error line rather than half a page.
                let mut page = Vec::new();
                clap_mangen::Man::new(cmd)
                    .render(&mut page)
                    .context("cannot render the man page")?;
                std::io::stdout().write_all(&page).context("cannot write the man page")
            }
        }
    }
}
