//! TLS 1.2 key derivation: the PRF (RFC 5246, Section 5), the master secret
//! with and without the extended master secret (RFC 7627), the key block for
//! AEAD suites, Finished verify_data, and keying material exporters (RFC 5705).
//!
//! ```text
//! pre_master_secret --PRF("master secret", client_random + server_random)--> MasterSecret
//!                   --PRF("extended master secret", session_hash)----------> MasterSecret
//!
//! MasterSecret --PRF("key expansion", server_random + client_random)--> KeyBlock
//!              --PRF("client finished" | "server finished", Hash(handshake_messages))--> verify_data
//!              --PRF(label, client_random + server_random [+ context])--> exported keying material
//! ```
//!
//! Every PRF seed here is a concatenation of a few parts (a label, two
//! randoms, a length, a context). [`prf`] takes the parts as a list and feeds
//! them to HMAC one after another, so no seed is ever copied into a buffer.
//!
//! # Extended master secret
//!
//! Without RFC 7627 the master secret depends only on the pre-master secret
//! and the two randoms, so a malicious server can run a handshake with an
//! honest client and another with an honest server that end with the same
//! master secret (the triple handshake attack, RFC 7627, Section 1). Deriving
//! it from the session hash instead binds it to the whole handshake: the
//! certificates and key exchange messages as well. The handshake decides
//! which derivation to use; this module offers both.
//!
//! # Secret hygiene
//!
//! An attacker who later reads this process's memory (a core dump, a swapped
//! page, a heap bug elsewhere) must not recover the keys of past connections.
//! The master secret and the key block are held in [`Zeroizing`] and wiped
//! when dropped, intermediate key block bytes are wiped as soon as they are
//! split, and `Debug` prints no secret bytes. The pre-master secret belongs to
//! the caller, who must wipe it once the master secret exists (RFC 5246,
//! Section 8.1). The copies ring makes inside its HMAC keys and tags (the
//! PRF's A(i) values among them) are beyond our reach.
//!
//! Nothing here panics, whatever the input.

use ring::hmac;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{AeadAlgorithm, HashAlgorithm};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};

/// RFC 5246, Section 8.1: "The master secret is always exactly 48 bytes in
/// length."
pub const MASTER_SECRET_LEN: usize = 48;

/// RFC 5246, Section 7.4.9: verify_data_length is 12 for every cipher suite
/// that does not specify it, which "includes all existing cipher suites".
pub const VERIFY_DATA_LEN: usize = 12;

/// The labels TLS 1.2 itself uses with the PRF, which an exporter must never
/// use: the four RFC 5705, Section 6 reserves, and the one RFC 7627, Section 4
/// introduced after it.
const RESERVED_EXPORTER_LABELS: [&[u8]; 5] = [
    b"client finished",
    b"server finished",
    b"master secret",
    b"key expansion",
    b"extended master secret",
];

/// Fills `out` with PRF(secret, label, seed) (RFC 5246, Section 5), where
/// `seed` is the concatenation of `seeds`, using P_hash over `hash`.
///
/// Any output length is allowed; P_hash is iterated as often as needed and
/// the last block is truncated.
pub fn prf(hash: HashAlgorithm, secret: &[u8], label: &[u8], seeds: &[&[u8]], out: &mut [u8]) {
    // RFC 5246, Section 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed)
    //   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
    //                          HMAC_hash(secret, A(2) + seed) + ...
    //   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
    let key = hmac::Key::new(hash.hmac(), secret);
    let mut previous: Option<hmac::Tag> = None;
    for block in out.chunks_mut(hash.output_len()) {
        let a = match &previous {
            Some(previous) => hmac::sign(&key, previous.as_ref()),
            None => sign_concatenation(&key, &[], label, seeds),
        };
        let tag = sign_concatenation(&key, a.as_ref(), label, seeds);
        block
            .iter_mut()
            .zip(tag.as_ref())
            .for_each(|(o, t)| *o = *t);
        previous = Some(a);
    }
}

