//! Command-line handling shared by the client and server examples.
#![allow(dead_code)]

use keyway::{CipherSuite, NamedGroup, ProtocolVersion};

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

    /// The value after `--name`, if given.
    pub fn value(&self, name: &str) -> Option<String> {
        let pos = self.args.iter().position(|a| a == name)?;
        self.args.get(pos + 1).cloned()
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

/// Describes what a connection negotiated, one `name: value` per line.
pub fn describe(n: &keyway::Negotiated) -> String {
    let alpn = n
        .alpn
        .as_ref()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    format!(
        "version: {}\ncipher suite: {}\ngroup: {}\nsignature scheme: {}\nALPN: {}\nSNI: {}\nHelloRetryRequest: {}\npeer certificates: {}\n",
        opt(n.version),
        opt(n.cipher_suite),
        opt(n.group),
        opt(n.signature_scheme),
        alpn.unwrap_or_else(|| "(none)".into()),
        n.server_name.clone().unwrap_or_else(|| "(none)".into()),
        n.hello_retry_request,
        n.peer_certificates.len(),
    )
}

fn opt<T: std::fmt::Debug>(v: Option<T>) -> String {
    v.map(|v| format!("{v:?}"))
        .unwrap_or_else(|| "(none)".into())
}
