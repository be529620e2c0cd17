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
    /// Joint statements.
    Statement {
        #[command(subcommand)]
        command: StatementCommand,
    },
    /// Manage staff accounts of the console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The other actors this centre also is (`alsoKnownAs`), before a move to or from them.
    Alias {
        #[command(subcommand)]
        command: AliasCommand,
    },
    /// Move this centre to another instance (which must list it with `alias add` first):
    /// sets `movedTo` and sends `Move` to every follower, whose servers then follow the new
    /// actor.
    Move {
        /// The new actor: a handle (centre@new.example) or its URL.
        #[arg(long)]
        to: String,
    },
    /// Write the whole instance (actor, keys, followers, posts, media, accounts, queue) to
    /// one archive file, from a live instance.
    Export { file: PathBuf },
    /// Restore an archive into an empty database (SQLite or PostgreSQL).
    Import { file: PathBuf },
    /// The centre's own keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum AliasCommand {
    /// List an actor (handle or URL) in this centre's `alsoKnownAs`.
    Add { target: String },
    /// Take an actor out of `alsoKnownAs`.
    Remove { target: String },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Replace the centre's HTTP signature key (or, with --assertion, its Ed25519 key) and send
    /// an Update of the centre to its followers. Explains what peers will see and does
    /// nothing without --force.
    Rotate {
        /// Rotate the Ed25519 key of co-signatures instead.
        #[arg(long)]
        assertion: bool,
        /// Really rotate.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum StatementCommand {
    /// Check a published statement and each co-signature it lists on its signer's own
    /// server; one line per signatory, non-zero exit if any check fails.
    Verify {
        /// The statement's URL (its ActivityPub id).
        url: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Without --password-stdin a password is generated and printed.
    Add {
        /// admin (everything) or editor (writes and publishes).
        #[arg(long, default_value = "editor")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        email: String,
    },
    /// Set a new password (and close the account's sessions).
    Passwd {
        #[arg(long)]
        password_stdin: bool,
        email: String,
    },
}

/// The password from standard input, or a new random one (printed).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_string(), false));
    }
    Ok((actions::accounts::random_token()[..20].to_string(), true))
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
    if let Err(e) = maillage::telemetry::init() {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for warning in maillage::config::unknown_variables(std::env::vars().map(|(k, _)| k)) {
        eprintln!("warning: {warning}");
    }
    match run(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let (db, lock) = Db::connect_for_startup(&config.database_url).await?;
    db.migrate().await?;
    lock.release().await?;
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
        Command::Statement {
            command: StatementCommand::Verify { url },
        } => {
            let url = url::Url::parse(url.trim()).map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
            let instance = startup::Instance::build(config).await?;
            let data = instance.fed.to_request_data();
            let report = actions::statement_verify::verify(&data, &url)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for line in report.lines() {
                println!("{line}");
            }
            instance.ctx.db.close().await;
            if !report.ok() {
                anyhow::bail!("the statement did not verify");
            }
            Ok(())
        }
        Command::Export { file } => {
            let db = open(&config).await?;
            let n = actions::archive::export(&db, &file).await?;
            println!("{n} rows written to {}", file.display());
            db.close().await;
            Ok(())
        }
        Command::Import { file } => {
            let db = open(&config).await?;
            let n = actions::archive::import(&db, &file, &config.domain).await?;
            println!("{n} rows imported from {}", file.display());
            db.close().await;
            Ok(())
        }
        Command::Alias { command } => {
            let instance = startup::Instance::build(config).await?;
            let data = instance.fed.to_request_data();
            match command {
                AliasCommand::Add { target } => {
                    let id = actions::moves::add_alias(&data, &target)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("{id} is now listed in alsoKnownAs; followers are told");
                }
                AliasCommand::Remove { target } => {
                    actions::moves::remove_alias(&data, &target)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("{target} is no longer listed in alsoKnownAs");
                }
            }
            instance.ctx.db.close().await;
            Ok(())
        }
        Command::Move { to } => {
            let instance = startup::Instance::build(config).await?;
            let data = instance.fed.to_request_data();
            let id = actions::moves::move_to(&data, &to)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "this centre now points to {id}; a Move is queued for every follower server \
                 (the running instance sends it)"
            );
            instance.ctx.db.close().await;
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate { assertion, force },
        } => {
            let warning = if assertion {
                actions::keys::ASSERTION_WARNING
            } else {
                actions::keys::HTTP_WARNING
            };
            if !force {
                eprintln!("{warning}");
                std::process::exit(2);
            }
            let instance = startup::Instance::build(config).await?;
            let ctx = &instance.ctx;
            let done = if assertion {
                actions::keys::rotate_assertion(ctx)
                    .await
                    .map(|id| format!("new Ed25519 key: {id}"))
            } else {
                actions::keys::rotate_http(ctx)
                    .await
                    .map(|_| format!("new HTTP signature key for {}", ctx.urls.key_id()))
            }
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let queued =
                maillage::db::deliveries::count_by_status(ctx.db.read(), "pending").await?;
            println!("{done}");
            println!(
                "an Update of the centre is queued ({queued} deliveries pending); restart every node now"
            );
            ctx.db.close().await;
            Ok(())
        }
        Command::User { command } => {
            let db = open(&config).await?;
            match command {
                UserCommand::Add {
                    role,
                    password_stdin,
                    email,
                } => {
                    let (pw, generated) = password(password_stdin)?;
                    actions::accounts::add_user(&db, &email, &pw, &role, now)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("account {email} created ({role})");
                    if generated {
                        println!("password: {pw}");
                    }
                }
                UserCommand::Passwd {
                    password_stdin,
                    email,
                } => {
                    let (pw, generated) = password(password_stdin)?;
                    actions::accounts::set_password(&db, &email, &pw)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("password of {email} changed; its sessions are closed");
                    if generated {
                        println!("password: {pw}");
                    }
                }
            }
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