/// Returns HMAC_hash(key, prefix + label + seeds[0] + seeds[1] + ...).
fn sign_concatenation(key: &hmac::Key, prefix: &[u8], label: &[u8], seeds: &[&[u8]]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(prefix);
    ctx.update(label);
    seeds.iter().for_each(|seed| ctx.update(seed));
    ctx.sign()
}

/// Returns fixed_iv_length for `aead` in TLS 1.2: the implicit part of the
/// nonce that the key block supplies as client_write_IV and server_write_IV.
pub fn tls12_fixed_iv_len(aead: AeadAlgorithm) -> usize {
    match aead {
        // RFC 5288, Section 3: the 4-byte salt; the other 8 nonce bytes are
        // the explicit nonce sent with each record.
        AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => 4,
        // RFC 7905, Section 2: the whole 12-byte nonce is implicit, the IV
        // XORed with the padded sequence number, as in TLS 1.3.
        AeadAlgorithm::Chacha20Poly1305 => 12,
    }
}

/// The label of a Finished message: whose Finished it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishedLabel {
    /// The client's Finished: "client finished".
    Client,
    /// The server's Finished: "server finished".
    Server,
}

impl FinishedLabel {
    /// Returns finished_label (RFC 5246, Section 7.4.9).
    fn label(self) -> &'static [u8] {
        match self {
            FinishedLabel::Client => b"client finished",
            FinishedLabel::Server => b"server finished",
        }
    }
}

/// The TLS 1.2 master secret and the hash of the suite's PRF.
pub struct MasterSecret {
    hash: HashAlgorithm,
    bytes: Zeroizing<[u8; MASTER_SECRET_LEN]>,
}

