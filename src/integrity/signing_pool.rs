//! The thread that signs with the centre's RSA key, off the async runtime's threads. Requests
//! queue on a channel; the thread takes every request waiting each time it wakes, so under a
//! fan-out it signs one after another without a thread hand-off per signature, and a
//! delivery task only awaits its own answer. The key is parsed once, at start-up.

use super::keys::{KeyError, PrivateKey};
use std::sync::{Arc, mpsc};

type Job = Box<dyn FnOnce(&PrivateKey) + Send>;

pub struct SigningPool {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for SigningPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningPool")
    }
}

impl SigningPool {
    /// Starts the signing thread; it ends when the pool is dropped.
    pub fn start(key: Arc<PrivateKey>) -> std::io::Result<SigningPool> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("maillage-sign".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&key);
                    while let Ok(job) = rx.try_recv() {
                        job(&key);
                    }
                }
            })?;
        Ok(SigningPool { jobs })
    }

    /// Runs `f` with the key on the signing thread and returns its result.
    pub async fn with_key<T: Send + 'static>(
        &self,
        f: impl FnOnce(&PrivateKey) -> T + Send + 'static,
    ) -> Result<T, KeyError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |key| {
                let _ = tx.send(f(key));
            }))
            .map_err(|_| KeyError::Unsupported("the signing thread has stopped".into()))?;
        rx.await
            .map_err(|_| KeyError::Unsupported("the signing thread has stopped".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn many_concurrent_signatures_all_come_back_right() {
        let (private, public) = PrivateKey::generate().unwrap();
        let pool = Arc::new(
            SigningPool::start(Arc::new(PrivateKey::from_pem(&private).unwrap())).unwrap(),
        );
        let public = Arc::new(super::super::keys::PublicKey::from_pem(&public).unwrap());
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (pool, public) = (pool.clone(), public.clone());
            tasks.push(tokio::spawn(async move {
                let msg = format!("message {i}");
                let m = msg.clone();
                let sig = pool
                    .with_key(move |k| k.sign(m.as_bytes()))
                    .await
                    .unwrap()
                    .unwrap();
                public.verify_rsa_sha256(msg.as_bytes(), &sig)
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(()));
        }
    }
}
