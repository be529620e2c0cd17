//! Building an instance from its configuration, and serving it until shutdown.

use crate::{
    actions,
    config::Config,
    context::{AppContext, Urls},
    db::Db,
    delivery::Deliverer,
    federation,
};
use activitypub_federation::config::FederationConfig;
use anyhow::Context;
use std::{sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::watch};

/// A running-ready instance: its context, federation config, delivery worker and routes.
pub struct Instance {
    pub ctx: AppContext,
    pub fed: FederationConfig<AppContext>,
    pub deliverer: Deliverer,
}

impl Instance {
    /// Connects and migrates the database, creates the centre on first start, and wires
    /// everything together.
    pub async fn build(config: Config) -> anyhow::Result<Instance> {
        // Several processes may start together on a new database: one at a time migrates it
        // and creates the centre; the others then find both done.
        let (db, lock) = Db::connect_for_startup(&config.database_url).await?;
        db.migrate().await?;
        actions::hashtag_keys::upgrade(&db).await?;
        let now = chrono::Utc::now().timestamp_millis();
        let centre = actions::centre::ensure(&db, &config, now).await?;
        lock.release().await?;
        Instance::assemble(config, db, centre).await
    }

    /// As [`Instance::build`] on an already connected and migrated database.
    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<Instance> {
        actions::hashtag_keys::upgrade(&db).await?;
        let now = chrono::Utc::now().timestamp_millis();
        let centre = actions::centre::ensure(&db, &config, now).await?;
        Instance::assemble(config, db, centre).await
    }

    async fn assemble(
        config: Config,
        db: Db,
        centre: crate::context::Centre,
    ) -> anyhow::Result<Instance> {
        let urls = Urls::new(config.base_url.clone(), &config.centre.username);
        let signing = crate::integrity::signing_pool::SigningPool::start(centre.http_key.clone())
            .context("starting the signing thread")?;
        let config_rate = (
            config.federation.rate_limit_per_second,
            config.federation.rate_limit_burst,
        );
        let blocks = crate::memory::BlockList::new(
            &config.domain,
            config.federation.mode == crate::config::FederationMode::Allowlist,
        );
        let ctx = AppContext {
            batch: crate::db::batch::WriteBatcher::start(db.clone()),
            db,
            config: Arc::new(config),
            centre: Arc::new(centre),
            urls,
            delivery_wakeup: Arc::new(tokio::sync::Notify::new()),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            login_limiter: Arc::default(),
            i18n: Arc::new(crate::i18n::Catalogs::load()?),
            blocks: Arc::new(blocks),
            caches: Arc::default(),
            host_limits: Arc::new(crate::memory::HostLimiter::new(
                config_rate.0,
                config_rate.1,
            )),
            signing: Arc::new(signing),
            refusals: Arc::default(),
            reply_fetches: Arc::default(),
        };
        let client = federation::http_client(ctx.config.dev)?;
        let fed = federation::federation_config(ctx.clone(), client.clone()).await?;
        let deliverer = Deliverer::new(ctx.clone(), client)?;
        Ok(Instance {
            ctx,
            fed,
            deliverer,
        })
    }

    pub fn router(&self) -> axum::Router {
        crate::http::router(self.fed.clone())
    }

    /// Serves on `listener` until `shutdown` turns true; runs the delivery worker when
    /// `with_worker`. On shutdown the server stops accepting, in-flight requests finish, the
    /// worker finishes its round (unfinished leases expire and are retried), and the pools close.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: watch::Receiver<bool>,
        with_worker: bool,
    ) -> anyhow::Result<()> {
        let worker =
            with_worker.then(|| tokio::spawn(self.deliverer.clone().run(shutdown.clone())));
        if with_worker {
            tokio::spawn(actions::statement_jobs::run(
                self.fed.clone(),
                shutdown.clone(),
            ));
        }
        let mut stop = shutdown.clone();
        axum::serve(
            listener,
            self.router()
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
        .context("serving HTTP")?;
        if let Some(worker) = worker
            && tokio::time::timeout(Duration::from_secs(10), worker)
                .await
                .is_err()
        {
            tracing::warn!("delivery worker did not stop in time; its leases will expire");
        }
        self.ctx.db.close().await;
        Ok(())
    }
}

/// `maillage serve`: runs until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let with_worker = config.delivery.enabled;
    let instance = Instance::build(config).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let ctx = &instance.ctx;
    tracing::info!(
        "Maillage {} listening on http://{} as {} (@{}@{}), database {}",
        env!("CARGO_PKG_VERSION"),
        listener.local_addr().unwrap_or(listen),
        ctx.urls.actor(),
        ctx.config.centre.username,
        ctx.config.domain,
        crate::db::redact(&ctx.config.database_url),
    );
    if let Some(token) =
        crate::actions::accounts::setup_token(&ctx.db, chrono::Utc::now().timestamp_millis())
            .await?
    {
        let mut link = ctx.urls.base().clone();
        link.set_path("/console/setup");
        link.query_pairs_mut().append_pair("token", &token);
        eprintln!(
            "\nFirst start: open this link to set up the centre and create the first admin \
             account (it works once):\n\n    {link}\n"
        );
    }
    let (tx, rx) = watch::channel(false);
    if let Some(addr) = ctx.config.metrics.listen {
        let metrics = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding metrics.listen {addr}"))?;
        tracing::info!("metrics on http://{addr}/metrics");
        let app = crate::http::pages::metrics_router(ctx.clone());
        let mut stop = rx.clone();
        tokio::spawn(async move {
            let served = axum::serve(metrics, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = tx.send(true);
    });
    instance.serve(listener, rx, with_worker).await
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
        _ = ctrl_c => {}
        _ = term => {}
    }
}
