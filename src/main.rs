//! The `maillage` command line.

use clap::{Parser, Subcommand};
use maillage::{actions, config::Config, db::Db, startup};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "maillage",
    version,
    about = "A federated resource centre (ActivityPub)"
)]
struct Cli {
    /// TOML configuration file; MAILLAGE_… environment variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the instance (HTTP server and delivery worker).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Check the configuration and the database connection.
    Check,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, as the last line.
    Create {
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and dates, never the tokens).
    List,
    /// Revoke every active token with this name.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    maillage::telemetry::init();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    match command {
        Command::Serve => startup::serve(config).await,
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Check => {
            let db = open(&config).await?;
            db.ping().await?;
            println!(
                "configuration ok: @{}@{} on {} (dev mode: {})",
                config.centre.username,
                config.domain,
                maillage::db::redact(&config.database_url),
                config.dev
            );
            Ok(())
        }
        Command::Token { command } => {
            let db = open(&config).await?;
            match command {
                TokenCommand::Create { name } => {
                    let token = actions::tokens::create(&db, &name, now).await?;
                    println!("Token {name:?} created. It is shown only once:");
                    println!("{token}");
                }
                TokenCommand::List => {
                    for t in maillage::db::tokens::list(db.read()).await? {
                        let state = if t.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        };
                        println!("{}\t{}\t{}", t.id, t.name, state);
                    }
                }
                TokenCommand::Revoke { name } => {
                    let n = actions::tokens::revoke(&db, &name, now).await?;
                    if n == 0 {
                        anyhow::bail!("no active token named {name:?}");
                    }
                    println!("revoked {n} token(s) named {name:?}");
                }
            }
            Ok(())
        }
    }
}
