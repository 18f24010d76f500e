//! Shared by the integration tests, the benches and the demo: a generated
//! test PKI and an in-memory transport between a client and a server.
#![allow(dead_code)]

pub mod ocsp;
pub mod process;
#[cfg(feature = "rsa-kx")]
pub mod rsa_kx;
pub mod side_by_side;

use std::sync::Arc;

use keyway::{
    ClientConfig, ClientConnection, Connection, Error, RootStore, ServerConfig, ServerConnection,
};

/// The key type of a generated leaf certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa2048,
}

impl KeyKind {
    pub const ALL: [KeyKind; 4] = [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Ed25519,
        KeyKind::Rsa2048,
    ];

    pub fn name(self) -> &'static str {
        match self {
            KeyKind::EcdsaP256 => "ecdsa-p256",
            KeyKind::EcdsaP384 => "ecdsa-p384",
            KeyKind::Ed25519 => "ed25519",
            KeyKind::Rsa2048 => "rsa2048",
        }
    }

    fn key_pair(self) -> rcgen::KeyPair {
        match self {
            KeyKind::EcdsaP256 => {
                rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
            }
            KeyKind::EcdsaP384 => {
                rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap()
            }
            KeyKind::Ed25519 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
            KeyKind::Rsa2048 => rsa_key_pair(2048),
        }
    }
}

