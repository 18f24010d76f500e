//! Command-line handling shared by the client and server examples.
#![allow(dead_code)]

use std::sync::Arc;

use keyway::{CipherSuite, NamedGroup, ProtocolVersion};

#[cfg(feature = "tokio")]
pub mod accept;

/// Minimal `--flag value` parser: flags and their values in order.
pub struct Args {
    args: Vec<String>,
}

impl Args {
    pub fn from_env() -> Self {
        Self {
            args: std::env::args().skip(1).collect(),
        }
    }

    /// Removes and returns the last argument if it is neither a flag nor the
    /// value of one of `with_value` (a URL after the flags, say).
    pub fn take_positional(&mut self, with_value: &[&str]) -> Option<String> {
        let n = self.args.len();
        let last = self.args.last()?;
        let is_value = n >= 2 && with_value.contains(&self.args[n - 2].as_str());
        if last.starts_with("--") || is_value {
            return None;
        }
        self.args.pop()
    }

    /// The value after `--name`, if given.
    pub fn value(&self, name: &str) -> Option<String> {
        let pos = self.args.iter().position(|a| a == name)?;
        self.args.get(pos + 1).cloned()
    }

    /// The value after each `--name`, for a flag that may be repeated.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.args
            .windows(2)
            .filter(|pair| pair[0] == name)
            .map(|pair| pair[1].clone())
            .collect()
    }

    /// True if `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }

    /// Refuses flags not in `known` (those in `with_value` take a value).
    pub fn check(&self, with_value: &[&str], switches: &[&str], usage: &str) {
        let mut i = 0;
        while i < self.args.len() {
            let a = self.args[i].as_str();
            if with_value.contains(&a) && i + 1 < self.args.len() {
                i += 2;
            } else if switches.contains(&a) {
                i += 1;
            } else {
                fail_usage(&format!("unexpected argument {a:?}"), usage);
            }
        }
    }
}

pub fn fail_usage(problem: &str, usage: &str) -> ! {
    eprintln!("error: {problem}\n\nusage: {usage}");
    std::process::exit(2);
}

/// Parses a comma- (or colon-) separated list of TLS 1.3 and TLS 1.2 suites
/// (IANA or OpenSSL names). The library speaks a version only when the list
/// has a suite for it, so a list of TLS 1.2 suites alone means TLS 1.2 alone.
pub fn parse_suites(list: &str) -> Result<Vec<CipherSuite>, String> {
    list.split([',', ':'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            CipherSuite::from_name(s.trim()).ok_or_else(|| format!("unknown cipher suite {s:?}"))
        })
        .collect()
}

/// Parses a comma- (or colon-) separated list of groups (IANA or OpenSSL names).
pub fn parse_groups(list: &str) -> Result<Vec<NamedGroup>, String> {
    list.split([',', ':'])
        .filter(|s| !s.is_empty())
        .map(|s| NamedGroup::from_name(s.trim()).ok_or_else(|| format!("unknown group {s:?}")))
        .collect()
}

/// Parses a comma-separated ALPN list.
pub fn parse_alpn(list: &str) -> Vec<Vec<u8>> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.as_bytes().to_vec())
        .collect()
}

/// The versions selected by `--tls13` / `--tls12` (both or neither: all).
pub fn versions(args: &Args) -> Vec<ProtocolVersion> {
    match (args.flag("--tls13"), args.flag("--tls12")) {
        (true, false) => vec![ProtocolVersion::TLS13],
        (false, true) => vec![ProtocolVersion::TLS12],
        _ => vec![ProtocolVersion::TLS13, ProtocolVersion::TLS12],
    }
}

/// Whether `--rsa-kx` asks for the TLS 1.2 RSA key exchange suites. Without
/// the `rsa-kx` feature the library cannot do it, so say how to get it and
/// exit with status 2 (a usage error) rather than silently ignore the flag.
pub fn rsa_kx(args: &Args) -> bool {
    let wanted = args.flag("--rsa-kx");
    if wanted && !cfg!(feature = "rsa-kx") {
        eprintln!(
            "error: --rsa-kx needs the RSA key exchange, which this build leaves out: \
rebuild with --features rsa-kx"
        );
        std::process::exit(2);
    }
    wanted
}

/// What every server example is given: the flags, the address to listen
/// on, the config they ask for, and the certificates it serves (to reload).
pub struct ServerArgs {
    pub args: Args,
    pub addr: String,
    pub config: keyway::ServerConfig,
    pub sites: Sites,
}

/// The usage text of the flags [`server_args`] takes besides `--addr`,
/// `--cert` and `--key`, as a literal for `concat!` in usage lines.
#[macro_export]
macro_rules! server_flags {
    () => {
        "[--tls13] [--tls12] [--ciphers LIST] [--rsa-kx] [--groups LIST] [--alpn LIST] \
[--hrr-cookie] [--client-ca ROOTS.pem [--require-client-cert]] [--optional-ems] \
[--max-handshake-message BYTES] [--tickets N] [--ticket-key-file FILE] \
[--session-cache N] [--early-data BYTES] \
[--ocsp RESPONSE.der] [--sni NAME=CHAIN.pem,KEY.pem[,RESPONSE.der]]... [--strict-sni]"
    };
}