impl MasterSecret {
    /// Returns the master secret of a handshake without the extended master
    /// secret (RFC 5246, Section 8.1).
    pub fn derive(
        hash: HashAlgorithm,
        pre_master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> MasterSecret {
        // RFC 5246, Section 8.1: master_secret = PRF(pre_master_secret,
        //   "master secret", ClientHello.random + ServerHello.random)[0..47];
        MasterSecret::from_prf(
            hash,
            pre_master_secret,
            b"master secret",
            &[client_random, server_random],
        )
    }

    /// Returns the extended master secret (RFC 7627, Section 4), given
    /// `session_hash`, the hash of the handshake messages up to and including
    /// ClientKeyExchange (RFC 7627, Section 3).
    ///
    /// The session hash must use this suite's PRF hash; a hash of another
    /// length gives a master secret the peer will not share.
    pub fn derive_extended(
        hash: HashAlgorithm,
        pre_master_secret: &[u8],
        session_hash: &[u8],
    ) -> MasterSecret {
        // RFC 7627, Section 4: master_secret = PRF(pre_master_secret,
        //   "extended master secret", session_hash)[0..47];
        MasterSecret::from_prf(
            hash,
            pre_master_secret,
            b"extended master secret",
            &[session_hash],
        )
    }

    /// The master secret of a resumed session (RFC 5246, Section 7.3: an
    /// abbreviated handshake reuses it); `None` unless `bytes` is 48 bytes.
    pub fn from_session(hash: HashAlgorithm, bytes: &[u8]) -> Option<MasterSecret> {
        let bytes = <[u8; MASTER_SECRET_LEN]>::try_from(bytes).ok()?;
        Some(MasterSecret {
            hash,
            bytes: Zeroizing::new(bytes),
        })
    }

    /// Returns PRF(pre_master_secret, label, seeds)[0..47] as a master secret.
    fn from_prf(
        hash: HashAlgorithm,
        pre_master_secret: &[u8],
        label: &[u8],
        seeds: &[&[u8]],
    ) -> MasterSecret {
        let mut bytes = Zeroizing::new([0; MASTER_SECRET_LEN]);
        prf(hash, pre_master_secret, label, seeds, &mut bytes[..]);
        MasterSecret { hash, bytes }
    }

    /// Returns the keys and IVs of both directions for `aead` (RFC 5246,
    /// Section 6.3).
    ///
    /// RFC 5246, Section 6.2.3.3: an AEAD suite uses no MAC key, and unused
    /// values are empty (Section 6.3), so the key block is just the two
    /// write keys and the two fixed IVs.
    pub fn key_block(
        &self,
        aead: AeadAlgorithm,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> KeyBlock {
        let key_len = aead.key_len();
        let iv_len = tls12_fixed_iv_len(aead);
        // RFC 5246, Section 6.3: key_block = PRF(SecurityParameters.master_secret,
        //   "key expansion", SecurityParameters.server_random +
        //   SecurityParameters.client_random);
        // Note the order: the server's random comes first here, unlike in
        // the master secret and the exporter.
        // Two keys and two IVs (lengths from the suite table, so no overflow).
        let block_len = key_len.saturating_add(iv_len).saturating_mul(2);
        let mut block = Zeroizing::new(vec![0; block_len]);
        prf(
            self.hash,
            &self.bytes[..],
            b"key expansion",
            &[server_random, client_random],
            &mut block,
        );
        // RFC 5246, Section 6.3: partitioned as client_write_MAC_key,
        // server_write_MAC_key (both empty here), client_write_key,
        // server_write_key, client_write_IV, server_write_IV. Taking from an
        // iterator cannot go out of bounds, and each part is allocated once
        // at its exact length, so no stray copy is left unwiped.
        let mut bytes = block.iter().copied();
        let mut take = |len: usize| Zeroizing::new(bytes.by_ref().take(len).collect::<Vec<u8>>());
        KeyBlock {
            client_write_key: take(key_len),
            server_write_key: take(key_len),
            client_write_iv: take(iv_len),
            server_write_iv: take(iv_len),
        }
    }

    /// Returns the verify_data of `side`'s Finished message (RFC 5246,
    /// Section 7.4.9), given `handshake_hash` = Hash(handshake_messages).
    ///
    /// RFC 5246, Section 7.4.9: the Hash must be the PRF's hash.
    pub fn verify_data(&self, side: FinishedLabel, handshake_hash: &[u8]) -> [u8; VERIFY_DATA_LEN] {
        // RFC 5246, Section 7.4.9: verify_data = PRF(master_secret,
        //   finished_label, Hash(handshake_messages))[0..verify_data_length-1];
        let mut verify_data = [0; VERIFY_DATA_LEN];
        prf(
            self.hash,
            &self.bytes[..],
            side.label(),
            &[handshake_hash],
            &mut verify_data,
        );
        verify_data
    }

    /// Returns `Ok` if `received` is the correct verify_data of `side`'s
    /// Finished over `handshake_hash`, and [`PeerMisbehaved::BadFinished`]
    /// otherwise.
    ///
    /// The comparison runs in constant time, so an attacker timing our
    /// rejections learns nothing about how much of a forged Finished matched.
    pub fn verify_finished(
        &self,
        side: FinishedLabel,
        handshake_hash: &[u8],
        received: &[u8],
    ) -> Result<(), Error> {
        // A length other than 12 is a malformed message (decode_error), not
        // a wrong value; the length is public, so checking it first leaks
        // nothing.
        if received.len() != VERIFY_DATA_LEN {
            return Err(InvalidMessage::LengthOutOfRange("Finished.verify_data").into());
        }
        let expected = self.verify_data(side, handshake_hash);
        match bool::from(expected.ct_eq(received)) {
            true => Ok(()),
            false => Err(PeerMisbehaved::BadFinished.into()),
        }
    }

    /// Fills `out` with keying material exported under `label` (RFC 5705,
    /// Section 4).
    ///
    /// RFC 5705, Section 4: a missing `context` (`None`) and an empty one
    /// (`Some(&[])`) give different output, unlike in TLS 1.3.
    ///
    /// Fails with [`Error::ApiMisuse`] for a label TLS itself uses with the
    /// PRF, or a context of 2^16 bytes or more.
    pub fn export(
        &self,
        label: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        // RFC 5705, Section 6: "client finished", "server finished", "master
        // secret" and "key expansion" are reserved and MUST NOT be used by an
        // exporter; RFC 7627 adds "extended master secret" to the labels TLS
        // uses. Finished and the key block are keyed with the master secret,
        // as exporters are, so an exporter with their labels could hand the
        // application TLS's own PRF output: with "key expansion" and
        // client_random equal to server_random (which a peer can arrange by
        // echoing the random it received), the exported bytes would be the
        // traffic keys.
        if RESERVED_EXPORTER_LABELS.contains(&label) {
            return Err(Error::ApiMisuse(
                "exporter label is reserved for TLS's own use of the PRF",
            ));
        }
        match context {
            // RFC 5705, Section 4: PRF(SecurityParameters.master_secret, label,
            //   SecurityParameters.client_random + SecurityParameters.server_random)
            None => prf(
                self.hash,
                &self.bytes[..],
                label,
                &[client_random, server_random],
                out,
            ),
            // RFC 5705, Section 4: ... + context_value_length + context_value,
            // where the length is a uint16, so a context is at most 2^16 - 1
            // bytes.
            Some(context) => {
                let context_len = u16::try_from(context.len())
                    .map_err(|_| Error::ApiMisuse("exporter context of 2^16 bytes or more"))?
                    .to_be_bytes();
                prf(
                    self.hash,
                    &self.bytes[..],
                    label,
                    &[client_random, server_random, &context_len, context],
                    out,
                );
            }
        }
        Ok(())
    }

    /// Returns the master secret's 48 bytes.
    ///
    /// Meant for the NSS key log's CLIENT_RANDOM line (SSLKEYLOGFILE) only:
    /// every copy made from here escapes zeroization.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..]
    }
}

impl core::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MasterSecret")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// The record protection keys and fixed IVs of both directions, split from
/// the key block of an AEAD suite (RFC 5246, Section 6.3).
pub struct KeyBlock {
    /// client_write_key: the AEAD key of records the client sends.
    pub client_write_key: Zeroizing<Vec<u8>>,
    /// server_write_key: the AEAD key of records the server sends.
    pub server_write_key: Zeroizing<Vec<u8>>,
    /// client_write_IV: the implicit nonce part of records the client sends,
    /// [`tls12_fixed_iv_len`] bytes long.
    pub client_write_iv: Zeroizing<Vec<u8>>,
    /// server_write_IV: the implicit nonce part of records the server sends,
    /// [`tls12_fixed_iv_len`] bytes long.
    pub server_write_iv: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyBlock").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: HashAlgorithm = HashAlgorithm::Sha256;
    const SHA384: HashAlgorithm = HashAlgorithm::Sha384;

