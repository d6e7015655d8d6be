//! The command line: `serve`, `superuser …`, `migrate …` and the global flags, mirroring PocketBase's CLI.

use crate::app::{App, AppConfig};
use crate::services::migrations::{self, names, MigrationScripts, RunnerError};
use crate::services::{js_types, superusers};
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "ferrobase",
    version,
    about = "A PocketBase-compatible backend in one binary"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalFlags,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalFlags {
    /// the PocketBase data directory
    #[arg(long, global = true, default_value = "pb_data")]
    pub dir: PathBuf,
    /// enable dev mode (prints logs and SQL statements to the console)
    #[arg(long, global = true)]
    pub dev: bool,
    /// the directory with the JS app hooks (default "<dir>/../pb_hooks")
    #[arg(long = "hooksDir", global = true)]
    pub hooks_dir: Option<PathBuf>,
    /// auto restart the app on pb_hooks file change
    #[arg(long = "hooksWatch", global = true, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub hooks_watch: bool,
    /// the total prewarm goja.Runtime instances for the JS app hooks execution
    #[arg(long = "hooksPool", global = true, default_value_t = 15)]
    pub hooks_pool: usize,
    /// seconds a JS handler may run before it is interrupted (Ferrobase)
    #[arg(long = "hooksTimeout", global = true, default_value_t = 30)]
    pub hooks_timeout: u64,
    /// the directory with the user defined migrations (default "<dir>/../pb_migrations")
    #[arg(long = "migrationsDir", global = true)]
    pub migrations_dir: Option<PathBuf>,
    /// enable/disable auto migrations
    #[arg(long, global = true, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub automigrate: bool,
    /// the directory to serve static files
    #[arg(long = "publicDir", global = true)]
    pub public_dir: Option<PathBuf>,
    /// fallback the request to index.html on missing static path
    #[arg(long = "indexFallback", global = true, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub index_fallback: bool,
    /// the default SELECT queries timeout in seconds
    #[arg(long = "queryTimeout", global = true, default_value_t = 30)]
    pub query_timeout: u64,
    /// the env variable whose value of 32 characters will be used as encryption key for the app settings
    #[arg(long = "encryptionEnv", global = true)]
    pub encryption_env: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Starts the web server (default to 127.0.0.1:8090 if no domain is specified)
    Serve {
        /// domain names (automatic TLS is not supported; use a reverse proxy)
        domains: Vec<String>,
        /// TCP address to listen for the HTTP server
        #[arg(long)]
        http: Option<String>,
        /// CORS allowed domain origins list
        #[arg(long, value_delimiter = ',')]
        origins: Vec<String>,
    },
    /// Manage superusers
    Superuser {
        #[command(subcommand)]
        command: SuperuserCommand,
    },
    /// Executes app DB migration scripts
    #[command(long_about = MIGRATE_HELP)]
    Migrate {
        /// up | down [number] | create name | collections | history-sync
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
    },
}

const MIGRATE_HELP: &str = "Runs and manages the JS migrations of --migrationsDir:
- up            - applies every migration not applied yet (the default)
- down [number] - reverts the last [number] (default 1) applied migrations
- create name   - writes a new blank migration file
- collections   - writes a migration file with a snapshot of all collections
- history-sync  - removes the _migrations rows of migration files that no longer exist";

/// A failed command: its message and the process exit code (2 for PocketBase's panics, else 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub message: String,
    pub code: i32,
}

impl CliError {
    /// The stderr text: `panic: …` for exit code 2, `Error: …` otherwise.
    pub fn report(&self) -> String {
        if self.code == 2 {
            format!("panic: {}", self.message)
        } else {
            format!("Error: {}", self.message)
        }
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError { message, code: 1 }
    }
}

