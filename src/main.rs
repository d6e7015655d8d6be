//! The `ferrobase` binary: parses the CLI and wires everything together.

use clap::Parser;

/// mimalloc: far fewer cycles per small allocation than glibc's malloc on the request path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ferrobase::cli::{run_serve, run_superuser, Cli, Command};

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
    let result = match cli.command {
        Command::Serve { http, .. } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| rt.block_on(run_serve(&cli.global, http))),
        Command::Superuser { command } => {
            run_superuser(&cli.global, command).map(|msg| println!("{msg}"))
        }
    };
    if let Err(e) = result {
        eprintln!("Error: {e}");
        std::process::exit(1);
    }
}