    // Inputs of the known answers below: random bytes from `openssl rand -hex`.
    // In the openssl commands, $CR, $SR, ... stand for these hex strings.
    /// $PMS256: a 32-byte pre-master secret (the size of an X25519 share).
    const PMS256: &str = "aee621e6e2103ba81d64d4561c25301dc0a9274990fdf2001a6752d8bcbb8e88";
    /// $PMS384: a 48-byte pre-master secret (the size of a P-384 share).
    const PMS384: &str = "176cb4351b209e97c3b0de554f3224390ffbb4363eeca8c1
                          30e82f24dad4275612db01e985f3558672dbfcede047df30";
    /// $CR: ClientHello.random.
    const CLIENT_RANDOM: &str = "e9b9b2dd6b64528caf5f43a9641f9aab019a042f334aadafa55fea4f4ccd62b2";
    /// $SR: ServerHello.random.
    const SERVER_RANDOM: &str = "f4846ad7f41946b379c609a553647f4880649af5a32d35139e6d963bb20a3d30";
    /// $SH256: a SHA-256 session or handshake hash.
    const HASH256: &str = "4973a53f55d5d922a88cf3049a201e70233bdb1dbf13083be583c3d16d2d3897";
    /// $SH384: a SHA-384 session or handshake hash.
    const HASH384: &str = "8e4c91e491ab29e469cbe1d3fff0b67042dfc9572e0edc84
                           fb7fea24031c7dc74c23035ad405ffcfd9346f964a1384d6";
    /// $HH: another SHA-256 handshake hash, for Finished.
    const FINISHED_HASH256: &str =
        "3ab1a87090f482d404541b632433146c0b6e45cf0a48eae9dbd11ac072f3d630";

