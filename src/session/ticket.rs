//! Sealing session state into tickets (RFC 8446, Section 4.6.1; RFC 5077,
//! Section 4), and the keys that do it.
//!
//! A ticket is `key_name (16) || nonce (12) || AES-256-GCM(state)`, with the
//! key name as additional data. The key name says which key sealed it, so a
//! server tries exactly one key when opening; a ticket under a name it does
//! not hold (a key rotated out, another fleet's, garbage) is simply not
//! resumed. Ticket sealing knows nothing about the handshake: it turns
//! bytes into bytes.
//!
//! # Rotation
//! The current key seals; the current and the previous key open. Keys last
//! one rotation period, so a ticket opens for at most two periods, and a
//! key stolen from memory exposes at most two periods' sessions (forward
//! secrecy of resumed sessions depends on it). Two sources:
//! - [`TicketKeys::new`]: random keys, one server's own.
//! - [`TicketKeys::from_secret`]: keys derived from a secret the operator
//!   gives every server of a fleet (nginx's `ssl_session_ticket_key` file,
//!   80 random bytes), one key per period: key *i* = HKDF(secret, period
//!   *i*). Servers with the same secret and period hold the same keys at
//!   the same time without talking to each other, so a ticket one issues
//!   opens on any other. Replace the secret (and the file) from time to time:
//!   a stolen secret opens every ticket of its lifetime.
//!
//! All key material is wiped when dropped, except the copies inside ring's
//! AEAD keys, which ring does not wipe.
// Tickets come from the peer: no panic on their bytes.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::sync::Mutex;
use std::time::Duration;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::crypto::Rng;
use crate::error::Error;

const KEY_NAME_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;
/// The shortest a fleet secret may be (nginx's files are 48 or 80 bytes).
const MIN_SECRET_LEN: usize = 32;

/// The keys that seal and open session tickets: the current one and the
/// previous one, rotated every period. Share one `Arc<TicketKeys>` between
/// configs (or build each from the same secret) to resume across them.
pub struct TicketKeys {
    source: Source,
    period: Duration,
    /// Set on first use, from the clock of the config that uses the keys.
    keys: Mutex<Option<Generation>>,
}

/// Where keys come from.
enum Source {
    /// Fresh random keys, one server's own.
    Random,
    /// Derived from a secret shared by a fleet.
    Secret(Zeroizing<Vec<u8>>),
}

/// The keys of one period: `current` seals, both open.
struct Generation {
    /// The period `current` belongs to: milliseconds since the epoch
    /// divided by the period.
    period: u64,
    current: TicketKey,
    previous: Option<TicketKey>,
}

struct TicketKey {
    name: [u8; KEY_NAME_LEN],
    key: LessSafeKey,
}

