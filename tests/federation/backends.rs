//! The two storage backends every scenario runs on: SQLite files, and PostgreSQL databases
//! when `MAILLAGE_TEST_POSTGRES` names a server (each test creates and drops its own).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server URL, or `None` (the PostgreSQL variant then says it was skipped).
pub fn postgres_server() -> Option<String> {
    std::env::var("MAILLAGE_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Runs the scenario on SQLite and, when `MAILLAGE_TEST_POSTGRES` is set, on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$scenario($crate::harness::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::harness::postgres_server().is_none() {
                        eprintln!(
                            "skipped: {} on PostgreSQL (MAILLAGE_TEST_POSTGRES is not set)",
                            stringify!($scenario)
                        );
                        return;
                    }
                    super::$scenario($crate::harness::Backend::Postgres).await;
                }
            }
        )*
    };
}

/// Where an instance keeps its data; dropping it removes the data.
pub enum Storage {
    Sqlite(tempfile::TempDir),
    Postgres { server: String, database: String },
}

impl Storage {
    pub async fn new(backend: Backend) -> Storage {
        match backend {
            Backend::Sqlite => Storage::Sqlite(tempfile::tempdir().unwrap()),
            Backend::Postgres => {
                let server = postgres_server().expect("MAILLAGE_TEST_POSTGRES");
                let database = format!("maillage_test_{}", uuid::Uuid::new_v4().simple());
                let pool = sqlx::PgPool::connect(&server).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {database}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                Storage::Postgres { server, database }
            }
        }
    }

    pub fn url(&self) -> String {
        match self {
            Storage::Sqlite(dir) => format!("sqlite://{}/maillage.db", dir.path().display()),
            Storage::Postgres { server, database } => {
                let mut u = url::Url::parse(server).unwrap();
                u.set_path(&format!("/{database}"));
                u.to_string()
            }
        }
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Storage::Postgres { server, database } = self {
            let (server, database) = (server.clone(), database.clone());
            // Drop runs outside async context rules: use a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&server).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                        ))
                        .execute(&pool)
                        .await;
                        pool.close().await;
                    }
                });
            })
            .join();
        }
    }
}