    // openssl kdf -keylen 48 -kdfopt digest:SHA2-256 -kdfopt hexsecret:$PMS256 \
    //   -kdfopt seed:"master secret" -kdfopt hexseed:$CR -kdfopt hexseed:$SR TLS1-PRF
    const MASTER256: &str = "e0e3883325ed9624ca9fd57dc1574147695430d1ab294fc8
                             bb368b6ddd71af22001bc773a3b09b337552e5e913798d49";
    // openssl kdf -keylen 48 -kdfopt digest:SHA2-384 -kdfopt hexsecret:$PMS384 \
    //   -kdfopt seed:"master secret" -kdfopt hexseed:$CR -kdfopt hexseed:$SR TLS1-PRF
    const MASTER384: &str = "b94af9ca09449c795f123fd2c67d0b06507d692c6b9ffba6
                             89f93a6f7cb7cc3602319cf03c2cf8c835bd7f69722cb47a";

    /// Decodes hex, ignoring whitespace.
    fn unhex(text: &str) -> Vec<u8> {
        hex::decode(text.split_whitespace().collect::<String>()).expect("test vector is hex")
    }

    /// Decodes 32 bytes of hex (a random).
    fn random(text: &str) -> [u8; 32] {
        unhex(text).try_into().expect("a random is 32 bytes")
    }

    /// Asserts that `actual` is the hex `expected`, printing both as hex.
    #[track_caller]
    fn assert_hex(actual: &[u8], expected: &str) {
        assert_eq!(hex::encode(actual), hex::encode(unhex(expected)));
    }

    /// Returns a master secret with known bytes.
    fn known_master(hash: HashAlgorithm, bytes: &str) -> MasterSecret {
        let bytes = unhex(bytes)
            .try_into()
            .expect("a master secret is 48 bytes");
        MasterSecret {
            hash,
            bytes: Zeroizing::new(bytes),
        }
    }

    /// The widely published P_SHA256 test vector (secret 9bbe43..., seed
    /// "test label" + a0ba9f...), all 100
    /// bytes; the rest from:
    /// openssl kdf -keylen 100 -kdfopt digest:SHA2-256 \
    ///   -kdfopt hexsecret:9bbe436ba940f017b17652849a71db35 -kdfopt seed:"test label" \
    ///   -kdfopt hexseed:a0ba9f936cda311827a6f796ffd5198c TLS1-PRF
    #[test]
    fn prf_sha256_known_answer() {
        const PUBLISHED_PREFIX: &str =
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa0";
        const OPENSSL: &str = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
                               6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
                               4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
                               87347b66";
        assert!(hex::encode(unhex(OPENSSL)).starts_with(PUBLISHED_PREFIX));
        let secret = unhex("9bbe436ba940f017b17652849a71db35");
        let seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
        let mut out = [0; 100];
        prf(SHA256, &secret, b"test label", &[&seed], &mut out);
        assert_hex(&out, OPENSSL);

        // Output is a prefix of longer output, and the seed may be split anywhere.
        let mut short = [0; 33];
        let (head, tail) = seed.split_at(5);
        prf(
            SHA256,
            &secret,
            b"test",
            &[b" label", head, &[], tail],
            &mut short,
        );
        assert_eq!(short[..], out[..33]);
        prf(SHA256, &secret, b"test label", &[&seed], &mut []);
    }

    /// openssl kdf -keylen 148 -kdfopt digest:SHA2-384 \
    ///   -kdfopt hexsecret:b80b733d6ceefcdc71566ea48e5567df -kdfopt seed:"test label" \
    ///   -kdfopt hexseed:cd665cf6a8447dd6ff8b27555edb7465 TLS1-PRF
    #[test]
    fn prf_sha384_known_answer() {
        let secret = unhex("b80b733d6ceefcdc71566ea48e5567df");
        let seed = unhex("cd665cf6a8447dd6ff8b27555edb7465");
        let mut out = [0; 148];
        prf(SHA384, &secret, b"test label", &[&seed], &mut out);
        assert_hex(
            &out,
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd
             e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd
             8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425
             9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6
             91c8f3a26854308d5eaa3be85e0990703d73e56f",
        );
    }

