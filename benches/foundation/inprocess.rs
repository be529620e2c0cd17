//! Baseline B: Maillage's own inbox handler called in this process, without HTTP: the same
//! router `maillage serve` runs, given each request with `tower::ServiceExt::oneshot`.

use super::senders::Signed;
use maillage::{config::Config, startup::Instance};
use std::{collections::HashMap, net::SocketAddr, sync::Arc};
use tower::ServiceExt;

pub struct InProcess {
    pub instance: Instance,
    router: axum::Router,
    host: String,
}

impl InProcess {
    /// The instance of `env` (a prepared database), with its router.
    pub async fn build(env: &HashMap<String, String>) -> InProcess {
        let config = Config::from_sources("", |k| env.get(k).cloned()).unwrap();
        let host = env["MAILLAGE_DOMAIN"].clone();
        let instance = Instance::build(config).await.unwrap();
        let router = instance.router();
        InProcess {
            instance,
            router,
            host,
        }
    }

    /// A sender for [`super::senders::drive`]: request `i` of `signed`, answered in-process.
    pub fn sender(
        &self,
        signed: Arc<Vec<Signed>>,
    ) -> impl Fn(usize) -> futures::future::BoxFuture<'static, (u16, String)> + Clone + Send + 'static
    {
        let router = self.router.clone();
        let host = self.host.clone();
        move |i| {
            let mut req = signed[i].request(&host);
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(SocketAddr::from((
                    [127, 0, 0, 1],
                    40000,
                ))));
            let router = router.clone();
            Box::pin(async move {
                match router.oneshot(req).await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                            .await
                            .unwrap_or_default();
                        (status, String::from_utf8_lossy(&body).into_owned())
                    }
                    Err(e) => (0, e.to_string()),
                }
            })
        }
    }
}