/// Parses and checks the flags every server example takes (`--addr`,
/// `--cert`, `--key` and those of [`server_flags!`]) plus `extra_switches`,
/// loads the certificates and builds
/// the config (with `default_alpn` when `--alpn` is not given); exits with
/// status 2 on a usage error and 1 on a config error. Secrets go to
/// `$SSLKEYLOGFILE` when it is set.
pub fn server_args(usage: &str, extra_switches: &[&str], default_alpn: Option<&str>) -> ServerArgs {
    let args = Args::from_env();
    let switches = [
        "--tls13",
        "--tls12",
        "--rsa-kx",
        "--hrr-cookie",
        "--require-client-cert",
        "--optional-ems",
        "--strict-sni",
    ];
    args.check(
        &[
            "--addr",
            "--cert",
            "--key",
            "--ocsp",
            "--sni",
            "--ciphers",
            "--groups",
            "--alpn",
            "--client-ca",
            "--max-handshake-message",
            "--tickets",
            "--ticket-key-file",
            "--session-cache",
            "--early-data",
        ],
        &[&switches[..], extra_switches].concat(),
        usage,
    );
    if args.flag("--require-client-cert") && args.value("--client-ca").is_none() {
        fail_usage("--require-client-cert needs --client-ca", usage);
    }
    let (Some(addr), Some(cert), Some(key)) = (
        args.value("--addr"),
        args.value("--cert"),
        args.value("--key"),
    ) else {
        fail_usage("--addr, --cert and --key are required", usage)
    };
    let default = CertFiles {
        chain: cert,
        key,
        ocsp: args.value("--ocsp"),
    };
    let named = args
        .values("--sni")
        .iter()
        .map(|spec| parse_sni(spec).unwrap_or_else(|why| fail_usage(&why, usage)))
        .collect();
    let rsa_kx = rsa_kx(&args);
    let built = Sites::load(default, named, args.flag("--strict-sni")).and_then(|sites| {
        let config = server_config(&args, &sites, rsa_kx, default_alpn)?;
        Ok((sites, config))
    });
    match built {
        Ok((sites, config)) => ServerArgs {
            args,
            addr,
            config,
            sites,
        },
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// The files of one certificate: a PEM chain (certbot's fullchain.pem), its
/// PEM key, and optionally a DER OCSP response to staple.
#[derive(Debug, Clone)]
pub struct CertFiles {
    pub chain: String,
    pub key: String,
    pub ocsp: Option<String>,
}

impl CertFiles {
    fn load(&self) -> Result<keyway::CertifiedKey, keyway::Error> {
        let certified_key = keyway::CertifiedKey::from_pem_files(&self.chain, &self.key)?;
        match &self.ocsp {
            Some(ocsp) => certified_key.with_ocsp_response_file(ocsp),
            None => Ok(certified_key),
        }
    }
}

/// `NAME=CHAIN,KEY[,OCSP]`, as `--sni` takes it.
fn parse_sni(spec: &str) -> Result<(String, CertFiles), String> {
    let bad = || format!("--sni takes NAME=CHAIN,KEY[,OCSP], not {spec:?}");
    let (name, files) = spec.split_once('=').ok_or_else(bad)?;
    let mut files = files.split(',');
    let (Some(chain), Some(key)) = (files.next(), files.next()) else {
        return Err(bad());
    };
    let ocsp = files.next().map(String::from);
    if files.next().is_some() || name.is_empty() {
        return Err(bad());
    }
    let files = CertFiles {
        chain: chain.into(),
        key: key.into(),
        ocsp,
    };
    Ok((name.to_string(), files))
}

/// The certificates a server example serves, by name, and the files they
/// come from, so that they can be loaded again (after a renewal).
pub struct Sites {
    pub table: std::sync::Arc<keyway::CertificatesByName>,
    default: CertFiles,
    named: Vec<(String, CertFiles)>,
}

impl Sites {
    /// Loads every certificate; the first that fails its checks is the error.
    fn load(
        default: CertFiles,
        named: Vec<(String, CertFiles)>,
        strict: bool,
    ) -> Result<Sites, String> {
        let table = keyway::CertificatesByName::new().strict(strict);
        table
            .set_default(default.load().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        for (name, files) in &named {
            let certified_key = files.load().map_err(|e| format!("--sni {name}: {e}"))?;
            table
                .insert(name, certified_key)
                .map_err(|e| e.to_string())?;
        }
        Ok(Sites {
            table: std::sync::Arc::new(table),
            default,
            named,
        })
    }

    /// Loads every certificate again from its files and puts it in place.
    /// New connections get the new certificates; open ones keep theirs. A
    /// certificate whose files fail (unreadable, key not matching, expired,
    /// a bad OCSP response) keeps the one it had. Returns a line per site.
    pub fn reload(&self) -> Vec<String> {
        let sites = std::iter::once(("(default)", &self.default)).chain(
            self.named
                .iter()
                .map(|(name, files)| (name.as_str(), files)),
        );
        sites
            .map(|(name, files)| {
                let loaded = files.load().and_then(|certified_key| match name {
                    "(default)" => self.table.set_default(certified_key),
                    name => self.table.insert(name, certified_key),
                });
                match loaded {
                    Ok(()) => format!("reloaded {name} from {}", files.chain),
                    Err(e) => format!("kept the old certificate for {name}: {e}"),
                }
            })
            .collect()
    }

    /// Reloads on every SIGHUP, in a thread of its own, and prints what each
    /// reload did. (tokio, already a dev-dependency of the examples, does
    /// the signal handling safely; std has none.)
    #[cfg(unix)]
    pub fn reload_on_sighup(self) {
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a signal runtime");
            runtime.block_on(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let mut hangups = signal(SignalKind::hangup()).expect("a SIGHUP handler");
                while hangups.recv().await.is_some() {
                    for line in self.reload() {
                        eprintln!("{line}");
                    }
                }
            });
        });
    }
}