    #[test]
    fn master_secret_known_answers() {
        let (cr, sr) = (random(CLIENT_RANDOM), random(SERVER_RANDOM));
        let master = MasterSecret::derive(SHA256, &unhex(PMS256), &cr, &sr);
        assert_hex(master.as_bytes(), MASTER256);
        let master = MasterSecret::derive(SHA384, &unhex(PMS384), &cr, &sr);
        assert_hex(master.as_bytes(), MASTER384);
        // RFC 5246, Section 8.1: the client's random comes first.
        let swapped = MasterSecret::derive(SHA256, &unhex(PMS256), &sr, &cr);
        assert_ne!(
            hex::encode(swapped.as_bytes()),
            hex::encode(unhex(MASTER256))
        );
    }

    #[test]
    fn extended_master_secret_known_answers() {
        // openssl kdf -keylen 48 -kdfopt digest:SHA2-256 -kdfopt hexsecret:$PMS256 \
        //   -kdfopt seed:"extended master secret" -kdfopt hexseed:$SH256 TLS1-PRF
        let master = MasterSecret::derive_extended(SHA256, &unhex(PMS256), &unhex(HASH256));
        assert_hex(
            master.as_bytes(),
            "224748c89a29b577c38c183318c930233994ea88a95a36b1
             3d082d1aca5209551a5790b2a471acc1abf01b9cd1b3c3fc",
        );
        // openssl kdf -keylen 48 -kdfopt digest:SHA2-384 -kdfopt hexsecret:$PMS384 \
        //   -kdfopt seed:"extended master secret" -kdfopt hexseed:$SH384 TLS1-PRF
        let master = MasterSecret::derive_extended(SHA384, &unhex(PMS384), &unhex(HASH384));
        assert_hex(
            master.as_bytes(),
            "db259b2b8d9a9d1a754d533cda89ae1cc5dd854b6a2bbcc2
             db809266963f8bbcae6a7448750f3561ceef09e98b19b0b1",
        );
    }

    // 88 bytes of SHA-256 key expansion, enough for ChaCha20-Poly1305;
    // AES-128-GCM takes the first 40.
    // openssl kdf -keylen 88 -kdfopt digest:SHA2-256 -kdfopt hexsecret:$MASTER256 \
    //   -kdfopt seed:"key expansion" -kdfopt hexseed:$SR -kdfopt hexseed:$CR TLS1-PRF
    // = 2b19c715135e16b751bdc9ad765483dd 8f64c2aa8d90097c0ca5605a39b3cc73
    //   19c4b86e8a8282c68f5baed768fdf3b5 424dbfd158149086771a239a1b5d25d7
    //   967df332d994f944b9ad604a 6c5f50760ae838e6cc8c0e92
    // 72 bytes of SHA-384 key expansion, for AES-256-GCM:
    // openssl kdf -keylen 72 -kdfopt digest:SHA2-384 -kdfopt hexsecret:$MASTER384 \
    //   -kdfopt seed:"key expansion" -kdfopt hexseed:$SR -kdfopt hexseed:$CR TLS1-PRF
    /// Master secret, AEAD, and the expected client_write_key,
    /// server_write_key, client_write_IV and server_write_IV.
    const KEY_BLOCKS: [(HashAlgorithm, &str, AeadAlgorithm, [&str; 4]); 3] = [
        (
            SHA256,
            MASTER256,
            AeadAlgorithm::Aes128Gcm,
            [
                "2b19c715135e16b751bdc9ad765483dd",
                "8f64c2aa8d90097c0ca5605a39b3cc73",
                "19c4b86e",
                "8a8282c6",
            ],
        ),
        (
            SHA256,
            MASTER256,
            AeadAlgorithm::Chacha20Poly1305,
            [
                "2b19c715135e16b751bdc9ad765483dd8f64c2aa8d90097c0ca5605a39b3cc73",
                "19c4b86e8a8282c68f5baed768fdf3b5424dbfd158149086771a239a1b5d25d7",
                "967df332d994f944b9ad604a",
                "6c5f50760ae838e6cc8c0e92",
            ],
        ),
        (
            SHA384,
            MASTER384,
            AeadAlgorithm::Aes256Gcm,
            [
                "2ae324fcd996e97b554c3198538812608f6d8a61448204cb792536460a7e62c0",
                "cf007ed8b93a3d69100c3357f232c45b1374ad5a98956ce20e00304fb94b1cbd",
                "0669eaa9",
                "fd21b458",
            ],
        ),
    ];

