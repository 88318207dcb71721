//! `am-planner`: the service and its maintenance commands.
//!
//! Exit status: 0 on success; 1 on a fatal error (anyhow's error returned from `main`, printed
//! as `Error: …`) and on a command-line usage error; 2 when `evaluate` refused at least one
//! situation ([`server::batch::EXIT_REFUSED`]), after writing every result and the summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::Settings;
use tracing_subscriber::EnvFilter;

/// A dashboard allocates thousands of small values (rule traces, GraphQL values); mimalloc
/// serves them from per-thread pages where glibc's malloc spent a fifth of the request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "am-planner", version, about = "Assistant-médical aid planner for MSPs: GraphQL service")]
struct Cli {
    /// Settings file layered over the defaults (also AMP_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL), or write it to a file.
    ExportSchema {
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Evaluate individual situations from a file (or stdin), one result line each; exits
    /// with 2 when any situation was refused.
    Evaluate {
        /// Input file of situations, JSON objects one per line or pretty-printed; stdin when omitted.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output file of results; stdout when omitted.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Runs a batch; `Ok(false)` when some situation was refused.
fn evaluate(
    settings: &Settings,
    input: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
) -> anyhow::Result<bool> {
    use std::io::{BufReader, BufWriter};
    let book = server::load_rules(settings)?;
    let started = std::time::Instant::now();
    let out: Box<dyn std::io::Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let summary = match input {
        Some(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            server::batch::run(&book, BufReader::new(file), out, size)?
        }
        None => server::batch::run(&book, std::io::stdin().lock(), out, None)?,
    };
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("evaluated {} situations, {} lines refused, in {seconds:.2} s", summary.evaluated, summary.errors);
    Ok(summary.errors == 0)
}

fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits usage errors with 2, which `evaluate` reserves for refused situations.
            let code = if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
            e.print()?;
            return Ok(code);
        }
    };
    if let Some(Command::ExportSchema { output }) = &cli.command {
        let sdl = graphql::sdl();
        match output {
            Some(path) => std::fs::write(path, sdl).with_context(|| format!("writing {}", path.display()))?,
            None => print!("{sdl}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings::load(cli.config.as_deref())?;
    init_tracing(&settings.log.filter);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::run(settings).await?,
        Command::Migrate => {
            let store = persistence::Store::connect(&settings.database.url).await?;
            store.migrate().await?;
            tracing::info!(database = store.backend_name(), "migrations applied");
        }
        Command::Evaluate { input, output } => {
            if !evaluate(&settings, input.as_deref(), output.as_deref())? {
                return Ok(ExitCode::from(server::batch::EXIT_REFUSED));
            }
        }
        Command::ExportSchema { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}
