//! Logging: `MAILLAGE_LOG` (or `RUST_LOG`) filters, `info` by default, to standard error.

use tracing_subscriber::EnvFilter;

/// Starts logging; a `MAILLAGE_LOG` that is not a filter is an error naming it.
pub fn init() -> Result<(), String> {
    let filter = match std::env::var("MAILLAGE_LOG") {
        Ok(f) => EnvFilter::try_new(&f).map_err(|e| {
            format!(
                "configuration error: MAILLAGE_LOG: {f:?} is not a log filter ({e}); \
                 try info, warn, debug or maillage=debug,info"
            )
        })?,
        Err(_) => {
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"))
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    Ok(())
}

/// Logging for tests: captured per test by the test harness; `MAILLAGE_LOG` filters
/// (`warn` by default).
pub fn init_for_tests() {
    let filter = std::env::var("MAILLAGE_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}
