//! Where sessions are kept: the two small seams a user may plug a shared
//! store into, and bounded in-memory stores behind them.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

/// Where a server keeps sessions: TLS 1.2 session IDs, and TLS 1.3 tickets
/// when they are stateful (0-RTT, or chosen in the config). Keys and values
/// are opaque bytes; keyway decodes and checks what comes back.
///
/// A fleet that wants session IDs or single-use tickets to work across
/// servers plugs in one store they all share.
pub trait ServerSessionStore: Send + Sync + core::fmt::Debug {
    /// Stores `value` under `key` (replacing any); false if it was not kept.
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool;
    /// The value under `key`, leaving it stored.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Removes and returns the value under `key`: at most one caller gets
    /// it, which is what makes a ticket single-use (RFC 8446, Section 8.1).
    fn take(&self, key: &[u8]) -> Option<Vec<u8>>;
}

/// A bounded server session store: when full, the least recently used
/// entry makes room. Each entry costs its key and value (about 32 bytes and
/// 150-2,000 bytes: the session and the peer's certificates, if any) plus
/// about 100 bytes of bookkeeping (see the README's memory table).
#[derive(Debug)]
pub struct InMemoryServerSessionStore {
    capacity: usize,
    inner: Mutex<Lru>,
}

#[derive(Debug, Default)]
struct Lru {
    /// key -> (value, last use).
    entries: HashMap<Vec<u8>, (Vec<u8>, u64)>,
    /// last use -> key, oldest first.
    order: BTreeMap<u64, Vec<u8>>,
    tick: u64,
}

impl InMemoryServerSessionStore {
    /// A store of at most `capacity` sessions.
    pub fn new(capacity: usize) -> InMemoryServerSessionStore {
        InMemoryServerSessionStore {
            capacity,
            inner: Mutex::new(Lru::default()),
        }
    }

    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|l| l.entries.len()).unwrap_or(0)
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Lru {
    fn touch(&mut self, key: &[u8]) {
        self.tick = self.tick.saturating_add(1);
        let tick = self.tick;
        if let Some((_, used)) = self.entries.get_mut(key) {
            self.order.remove(used);
            *used = tick;
            self.order.insert(tick, key.to_vec());
        }
    }

    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let (value, used) = self.entries.remove(key)?;
        self.order.remove(&used);
        Some(value)
    }
}

impl ServerSessionStore for InMemoryServerSessionStore {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        if self.capacity == 0 {
            return false;
        }
        let Ok(mut lru) = self.inner.lock() else {
            return false;
        };
        lru.remove(&key);
        while lru.entries.len() >= self.capacity {
            let Some((_, oldest)) = lru.order.pop_first() else {
                break;
            };
            lru.entries.remove(&oldest);
        }
        lru.tick = lru.tick.saturating_add(1);
        let tick = lru.tick;
        lru.order.insert(tick, key.clone());
        lru.entries.insert(key, (value, tick));
        true
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let mut lru = self.inner.lock().ok()?;
        lru.touch(key);
        lru.entries.get(key).map(|(value, _)| value.clone())
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.lock().ok()?.remove(key)
    }
}

/// Where a client keeps what servers gave it, by server (keyway's key names
/// the server and the config, so sessions never cross configs with other
/// roots or verifiers). Values are opaque bytes.
pub trait ClientSessionStore: Send + Sync + core::fmt::Debug {
    /// Adds a TLS 1.3 ticket for `server`; a server may have several.
    fn insert_ticket(&self, server: &str, value: Vec<u8>);
    /// Removes and returns the newest TLS 1.3 ticket for `server`: each
    /// ticket is used once (RFC 8446, Appendix C.4).
    fn take_ticket(&self, server: &str) -> Option<Vec<u8>>;
    /// Sets the TLS 1.2 session for `server` (replacing any).
    fn set_tls12_session(&self, server: &str, value: Vec<u8>);
    /// The TLS 1.2 session for `server`, if any.
    fn tls12_session(&self, server: &str) -> Option<Vec<u8>>;
    /// Forgets the TLS 1.2 session for `server`.
    fn remove_tls12_session(&self, server: &str);
}

/// A bounded client session store: at most `servers` servers (the least
/// recently used makes room) with at most `tickets_per_server` tickets each
/// (the oldest makes room).
#[derive(Debug)]
pub struct InMemoryClientSessionStore {
    servers: usize,
    tickets_per_server: usize,
    inner: Mutex<ClientEntries>,
}

#[derive(Debug, Default)]
struct ClientEntries {
    by_server: HashMap<String, ServerEntry>,
    tick: u64,
}

#[derive(Debug, Default)]
struct ServerEntry {
    tickets: VecDeque<Vec<u8>>,
    tls12: Option<Vec<u8>>,
    used: u64,
}