impl From<RunnerError> for CliError {
    fn from(e: RunnerError) -> Self {
        CliError {
            message: e.to_string(),
            code: e.exit_code(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum SuperuserCommand {
    /// Creates, or updates if email exists, a single superuser
    Upsert {
        email: Option<String>,
        password: Option<String>,
    },
    /// Creates a new superuser
    Create {
        email: Option<String>,
        password: Option<String>,
    },
    /// Changes the password of a single superuser
    Update {
        email: Option<String>,
        password: Option<String>,
    },
    /// Deletes an existing superuser
    Delete { email: Option<String> },
    /// Creates a new OTP for the specified superuser
    Otp { email: Option<String> },
}

/// `--migrationsDir`, or `<dir>/../pb_migrations` cleaned like Go's `filepath.Join`.
pub fn migrations_dir(g: &GlobalFlags) -> PathBuf {
    g.migrations_dir.clone().unwrap_or_else(|| {
        PathBuf::from(names::join_path(&[
            &g.dir.to_string_lossy(),
            "../pb_migrations",
        ]))
    })
}

fn open_app(g: &GlobalFlags) -> Result<App, String> {
    open_app_with(app_config(g)?)
}

/// Opens the app with `config` and refreshes the types file.
fn open_app_with(config: AppConfig) -> Result<App, String> {
    let app = App::open(config).map_err(|e| e.to_string())?;
    refresh_types_file(&app);
    Ok(app)
}

/// The app configuration the global flags give.
fn app_config(g: &GlobalFlags) -> Result<AppConfig, String> {
    let mut config = AppConfig::new(&g.dir);
    config.dev = g.dev;
    config.migrations_dir = migrations_dir(g);
    config.automigrate = g.automigrate;
    if let Some(var) = g.encryption_env.as_deref().filter(|v| !v.is_empty()) {
        let key = std::env::var(var).unwrap_or_default();
        if key.len() != 32 {
            return Err(format!(
                "the --encryptionEnv variable {var} must hold a 32 characters key"
            ));
        }
        config.encryption_key = Some(key);
    }
    Ok(config)
}

/// Writes `<dataDir>/types.d.ts` for editors, as every PocketBase command does after bootstrap; a failure
/// only warns.
fn refresh_types_file(app: &App) {
    use std::io::IsTerminal;
    if let Err(e) = js_types::refresh(app.data_dir()) {
        let msg = format!("Unable to refresh app types file: {e}");
        if std::io::stderr().is_terminal() {
            eprintln!("\x1b[33m{msg}\x1b[0m");
        } else {
            eprintln!("{msg}");
        }
    }
}

/// Runs a `superuser` subcommand; `Ok(message)` is printed, `Err` goes to stderr with exit code 1.
pub fn run_superuser(g: &GlobalFlags, cmd: SuperuserCommand) -> Result<String, String> {
    let need_both = |e: &Option<String>, p: &Option<String>| -> Result<(String, String), String> {
        match (e, p) {
            (Some(e), Some(p)) if !e.is_empty() && !p.is_empty() => Ok((e.clone(), p.clone())),
            _ => Err("missing email and password arguments".into()),
        }
    };
    match cmd {
        SuperuserCommand::Upsert { email, password } => {
            let (e, p) = need_both(&email, &password)?;
            let app = open_app(g)?;
            superusers::upsert(&app, &e, &p).map_err(|err| superusers::cli_message(&err))?;
            Ok(format!("Successfully saved superuser \"{e}\"!"))
        }
        SuperuserCommand::Create { email, password } => {
            let (e, p) = need_both(&email, &password)?;
            let app = open_app(g)?;
            superusers::create(&app, &e, &p).map_err(|err| {
                format!(
                    "failed to create new superuser account: {}",
                    superusers::cli_message(&err)
                )
            })?;
            Ok(format!("Successfully created new superuser \"{e}\"!"))
        }
        SuperuserCommand::Update { email, password } => {
            let (e, p) = need_both(&email, &password)?;
            let app = open_app(g)?;
            superusers::update(&app, &e, &p).map_err(|err| superusers::cli_message(&err))?;
            Ok(format!("Successfully changed superuser \"{e}\" password!"))
        }
        SuperuserCommand::Delete { email } => {
            let e = email
                .filter(|e| !e.is_empty())
                .ok_or("invalid or missing email address")?;
            let app = open_app(g)?;
            match superusers::delete(&app, &e) {
                Ok(true) => Ok(format!("Successfully deleted superuser \"{e}\"!")),
                Ok(false) => Ok(format!("Superuser \"{e}\" is missing or already deleted.")),
                Err(err) => Err(format!(
                    "failed to delete superuser \"{e}\": {}",
                    superusers::cli_message(&err)
                )),
            }
        }
        SuperuserCommand::Otp { email } => {
            let e = email
                .filter(|e| !e.is_empty())
                .ok_or("invalid or missing email address")?;
            let app = open_app(g)?;
            let otp = crate::services::auth_otp::create_for_superuser(&app, &e)
                .map_err(|err| superusers::cli_message(&err))?;
            Ok(format!(
                "Successfully created OTP for superuser \"{e}\":\n├─ Id:    {}\n├─ Pass:  {}\n└─ Valid: {}s\n",
                otp.id, otp.code, otp.duration
            ))
        }
    }
}

/// The absolute hooks dir (`--hooksDir`, default `<dir>/../pb_hooks`).
pub fn hooks_dir(g: &GlobalFlags) -> PathBuf {
    let dir = g
        .hooks_dir
        .clone()
        .unwrap_or_else(|| g.dir.join("..").join("pb_hooks"));
    std::path::absolute(&dir).unwrap_or(dir)
}

/// Runs `serve` until Ctrl-C or SIGTERM. Pending JS migrations are applied first (with `scripts`, the
/// JS runtime); when that fails the server never starts.
pub async fn run_serve(
    g: &GlobalFlags,
    http: Option<String>,
    origins: Vec<String>,
    scripts: Option<Arc<dyn MigrationScripts>>,
) -> Result<(), CliError> {
    let mut config = app_config(g)?;
    config.cors_origins = origins;
    let app = open_app_with(config)?;
    let config = crate::jsvm::JsConfig {
        hooks_dir: hooks_dir(g),
        watch: g.hooks_watch,
        pool_size: g.hooks_pool,
        timeout: std::time::Duration::from_secs(g.hooks_timeout.max(1)),
    };
    let app2 = app.clone();
    let jsvm = tokio::task::spawn_blocking(move || crate::jsvm::Jsvm::start(&app2, config))
        .await
        .map_err(|e| e.to_string())?
        .inspect_err(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        })?;
    let a = app.clone();
    tokio::task::spawn_blocking(move || migrations::up(&a, scripts.as_ref()))
        .await
        .map_err(|e| e.to_string())??;
    let addr = http.unwrap_or_else(|| "127.0.0.1:8090".to_string());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("failed to listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "{} Server started at http://{local}\n├─ REST API:  http://{local}/api/\n└─ Dashboard: http://{local}/_/",
        chrono::Local::now().format("%Y/%m/%d %H:%M:%S")
    );
    if superusers::count_real(&app).unwrap_or(0) == 0 {
        println!(
            "\n(!) No superuser yet. Create your first one by running: {} superuser upsert EMAIL PASS",
            std::env::args().next().unwrap_or_else(|| "ferrobase".into())
        );
    }
    let vm2 = jsvm.clone();
    let served = app.clone();
    let out = crate::http::serve_with(
        app,
        listener,
        shutdown_signal(),
        Some(crate::jsvm::routes::wrap(vm2)),
    )
    .await
    .map_err(|e| CliError::from(e.to_string()));
    let _ = tokio::task::spawn_blocking(move || jsvm.terminate(false)).await;
    // the request logs of the last seconds are still queued
    if let Some(logs) = served.log_writer() {
        logs.flush_now().await;
    }
    out
}

/// Runs `migrate [up|down [n]|create name|collections|history-sync]`. Prompts go to stderr, results
/// to stdout, like PocketBase. `scripts` runs the JS files (needed by `up` and `down` only).
pub fn run_migrate(
    g: &GlobalFlags,
    args: &[String],
    scripts: Option<Arc<dyn MigrationScripts>>,
) -> Result<(), CliError> {
    let app = open_app(g)?;
    let dir = app.config().migrations_dir.clone();
    match args.first().map(String::as_str).unwrap_or("up") {
        "create" => {
            let name = args
                .get(1)
                .ok_or("missing migration file name".to_string())?;
            create_file(&dir, name, &migrations::templates::blank())
        }
        "collections" => {
            let template = migrations::snapshot_template(&app)?;
            create_file(&dir, "collections_snapshot", &template)
        }
        "up" => {
            let applied = migrations::up(&app, scripts.as_ref())?;
            if applied.is_empty() {
                print_green("No new migrations to apply.");
            }
            for file in applied {
                print_green(&format!("Applied {file}"));
            }
            Ok(())
        }
        "down" => migrate_down(&app, args.get(1), scripts),
        "history-sync" => {
            migrations::history_sync(&app)?;
            print_green("The _migrations table was synced with the available migrations.");
            Ok(())
        }
        other => Err(format!("unsupported command: {}", names::go_quote(other)).into()),
    }
}

fn migrate_down(
    app: &App,
    count: Option<&String>,
    scripts: Option<Arc<dyn MigrationScripts>>,
) -> Result<(), CliError> {
    let mut n = count.map_or(1, |c| go_int(c));
    if n < 0 {
        n = migrations::known_count(app)? as i64;
    }
    let n = n as usize;
    let names: Vec<String> = migrations::last_applied(app, n)?
        .into_iter()
        .map(|f| f.name)
        .collect();
    let question = format!(
        "\n{}\nDo you really want to revert the last {n} applied migration(s)?",
        names.join("\n")
    );
    if !yes_no(&question) {
        println!("The command has been cancelled");
        return Ok(());
    }
    let reverted = migrations::down(app, scripts.as_ref(), n)?;
    if reverted.is_empty() {
        print_green("No migrations to revert.");
    }
    for file in reverted {
        print_green(&format!("Reverted {file}"));
    }
    Ok(())
}

/// Asks before writing `<dir>/<unix>_<snake(name)>.js`.
fn create_file(dir: &std::path::Path, name: &str, template: &str) -> Result<(), CliError> {
    let path = migrations::new_file_path(dir, chrono::Utc::now().timestamp(), name);
    let question = format!(
        "Do you really want to create migration {}?",
        names::go_quote(&path)
    );
    if !yes_no(&question) {
        println!("The command has been cancelled");
        return Ok(());
    }
    migrations::write_file(dir, &path, template)?;
    println!("Successfully created file {}", names::go_quote(&path));
    Ok(())
}

/// PocketBase's console prompt: `<question> (y/N) ` on stderr; `y`/`yes` confirm, `n`/`no`, an empty
/// line or the end of input decline, anything else asks again.
fn yes_no(question: &str) -> bool {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        eprint!("{question} (y/N) ");
        line.clear();
        let read = stdin.lock().read_line(&mut line).unwrap_or(0);
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" => return true,
            "" | "n" | "no" => return false,
            _ if read == 0 => return false,
            _ => {}
        }
    }
}

/// A result line, green on a terminal (PocketBase prints these in colour).
fn print_green(line: &str) {
    if std::io::stdout().is_terminal() {
        println!("\x1b[32m{line}\x1b[0m");
    } else {
        println!("{line}");
    }
}

/// The lenient integer parse PocketBase uses for `down [n]`: `2.0` is 2, `0x10` is 16, a leading `0`
/// means octal, anything unreadable is 0.
fn go_int(s: &str) -> i64 {
    let trimmed = match s.rsplit_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => s,
    };
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let lower = digits.to_ascii_lowercase();
    let parsed = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16)
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i64::from_str_radix(oct, 8)
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i64::from_str_radix(bin, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8)
    } else {
        lower.parse::<i64>()
    };
    match parsed {
        Ok(v) if !digits.starts_with(['+', '-']) => {
            if negative {
                -v
            } else {
                v
            }
        }
        _ => 0,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