/// ring cannot generate RSA keys: the RSA key of `bits` bits
/// testdata/make-keys.sh made.
fn rsa_key_pair(bits: u32) -> rcgen::KeyPair {
    let pem = std::fs::read_to_string(format!(
        "{}/testdata/rsa{bits}.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    rcgen::KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap()
}

/// A root CA, an intermediate CA and a leaf for some names, as DER and PEM.
pub struct TestPki {
    pub root_der: Vec<u8>,
    pub root_pem: String,
    pub intermediate_der: Vec<u8>,
    pub leaf_der: Vec<u8>,
    /// Leaf then intermediate, PEM (like certbot's fullchain.pem).
    pub chain_pem: String,
    pub leaf_pem: String,
    pub intermediate_pem: String,
    /// The leaf's private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The leaf's private key, PKCS#8 DER (as rcgen made it).
    pub key_der: Vec<u8>,
    pub root_subject: String,
    /// The intermediate CA's private key, PKCS#8 PEM (it signs OCSP responses).
    pub intermediate_key_pem: String,
}

fn ca_params(cn: &str) -> rcgen::CertificateParams {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    params
}

impl TestPki {
    /// Generates root -> intermediate (both ECDSA P-256) -> leaf (`kind`) valid for `names`.
    pub fn generate(kind: KeyKind, names: &[&str]) -> TestPki {
        Self::generate_with(kind, names, |_| {})
    }

    /// As [`TestPki::generate`], with `adjust` applied to the leaf's parameters
    /// before it is signed (to make it expired, say).
    pub fn generate_with(
        kind: KeyKind,
        names: &[&str],
        adjust: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> TestPki {
        Self::generate_for_key(kind.key_pair(), kind == KeyKind::Ed25519, names, adjust)
    }

    /// As [`TestPki::generate`], the leaf on the RSA key of `bits` bits
    /// testdata/make-keys.sh made (2048, 3072 or 4096), for the RSA key
    /// exchange bench at each size.
    pub fn generate_rsa(bits: u32, names: &[&str]) -> TestPki {
        Self::generate_for_key(rsa_key_pair(bits), false, names, |_| {})
    }

    fn generate_for_key(
        leaf_key: rcgen::KeyPair,
        ed25519: bool,
        names: &[&str],
        adjust: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> TestPki {
        let root_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        // A distinct root name per PKI, so that a second PKI's root is truly unknown
        // to the first one's clients rather than a same-name impostor.
        let root_name = format!("keyway test root CA {}", unique());
        let root_params = ca_params(&root_name);
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = rcgen::Issuer::new(root_params, root_key);

        let int_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let intermediate_key_pem = int_key.serialize_pem();
        let int_params = ca_params("keyway test intermediate CA");
        let intermediate = int_params.signed_by(&int_key, &root_issuer).unwrap();
        let int_issuer = rcgen::Issuer::new(int_params, int_key);

        let mut leaf_params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        leaf_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().copied().unwrap_or("leaf"),
        );
        leaf_params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        adjust(&mut leaf_params);
        let leaf = leaf_params.signed_by(&leaf_key, &int_issuer).unwrap();

        TestPki {
            root_der: root.der().to_vec(),
            root_pem: root.pem(),
            intermediate_der: intermediate.der().to_vec(),
            leaf_der: leaf.der().to_vec(),
            chain_pem: format!("{}{}", leaf.pem(), intermediate.pem()),
            leaf_pem: leaf.pem(),
            intermediate_pem: intermediate.pem(),
            key_der: leaf_key.serialize_der(),
            key_pem: match ed25519 {
                true => ed25519_pkcs8_v1_pem(&leaf_key.serialize_der()),
                false => leaf_key.serialize_pem(),
            },
            root_subject: format!("CN={root_name}"),
            intermediate_key_pem,
        }
    }

    pub fn root_store(&self) -> RootStore {
        let mut roots = RootStore::new();
        roots.add_der(&self.root_der).unwrap();
        roots
    }

    pub fn certified_key(&self) -> keyway::CertifiedKey {
        let key =
            keyway::pki::pem::load_private_key_pem(self.key_pem.as_bytes(), "test key").unwrap();
        keyway::CertifiedKey {
            chain: vec![self.leaf_der.clone(), self.intermediate_der.clone()],
            key: Arc::new(key),
            ocsp_response: None,
        }
    }

    /// Writes chain.pem, key.pem and root.pem into a fresh directory.
    pub fn write_files(&self, tag: &str) -> PkiFiles {
        let dir = std::env::temp_dir().join(format!(
            "keyway-{}-{}-{}",
            tag,
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let files = PkiFiles {
            chain: dir.join("chain.pem"),
            leaf: dir.join("leaf.pem"),
            intermediate: dir.join("intermediate.pem"),
            key: dir.join("key.pem"),
            root: dir.join("root.pem"),
            dir,
        };
        std::fs::write(&files.chain, &self.chain_pem).unwrap();
        std::fs::write(&files.leaf, &self.leaf_pem).unwrap();
        std::fs::write(&files.intermediate, &self.intermediate_pem).unwrap();
        std::fs::write(&files.key, &self.key_pem).unwrap();
        std::fs::write(&files.root, &self.root_pem).unwrap();
        files
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Paths of a PKI written to disk; the directory is removed on drop.
pub struct PkiFiles {
    pub dir: std::path::PathBuf,
    pub chain: std::path::PathBuf,
    pub leaf: std::path::PathBuf,
    pub intermediate: std::path::PathBuf,
    pub key: std::path::PathBuf,
    pub root: std::path::PathBuf,
}

impl Drop for PkiFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The largest ClientHello a TLS 1.3 server must accept: 32,767 cipher
/// suites (ours last) and an extension block filled to 65,535 bytes with
/// distinct empty extensions in front of the real ones. (A TLS 1.2 hello may
/// add 254 compression methods, up to `MAX_CLIENT_HELLO`.)
pub fn largest_client_hello(
    mut ch: keyway::codec::messages::ClientHello,
) -> keyway::codec::messages::ClientHello {
    let ours = ch.cipher_suites.clone();
    let filler = (0..32_767 - ours.len() as u16).map(|i| keyway::CipherSuite(0x6000 + i));
    ch.cipher_suites = filler.chain(ours).collect();
    let mut own = Vec::new();
    keyway::codec::extensions::encode_extensions(
        &mut keyway::codec::Writer::new(&mut own),
        &ch.extensions,
    );
    let room = (65_535 - (own.len() - 2)) / 4;
    let filler = (0..room as u16).map(|i| {
        keyway::codec::extensions::Extension::Unknown(
            keyway::codec::ExtensionType(0x1000 + i),
            Vec::new(),
        )
    });
    ch.extensions.splice(0..0, filler);
    ch
}

/// Moves all queued TLS bytes from `from` to `to` and lets `to` process them.
pub fn transfer(from: &mut Connection, to: &mut Connection) -> Result<usize, Error> {
    let bytes = from.take_tls();
    let mut offset = 0;
    while offset < bytes.len() {
        offset += to.read_tls_bytes(&bytes[offset..])?;
        to.process()?;
    }
    Ok(bytes.len())
}

/// Runs the handshake to completion in memory; returns the first error from either side.
pub fn handshake(client: &mut Connection, server: &mut Connection) -> Result<(), Error> {
    for _ in 0..20 {
        if !client.is_handshaking()
            && !server.is_handshaking()
            && !client.wants_write()
            && !server.wants_write()
        {
            return Ok(());
        }
        transfer(client, server)?;
        transfer(server, client)?;
    }
    panic!("handshake did not complete in 20 flights");
}

/// Builds a connected client and server pair from configs and runs the handshake.
pub fn connect(
    client_config: ClientConfig,
    server_config: ServerConfig,
    server_name: &str,
) -> (ClientConnection, ServerConnection, Result<(), Error>) {
    let mut client = ClientConnection::new(Arc::new(client_config), server_name).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config));
    let result = handshake(&mut client, &mut server);
    (client, server, result)
}

/// Sends `data` from one side and reads it all on the other.
pub fn send(from: &mut Connection, to: &mut Connection, data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    from.write_plaintext(data).unwrap();
    transfer(from, to).unwrap();
    let mut out = vec![0u8; data.len()];
    let mut got = 0;
    while got < data.len() {
        let n = to.reader().read(&mut out[got..]).unwrap();
        assert!(
            n > 0,
            "the reader ended after {got} of {} bytes",
            data.len()
        );
        got += n;
    }
    out
}

/// Rewrites an Ed25519 PKCS#8 v2 key (rcgen's output, which OpenSSL 3.0 refuses)
/// as the PKCS#8 v1 form every tool reads: the fixed RFC 8410 prefix and the seed.
fn ed25519_pkcs8_v1_pem(v2_der: &[u8]) -> String {
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let seed_at = v2_der
        .windows(4)
        .position(|w| w == [0x04, 0x22, 0x04, 0x20])
        .unwrap()
        + 4;
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(&v2_der[seed_at..seed_at + 32]);
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&der)
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Records the handshake messages each side sends, in order.
#[derive(Debug, Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<(keyway::events::Side, &'static str)>>);

impl keyway::events::Observer for Recorder {
    fn on_event(&self, side: keyway::events::Side, event: &keyway::events::Event<'_>) {
        use keyway::codec::messages::HandshakeMessage;
        use keyway::codec::HandshakeType as H;
        use keyway::events::Event;
        let name = match event {
            Event::Sent(HandshakeMessage::HelloRetryRequest(_)) => "HelloRetryRequest",
            Event::Sent(m) => match m.handshake_type() {
                H::CLIENT_HELLO => "ClientHello",
                H::SERVER_HELLO => "ServerHello",
                H::ENCRYPTED_EXTENSIONS => "EncryptedExtensions",
                H::CERTIFICATE_REQUEST => "CertificateRequest",
                H::CERTIFICATE => "Certificate",
                H::CERTIFICATE_STATUS => "CertificateStatus",
                H::SERVER_KEY_EXCHANGE => "ServerKeyExchange",
                H::SERVER_HELLO_DONE => "ServerHelloDone",
                H::CLIENT_KEY_EXCHANGE => "ClientKeyExchange",
                H::CERTIFICATE_VERIFY => "CertificateVerify",
                H::FINISHED => "Finished",
                H::NEW_SESSION_TICKET => "NewSessionTicket",
                H::END_OF_EARLY_DATA => "EndOfEarlyData",
                _ => "other",
            },
            Event::SentChangeCipherSpec => "ChangeCipherSpec",
            _ => return,
        };
        self.0.lock().unwrap().push((side, name));
    }
}
pub mod mitm;

/// Counts the KeyUpdate messages a connection receives.
#[derive(Debug, Default)]
pub struct KeyUpdates(std::sync::atomic::AtomicUsize);

impl KeyUpdates {
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl keyway::events::Observer for KeyUpdates {
    fn on_event(&self, _: keyway::events::Side, event: &keyway::events::Event<'_>) {
        if let keyway::events::Event::Received(
            keyway::codec::messages::HandshakeMessage::KeyUpdate(_),
        ) = event
        {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// A multi-threaded tokio runtime with 2 workers, timers and I/O on.
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A clock a test moves by hand.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<std::time::SystemTime>);

impl ManualClock {
    /// A clock at 2030-01-01T00:00:00Z.
    pub fn new() -> std::sync::Arc<ManualClock> {
        let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_893_456_000);
        std::sync::Arc::new(ManualClock(std::sync::Mutex::new(start)))
    }

    pub fn advance(&self, by: std::time::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl keyway::session::Clock for ManualClock {
    fn now(&self) -> std::time::SystemTime {
        *self.0.lock().unwrap()
    }
}
