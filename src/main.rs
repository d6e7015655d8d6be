//! The `ferrobase` binary: parses the CLI and wires everything together.

use clap::Parser;

/// mimalloc: far fewer cycles per small allocation than glibc's malloc on the request path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ferrobase::cli::{hooks_dir, run_migrate, run_serve, run_superuser, Cli, CliError, Command};
use ferrobase::jsvm::migrations::JsMigrations;
use ferrobase::services::migrations::MigrationScripts;
use std::sync::Arc;

fn main() {
    let cli = Cli::parse();
    let filter = if cli.global.dev {
        "ferrobase=debug,info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let scripts: Option<Arc<dyn MigrationScripts>> =
        Some(Arc::new(JsMigrations::new(hooks_dir(&cli.global))));
    let result: Result<(), CliError> = match cli.command {
        Command::Serve { http, origins, .. } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_park(ferrobase::store::park_readers)
            .build()
            .map_err(|e| CliError::from(e.to_string()))
            .and_then(|rt| rt.block_on(run_serve(&cli.global, http, origins, scripts))),
        Command::Superuser { command } => run_superuser(&cli.global, command)
            .map(|msg| println!("{msg}"))
            .map_err(CliError::from),
        Command::Migrate { args } => run_migrate(&cli.global, &args, scripts),
    };
    if let Err(e) = result {
        eprintln!("{}", e.report());
        std::process::exit(e.code);
    }
}
