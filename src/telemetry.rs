//! Logging: `MAILLAGE_LOG` (or `RUST_LOG`) filters, `info` by default, to standard error.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = std::env::var("MAILLAGE_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
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