    #[test]
    fn key_block_splits_for_each_aead() {
        let (cr, sr) = (random(CLIENT_RANDOM), random(SERVER_RANDOM));
        for (hash, master, aead, [ck, sk, civ, siv]) in KEY_BLOCKS {
            let block = known_master(hash, master).key_block(aead, &cr, &sr);
            assert_hex(&block.client_write_key, ck);
            assert_hex(&block.server_write_key, sk);
            assert_hex(&block.client_write_iv, civ);
            assert_hex(&block.server_write_iv, siv);
        }
    }

    #[test]
    fn fixed_iv_lengths() {
        assert_eq!(tls12_fixed_iv_len(AeadAlgorithm::Aes128Gcm), 4);
        assert_eq!(tls12_fixed_iv_len(AeadAlgorithm::Aes256Gcm), 4);
        assert_eq!(tls12_fixed_iv_len(AeadAlgorithm::Chacha20Poly1305), 12);
    }

    // openssl kdf -keylen 12 -kdfopt digest:SHA2-256 -kdfopt hexsecret:$MASTER256 \
    //   -kdfopt seed:"client finished" -kdfopt hexseed:$HH TLS1-PRF   (and "server finished")
    // openssl kdf -keylen 12 -kdfopt digest:SHA2-384 -kdfopt hexsecret:$MASTER384 \
    //   -kdfopt seed:"client finished" -kdfopt hexseed:$SH384 TLS1-PRF   (and "server finished")
    /// Master secret, Hash(handshake_messages), and the expected client and
    /// server verify_data.
    const VERIFY_DATA: [(HashAlgorithm, &str, &str, [&str; 2]); 2] = [
        (
            SHA256,
            MASTER256,
            FINISHED_HASH256,
            ["0a8db5827a4a153f4ec75b69", "e84a0bd216d1f695c50fec08"],
        ),
        (
            SHA384,
            MASTER384,
            HASH384,
            ["586db60dde6e6f57d23cf9b4", "cfb0d5355d69b6056f3f8235"],
        ),
    ];

    #[test]
    fn verify_data_known_answers() {
        let bad = Err(Error::PeerMisbehaved(PeerMisbehaved::BadFinished));
        for (hash, master, handshake_hash, [client, server]) in VERIFY_DATA {
            let master = known_master(hash, master);
            let handshake_hash = unhex(handshake_hash);
            for (side, expected, other) in [
                (FinishedLabel::Client, client, server),
                (FinishedLabel::Server, server, client),
            ] {
                let verify_data = master.verify_data(side, &handshake_hash);
                assert_hex(&verify_data, expected);
                assert_eq!(
                    master.verify_finished(side, &handshake_hash, &verify_data),
                    Ok(())
                );
                // The other side's verify_data (the wrong lengths are a
                // decode_error, see below).
                let wrong = unhex(other);
                assert_eq!(master.verify_finished(side, &handshake_hash, &wrong), bad);
            }
        }
    }

    #[test]
    fn a_verify_data_of_the_wrong_length_is_decode_error() {
        let (hash, master, handshake_hash, [client, _]) = VERIFY_DATA[0];
        let master = known_master(hash, master);
        let handshake_hash = unhex(handshake_hash);
        let good = unhex(client);
        for wrong in [&good[..11], &[][..], &[&good[..], &[0]].concat()[..]] {
            let err = master
                .verify_finished(FinishedLabel::Client, &handshake_hash, wrong)
                .unwrap_err();
            assert_eq!(
                err.alert(),
                Some(crate::codec::AlertDescription::DECODE_ERROR)
            );
        }
    }