fn server_config(
    args: &Args,
    sites: &Sites,
    rsa_kx: bool,
    default_alpn: Option<&str>,
) -> Result<keyway::ServerConfig, String> {
    let mut builder = keyway::ServerConfig::builder()
        .cert_resolver(sites.table.clone())
        .versions(&versions(args))
        .key_log(std::sync::Arc::new(keyway::keylog::KeyLogFile::from_env()))
        .hello_retry_cookie(args.flag("--hrr-cookie"));
    #[cfg(feature = "rsa-kx")]
    if rsa_kx {
        builder = builder.enable_rsa_key_exchange();
    }
    #[cfg(not(feature = "rsa-kx"))]
    let _ = rsa_kx; // rsa_kx() already refused the flag.
    if let Some(list) = args.value("--ciphers") {
        builder = builder.cipher_suites(&parse_suites(&list)?);
    }
    if let Some(list) = args.value("--groups") {
        builder = builder.groups(&parse_groups(&list)?);
    }
    if let Some(list) = args.value("--alpn").or(default_alpn.map(String::from)) {
        let alpn = parse_alpn(&list);
        builder = builder.alpn(&alpn.iter().map(|p| p.as_slice()).collect::<Vec<_>>());
    }
    if let Some(roots) = args.value("--client-ca") {
        let roots = keyway::RootStore::from_pem_file(&roots).map_err(|e| e.to_string())?;
        let verifier = keyway::pki::DefaultClientVerifier::new(Arc::new(roots));
        builder = builder.client_auth(Arc::new(match args.flag("--require-client-cert") {
            true => verifier,
            false => verifier.allow_unauthenticated(),
        }));
    }
    if args.flag("--optional-ems") {
        builder = builder.require_extended_master_secret(false);
    }
    if let Some(bytes) = args.value("--max-handshake-message") {
        let mut limits = keyway::Limits::default();
        limits.max_handshake_message = number(&bytes, "--max-handshake-message")?;
        builder = builder.limits(limits);
    }
    if let Some(count) = args.value("--tickets") {
        builder = builder.session_tickets(number(&count, "--tickets")?);
    }
    if let Some(file) = args.value("--ticket-key-file") {
        let period = std::time::Duration::from_secs(12 * 3600);
        let keys = keyway::session::TicketKeys::from_secret_file(file, period)
            .map_err(|e| e.to_string())?;
        builder = builder.ticket_keys(Arc::new(keys));
    }
    if let Some(count) = args.value("--session-cache") {
        let store: Option<Arc<dyn keyway::session::ServerSessionStore>> =
            match number(&count, "--session-cache")? {
                0 => None,
                n => Some(Arc::new(keyway::session::InMemoryServerSessionStore::new(
                    n,
                ))),
            };
        builder = builder.session_store(store);
    }
    if let Some(bytes) = args.value("--early-data") {
        builder = builder.max_early_data_size(number(&bytes, "--early-data")?);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Parses a flag's numeric value.
pub fn number<T: std::str::FromStr>(value: &str, flag: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} takes a number, not {value:?}"))
}

/// Describes what a connection negotiated, one `name: value` per line.
pub fn describe(n: &keyway::Negotiated) -> String {
    let alpn = n
        .alpn
        .as_ref()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    format!(
        "version: {}\ncipher suite: {}\ngroup: {}\nsignature scheme: {}\nALPN: {}\nSNI: {}\nHelloRetryRequest: {}\npeer certificates: {}\nresumed: {}\nearly data: {}\n",
        opt(n.version),
        opt(n.cipher_suite),
        opt(n.group),
        opt(n.signature_scheme),
        alpn.unwrap_or_else(|| "(none)".into()),
        n.server_name.clone().unwrap_or_else(|| "(none)".into()),
        n.hello_retry_request,
        n.peer_certificates.len(),
        if n.resumed { "yes" } else { "no" },
        match n.early_data {
            keyway::EarlyData::NotOffered => "not offered",
            keyway::EarlyData::Accepted => "accepted",
            keyway::EarlyData::Rejected => "rejected",
        },
    )
}

fn opt<T: std::fmt::Debug>(v: Option<T>) -> String {
    v.map(|v| format!("{v:?}"))
        .unwrap_or_else(|| "(none)".into())
}
