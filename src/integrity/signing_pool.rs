//! The threads that sign with the centre's RSA key, off the async runtime's threads (one per
//! core, at most [`MAX_THREADS`]). Requests queue on a channel; a busy thread takes the next
//! request as soon as it is done with one, so under a fan-out the threads sign back to back
//! without sleeping, and a delivery task only awaits its own answer. The key is parsed once, at
//! start-up.

use super::keys::{KeyError, PrivateKey};
use std::sync::{Arc, mpsc};

type Job = Box<dyn FnOnce(&PrivateKey) + Send>;

/// Signing threads, at most.
pub const MAX_THREADS: usize = 4;

pub struct SigningPool {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for SigningPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningPool")
    }
}

impl SigningPool {
    /// Starts the signing threads; they end when the pool is dropped.
    pub fn start(key: Arc<PrivateKey>) -> std::io::Result<SigningPool> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_THREADS);
        for _ in 0..threads {
            let (rx, key) = (rx.clone(), key.clone());
            std::thread::Builder::new()
                .name("maillage-sign".into())
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match next {
                            Ok(job) => job(&key),
                            Err(_) => return,
                        }
                    }
                })?;
        }
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
