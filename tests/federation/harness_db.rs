//! Direct reads and writes of an instance's database, for tests that check what was stored
//! or change it as time or an operator would.

use crate::harness::TestInstance;

impl TestInstance {
    /// The number of rows of `table`, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.ctx.db {
            maillage::db::Db::Sqlite { reader, .. } => sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(reader)
                .await
                .unwrap(),
            maillage::db::Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }
}

/// Runs `sql` on `db` with `texts` bound first and `flag` last (tests that change what a
/// server stored, as time or an operator would).
pub async fn execute(db: &maillage::db::Db, sql: &str, texts: &[&str], flag: bool) {
    match db {
        maillage::db::Db::Sqlite { writer, .. } => {
            let mut q = sqlx::query(sql);
            for t in texts {
                q = q.bind(*t);
            }
            q.bind(flag).execute(writer).await.unwrap();
        }
        maillage::db::Db::Postgres(pool) => {
            let mut q = sqlx::query(sql);
            for t in texts {
                q = q.bind(*t);
            }
            q.bind(flag).execute(pool).await.unwrap();
        }
    }
}