impl core::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let source = match self.source {
            Source::Random => "random",
            Source::Secret(_) => "from a shared secret",
        };
        f.debug_struct("TicketKeys")
            .field("source", &source)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl TicketKeys {
    /// Random keys, rotated every `period` of the clock: a new key seals
    /// from the start of each period, and the previous one still opens.
    pub fn new(period: Duration) -> Result<TicketKeys, Error> {
        Self::with_source(Source::Random, period)
    }

    /// Keys derived from `secret`, which every server of a fleet is given
    /// (at least 32 bytes; 80 random bytes as for nginx:
    /// `head -c 80 /dev/urandom > ticket.key`), one per `period` of the
    /// clock, so servers with the same secret and period seal and open each
    /// other's tickets.
    pub fn from_secret(secret: &[u8], period: Duration) -> Result<TicketKeys, Error> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(Error::Config(format!(
                "a ticket key secret needs at least {MIN_SECRET_LEN} bytes, got {}",
                secret.len()
            )));
        }
        Self::with_source(Source::Secret(Zeroizing::new(secret.to_vec())), period)
    }

    /// Reads a fleet secret from a file (see [`TicketKeys::from_secret`]).
    pub fn from_secret_file(
        path: impl AsRef<std::path::Path>,
        period: Duration,
    ) -> Result<TicketKeys, Error> {
        let path = path.as_ref();
        let secret = std::fs::read(path)
            .map(Zeroizing::new)
            .map_err(|e| Error::KeyFile {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Self::from_secret(&secret, period)
    }

    fn with_source(source: Source, period: Duration) -> Result<TicketKeys, Error> {
        if period.is_zero() {
            return Err(Error::Config(
                "the ticket key rotation period is zero".into(),
            ));
        }
        Ok(TicketKeys {
            source,
            period,
            keys: Mutex::new(None),
        })
    }

    /// The period `now_ms` falls in.
    fn period_index(&self, now_ms: u64) -> u64 {
        let period_ms = u64::try_from(self.period.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        now_ms.checked_div(period_ms).unwrap_or(0)
    }

    /// The key of period `index`: derived from the secret, or random.
    fn key_for(&self, index: u64) -> Result<TicketKey, Error> {
        match &self.source {
            Source::Random => TicketKey::random(),
            Source::Secret(secret) => {
                // HKDF-Extract with a fixed salt, then one HMAC per output,
                // labelled: the name and the key of period `index`.
                let prk = hmac::sign(
                    &hmac::Key::new(hmac::HMAC_SHA256, b"keyway tickets"),
                    secret,
                );
                let prk = hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref());
                let derive = |label: &[u8]| {
                    let mut ctx = hmac::Context::with_key(&prk);
                    ctx.update(label);
                    ctx.update(&index.to_be_bytes());
                    Zeroizing::new(ctx.sign().as_ref().to_vec())
                };
                let name = derive(b"ticket key name");
                let key = derive(b"ticket key");
                TicketKey::new(name.get(..KEY_NAME_LEN).unwrap_or_default(), &key)
            }
        }
    }

    /// The keys for `now_ms`: on first use, the current period's key (and,
    /// for derived keys, the previous period's too); when a new period has
    /// begun, its key becomes current and the old current key the previous
    /// one (after a gap of more than one period, a random key has no
    /// successor to open for).
    fn generation<'a>(
        &self,
        slot: &'a mut Option<Generation>,
        now_ms: u64,
    ) -> Result<&'a Generation, Error> {
        let index = self.period_index(now_ms);
        let derived = matches!(self.source, Source::Secret(_));
        let stale = slot.as_ref().is_none_or(|g| index > g.period);
        if stale {
            let old = slot.take();
            let previous = match old {
                Some(g) if g.period.checked_add(1) == Some(index) => Some(g.current),
                _ if derived => Some(self.key_for(index.saturating_sub(1))?),
                _ => None,
            };
            *slot = Some(Generation {
                period: index,
                current: self.key_for(index)?,
                previous,
            });
        }
        slot.as_ref()
            .ok_or(Error::Internal("ticket key generation missing"))
    }

    /// Seals `state` into a ticket with the current key, under a random
    /// 96-bit nonce from `rng`, the connection's: the system's generator,
    /// so a key seals about 2^32 tickets before a repeated nonce becomes
    /// likely; a fleet sharing a secret shares that budget per period.
    /// Fixed randomness (tests and fuzzing only) repeats the nonce under one
    /// key, which is why such a config must never share real ticket keys.
    pub(crate) fn seal(&self, state: &[u8], now_ms: u64, rng: &mut Rng) -> Result<Vec<u8>, Error> {
        let mut slot = self
            .keys
            .lock()
            .map_err(|_| Error::Internal("ticket keys poisoned"))?;
        let key = &self.generation(&mut slot, now_ms)?.current;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut sealed = state.to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.name),
                &mut sealed,
            )
            .map_err(|_| Error::Internal("ticket sealing failed"))?;
        Ok([&key.name[..], &nonce, &sealed].concat())
    }

    /// Opens a ticket sealed by the current or the previous key; anything
    /// else (another key, a forgery, a short or garbled ticket) is `None`.
    pub(crate) fn open(&self, ticket: &[u8], now_ms: u64) -> Option<Zeroizing<Vec<u8>>> {
        let (name, rest) = ticket.split_first_chunk::<KEY_NAME_LEN>()?;
        let (nonce, sealed) = rest.split_first_chunk::<NONCE_LEN>()?;
        let mut slot = self.keys.lock().ok()?;
        let generation = self.generation(&mut slot, now_ms).ok()?;
        let key = [Some(&generation.current), generation.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| &k.name == name)?;
        let mut buf = Zeroizing::new(sealed.to_vec());
        let plain_len = key
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(*name),
                &mut buf,
            )
            .ok()?
            .len();
        buf.truncate(plain_len);
        Some(buf)
    }
}