    #[test]
    fn exporter_known_answers() {
        let (cr, sr) = (random(CLIENT_RANDOM), random(SERVER_RANDOM));
        let master = known_master(SHA256, MASTER256);
        let label = b"EXPORTER-keyway-test";
        let export = |context: Option<&[u8]>| {
            let mut out = [0; 40];
            master.export(label, &cr, &sr, context, &mut out).unwrap();
            out
        };
        // openssl kdf -keylen 40 -kdfopt digest:SHA2-256 -kdfopt hexsecret:$MASTER256 \
        //   -kdfopt seed:"EXPORTER-keyway-test" -kdfopt hexseed:$CR -kdfopt hexseed:$SR TLS1-PRF
        assert_hex(
            &export(None),
            "e3f4d38f691dc6bf1f0935c0586545df220539c0dbf580c528c2d488f873c1fe4ee4e447f389c89f",
        );
        // ... -kdfopt hexseed:$CR -kdfopt hexseed:$SR -kdfopt hexseed:0000 TLS1-PRF
        assert_hex(
            &export(Some(&[])),
            "f5d7ce44b6a787324aa9441fd5bbf1a6462c989d5e42b148a9b5b6a729ef0a01df058a9ba72a3553",
        );
        // ... -kdfopt hexseed:$CR -kdfopt hexseed:$SR -kdfopt hexseed:0005 \
        //   -kdfopt hexseed:68656c6c6f TLS1-PRF   ("hello")
        assert_hex(
            &export(Some(b"hello")),
            "62081377a7a999fa40bb3003ce5fd0d8d85174d720e87351d870d1a06766748232c39f78c6a7e9ef",
        );

        // openssl kdf -keylen 100 -kdfopt digest:SHA2-384 -kdfopt hexsecret:$MASTER384 \
        //   -kdfopt seed:"EXPORTER-keyway-test" -kdfopt hexseed:$CR -kdfopt hexseed:$SR \
        //   -kdfopt hexseed:0003 -kdfopt hexseed:010203 TLS1-PRF
        let master384 = known_master(SHA384, MASTER384);
        let mut out = [0; 100];
        master384
            .export(label, &cr, &sr, Some(&[1, 2, 3]), &mut out)
            .unwrap();
        assert_hex(
            &out,
            "660ed4a0901dd5b97487e7359271e97526c8077459876a7c164fad772daa51b3
             c6092c4c4f9881ee9fd67bef7b91a44c9483f75447847a713bf44fe77634ff76
             77c77c59644802b1532ed6c3a74b4dd12d84a41f606a991786d8df7075443fb7
             3edafb4b",
        );
    }

    #[test]
    fn exporter_refuses_reserved_labels_and_long_contexts() {
        let (cr, sr) = (random(CLIENT_RANDOM), random(SERVER_RANDOM));
        let master = known_master(SHA256, MASTER256);
        let mut out = [0; 16];
        for label in RESERVED_EXPORTER_LABELS {
            assert!(matches!(
                master.export(label, &cr, &sr, None, &mut out),
                Err(Error::ApiMisuse(_))
            ));
        }
        let longest = vec![0; usize::from(u16::MAX)];
        assert_eq!(
            master.export(b"EXPORTER-x", &cr, &sr, Some(&longest), &mut out),
            Ok(())
        );
        let too_long = vec![0; usize::from(u16::MAX) + 1];
        assert!(matches!(
            master.export(b"EXPORTER-x", &cr, &sr, Some(&too_long), &mut out),
            Err(Error::ApiMisuse(_))
        ));
    }

    #[test]
    fn debug_prints_no_secret_bytes() {
        let master = known_master(SHA256, MASTER256);
        assert_eq!(format!("{master:?}"), "MasterSecret { hash: Sha256, .. }");
        let block = master.key_block(
            AeadAlgorithm::Aes128Gcm,
            &random(CLIENT_RANDOM),
            &random(SERVER_RANDOM),
        );
        assert_eq!(format!("{block:?}"), "KeyBlock { .. }");
    }
}
