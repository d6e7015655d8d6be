//! The command line: `serve`, `superuser …` and the global flags, mirroring PocketBase's CLI.

use crate::app::{App, AppConfig};
use crate::services::{js_types, superusers};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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

fn open_app(g: &GlobalFlags) -> Result<App, String> {
    let mut config = AppConfig::new(&g.dir);
    config.dev = g.dev;
    if let Some(var) = g.encryption_env.as_deref().filter(|v| !v.is_empty()) {
        let key = std::env::var(var).unwrap_or_default();
        if key.len() != 32 {
            return Err(format!(
                "the --encryptionEnv variable {var} must hold a 32 characters key"
            ));
        }
        config.encryption_key = Some(key);
    }
    let app = App::open(config).map_err(|e| e.to_string())?;
    refresh_types_file(&app);
    Ok(app)
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

/// Runs `serve` until Ctrl-C or SIGTERM.
pub async fn run_serve(g: &GlobalFlags, http: Option<String>) -> Result<(), String> {
    let app = open_app(g)?;
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
    let hooks_dir = g
        .hooks_dir
        .clone()
        .unwrap_or_else(|| g.dir.join("..").join("pb_hooks"));
    let config = crate::jsvm::JsConfig {
        hooks_dir: std::path::absolute(&hooks_dir).unwrap_or(hooks_dir),
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
    let vm2 = jsvm.clone();
    let out = crate::http::serve_with(
        app,
        listener,
        shutdown_signal(),
        crate::jsvm::routes::wrap(vm2),
    )
    .await
    .map_err(|e| e.to_string());
    let _ = tokio::task::spawn_blocking(move || jsvm.terminate(false)).await;
    out
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
