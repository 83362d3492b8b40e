//! `harvest completions SHELL`: prints a completion script for the shell
//! (clap_complete), generated from the command line's own definition.

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::{Failure, Outcome};
use clap::CommandFactory;

pub fn print(args: CompletionsArgs) -> Result<Outcome, Failure> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "harvest", &mut std::io::stdout());
    Ok(Outcome::Done)
}
