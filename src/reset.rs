//! `harvest reset`: start a crawl over. Shows what goes (the state and the
//! output files it wrote), asks on a terminal unless `--yes`, and refuses
//! without `--yes` when stdin is not a terminal (a script must say so).

use crate::cli::ResetArgs;
use crate::exit::{Failure, Outcome};
use std::io::{BufRead, IsTerminal, Write};

pub fn reset(args: ResetArgs) -> Result<Outcome, Failure> {
    // Nothing is fetched: the secrets the config names need not be set.
    let config =
        harvest_config::load_without_secrets(&args.config.config).map_err(Failure::Config)?;
    let plan = harvest_engine::reset::plan(&config).map_err(Failure::Engine)?;
    println!("state: {}", plan.state_dir.display());
    for path in &plan.outputs {
        println!("output: {}", path.display());
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Usage(anyhow::anyhow!(
                "reset removes the state and outputs listed above: pass --yes to confirm"
            )));
        }
        print!("Remove them? [y/N] ");
        std::io::stdout().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).ok();
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("nothing removed");
            return Ok(Outcome::Done);
        }
    }
    let dir_gone = harvest_engine::reset::apply(&plan).map_err(Failure::Engine)?;
    println!(
        "removed the state and {} output file(s){}",
        plan.outputs.len(),
        if dir_gone {
            ""
        } else {
            " (the state directory holds other files: it stays)"
        }
    );
    Ok(Outcome::Done)
}