impl InMemoryClientSessionStore {
    /// A store for `servers` servers, `tickets_per_server` TLS 1.3 tickets
    /// each.
    pub fn new(servers: usize, tickets_per_server: usize) -> InMemoryClientSessionStore {
        InMemoryClientSessionStore {
            servers,
            tickets_per_server,
            inner: Mutex::new(ClientEntries::default()),
        }
    }

    fn with_entry(&self, server: &str, f: impl FnOnce(&mut ServerEntry, usize)) {
        if self.servers == 0 {
            return;
        }
        let Ok(mut entries) = self.inner.lock() else {
            return;
        };
        entries.tick = entries.tick.saturating_add(1);
        let tick = entries.tick;
        if !entries.by_server.contains_key(server) && entries.by_server.len() >= self.servers {
            let oldest = entries
                .by_server
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.by_server.remove(&oldest);
            }
        }
        let entry = entries.by_server.entry(server.to_string()).or_default();
        entry.used = tick;
        f(entry, self.tickets_per_server);
    }

    fn read<T>(&self, server: &str, f: impl FnOnce(&mut ServerEntry) -> T) -> Option<T> {
        let mut entries = self.inner.lock().ok()?;
        entries.by_server.get_mut(server).map(f)
    }
}

impl ClientSessionStore for InMemoryClientSessionStore {
    fn insert_ticket(&self, server: &str, value: Vec<u8>) {
        self.with_entry(server, |entry, max| {
            if max == 0 {
                return;
            }
            while entry.tickets.len() >= max {
                entry.tickets.pop_front();
            }
            entry.tickets.push_back(value);
        });
    }

    fn take_ticket(&self, server: &str) -> Option<Vec<u8>> {
        self.read(server, |entry| entry.tickets.pop_back())
            .flatten()
    }

    fn set_tls12_session(&self, server: &str, value: Vec<u8>) {
        self.with_entry(server, |entry, _| entry.tls12 = Some(value));
    }

    fn tls12_session(&self, server: &str) -> Option<Vec<u8>> {
        self.read(server, |entry| entry.tls12.clone()).flatten()
    }

    fn remove_tls12_session(&self, server: &str) {
        self.read(server, |entry| entry.tls12 = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_store_is_bounded_and_evicts_the_least_recently_used() {
        let store = InMemoryServerSessionStore::new(2);
        assert!(store.is_empty());
        assert!(store.put(b"a".to_vec(), b"1".to_vec()));
        assert!(!store.is_empty());
        assert!(store.put(b"b".to_vec(), b"2".to_vec()));
        assert_eq!(store.get(b"a"), Some(b"1".to_vec())); // a is now newer than b
        assert!(store.put(b"c".to_vec(), b"3".to_vec()));
        assert_eq!(store.len(), 2);
        assert_eq!(store.get(b"b"), None, "b was the least recently used");
        assert_eq!(store.take(b"a"), Some(b"1".to_vec()));
        assert_eq!(store.take(b"a"), None, "taken once");
        assert!(!InMemoryServerSessionStore::new(0).put(vec![1], vec![1]));
    }

    #[test]
    fn the_client_store_keeps_several_tickets_each_used_once() {
        let store = InMemoryClientSessionStore::new(2, 2);
        for t in [b"t1", b"t2", b"t3"] {
            store.insert_ticket("a.example", t.to_vec());
        }
        assert_eq!(store.take_ticket("a.example"), Some(b"t3".to_vec()));
        assert_eq!(store.take_ticket("a.example"), Some(b"t2".to_vec()));
        assert_eq!(store.take_ticket("a.example"), None, "t1 made room");
        store.set_tls12_session("a.example", b"s".to_vec());
        store.set_tls12_session("b.example", b"s".to_vec());
        store.set_tls12_session("c.example", b"s".to_vec());
        assert_eq!(
            store.tls12_session("a.example"),
            None,
            "two servers at most"
        );
        assert_eq!(store.tls12_session("c.example"), Some(b"s".to_vec()));
        store.remove_tls12_session("c.example");
        assert_eq!(store.tls12_session("c.example"), None);

        // Within the bound nothing is evicted, and a known server coming
        // back when the store is full evicts no one.
        let store = InMemoryClientSessionStore::new(2, 4);
        store.insert_ticket("a.example", b"a1".to_vec());
        store.insert_ticket("b.example", b"b1".to_vec());
        store.insert_ticket("a.example", b"a2".to_vec());
        assert_eq!(store.take_ticket("a.example"), Some(b"a2".to_vec()));
        assert_eq!(store.take_ticket("a.example"), Some(b"a1".to_vec()));
        assert_eq!(store.take_ticket("b.example"), Some(b"b1".to_vec()));
    }
}
