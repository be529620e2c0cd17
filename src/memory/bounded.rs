//! A small map with a bound on its entries and on their age: what the inbox reads on every
//! request (actors, parsed keys, follow states) without a database round trip. When full, the
//! oldest insertion goes first. Writes on this node update or invalidate entries; the age bound
//! is what other nodes sharing a PostgreSQL database rely on.

use std::{
    borrow::Borrow,
    collections::{HashMap, VecDeque},
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

struct Inner<K, V> {
    map: HashMap<K, (Instant, u64, V)>,
    /// Keys in insertion order with the generation they were inserted at (an entry replaced
    /// since has a newer generation, and its stale place in the queue is skipped).
    order: VecDeque<(K, u64)>,
    generation: u64,
}

pub struct Bounded<K, V> {
    inner: Mutex<Inner<K, V>>,
    capacity: usize,
    ttl: Duration,
}

impl<K: Eq + Hash + Clone, V: Clone> Bounded<K, V> {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Bounded {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
                generation: 0,
            }),
            capacity: capacity.max(1),
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock leaves a consistent map (every update is one step).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value of `key`, unless it is absent or older than the bound.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let inner = self.lock();
        let (at, _, v) = inner.map.get(key)?;
        (at.elapsed() < self.ttl).then(|| v.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        let mut inner = self.lock();
        inner.generation += 1;
        let generation = inner.generation;
        inner
            .map
            .insert(key.clone(), (Instant::now(), generation, value));
        inner.order.push_back((key, generation));
        while inner.map.len() > self.capacity || inner.order.len() > 2 * self.capacity {
            let Some((k, g)) = inner.order.pop_front() else {
                break;
            };
            if inner
                .map
                .get(&k)
                .is_some_and(|(_, current, _)| *current == g)
            {
                inner.map.remove(&k);
            }
        }
    }

    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock().map.remove(key);
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.order.clear();
    }

    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_never_grows_past_its_bound_and_keeps_the_newest() {
        let c = Bounded::new(100, Duration::from_secs(60));
        for i in 0..10_000 {
            c.insert(i, i * 2);
            assert!(c.len() <= 100);
            // Rewriting a hot key does not let the queue of insertions grow without bound.
            c.insert(0, 0);
        }
        assert_eq!(c.len(), 100);
        assert_eq!(c.get(&9_999), Some(19_998));
        assert_eq!(c.get(&0), Some(0));
        assert_eq!(c.get(&5), None);
        assert!(c.lock().order.len() <= 200);
        c.remove(&9_999);
        assert_eq!(c.get(&9_999), None);
    }

    #[test]
    fn entries_older_than_the_bound_are_not_returned() {
        let c = Bounded::new(10, Duration::from_millis(20));
        c.insert("a", 1);
        assert_eq!(c.get("a"), Some(1));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(c.get("a"), None);
    }
}