impl TicketKey {
    fn random() -> Result<TicketKey, Error> {
        let rng = SystemRandom::new();
        let mut name = [0u8; KEY_NAME_LEN];
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill(&mut name)
            .and_then(|()| rng.fill(&mut *key))
            .map_err(|_| Error::Internal("random number generator failed"))?;
        TicketKey::new(&name, &*key)
    }

    fn new(name: &[u8], key: &[u8]) -> Result<TicketKey, Error> {
        let name = <[u8; KEY_NAME_LEN]>::try_from(name)
            .map_err(|_| Error::Internal("ticket key name length"))?;
        let key = key
            .get(..KEY_LEN)
            .ok_or(Error::Internal("ticket key length"))?;
        let key = UnboundKey::new(&aead::AES_256_GCM, key)
            .map_err(|_| Error::Internal("ticket key length"))?;
        Ok(TicketKey {
            name,
            key: LessSafeKey::new(key),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    fn rng() -> Rng {
        Rng::System(ring::rand::SystemRandom::new())
    }
    const T0: u64 = 1_800_000_000_000;

    #[test]
    fn a_ticket_opens_under_the_current_and_previous_key_only() {
        let keys = TicketKeys::new(Duration::from_secs(3600)).unwrap();
        let ticket = keys.seal(b"state", T0, &mut rng()).unwrap();
        assert_eq!(keys.open(&ticket, T0).unwrap().as_slice(), b"state");
        // One rotation later: the previous key still opens it.
        let later = keys.seal(b"newer", T0 + HOUR, &mut rng()).unwrap();
        assert_eq!(keys.open(&ticket, T0 + HOUR).unwrap().as_slice(), b"state");
        assert_ne!(ticket[..16], later[..16], "a new key name");
        // Two rotations later: gone.
        assert!(keys.open(&ticket, T0 + 2 * HOUR).is_none());
        assert!(keys.open(&later, T0 + 2 * HOUR).is_some());
    }

    #[test]
    fn forged_truncated_or_foreign_tickets_do_not_open() {
        let keys = TicketKeys::new(Duration::from_secs(3600)).unwrap();
        let other = TicketKeys::new(Duration::from_secs(3600)).unwrap();
        let ticket = keys.seal(b"state", T0, &mut rng()).unwrap();
        assert!(other.open(&ticket, T0).is_none());
        for i in 0..ticket.len() {
            let mut flipped = ticket.clone();
            flipped[i] ^= 1;
            assert!(keys.open(&flipped, T0).is_none(), "byte {i}");
            assert!(keys.open(&ticket[..i], T0).is_none(), "length {i}");
        }
    }

    #[test]
    fn servers_with_one_secret_open_each_others_tickets() {
        let secret = [0x5au8; 80];
        let hour = Duration::from_secs(3600);
        let a = TicketKeys::from_secret(&secret, hour).unwrap();
        let b = TicketKeys::from_secret(&secret, hour).unwrap();
        let c = TicketKeys::from_secret(&[0x5b; 80], hour).unwrap();
        let ticket = a.seal(b"state", T0, &mut rng()).unwrap();
        assert_eq!(b.open(&ticket, T0 + 1000).unwrap().as_slice(), b"state");
        assert!(c.open(&ticket, T0).is_none());
        // B, started a period later, still opens A's ticket with its previous key.
        let b2 = TicketKeys::from_secret(&secret, hour).unwrap();
        assert!(b2.open(&ticket, T0 + HOUR).is_some());
        // Past the previous key: a full handshake.
        assert!(b2.open(&ticket, T0 + 2 * HOUR + HOUR).is_none());
        assert!(TicketKeys::from_secret(&[1; 16], hour).is_err());
        assert!(TicketKeys::new(Duration::ZERO).is_err());
    }
}
