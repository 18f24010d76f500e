//! NSS key log (the `SSLKEYLOGFILE` format), so Wireshark can decrypt captures.
//!
//! Each line is `LABEL <client_random hex> <secret hex>`. Logging secrets
//! defeats the protection TLS gives the traffic: it is off unless the
//! application installs a [`KeyLog`] — for example [`KeyLogFile::from_env`],
//! which writes only when the `SSLKEYLOGFILE` environment variable is set.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;

/// Receives TLS secrets as they are derived.
pub trait KeyLog: Send + Sync + core::fmt::Debug {
    /// Records one secret; `label` is an NSS label such as
    /// `CLIENT_HANDSHAKE_TRAFFIC_SECRET`.
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]);
}

/// A key log that discards everything (the default).
#[derive(Debug, Default)]
pub struct NoKeyLog;

impl KeyLog for NoKeyLog {
    fn log(&self, _: &str, _: &[u8; 32], _: &[u8]) {}
}

/// Appends secrets to a file in NSS key log format.
#[derive(Debug)]
pub struct KeyLogFile {
    file: Option<Mutex<std::fs::File>>,
}

impl KeyLogFile {
    /// Opens the file named by `SSLKEYLOGFILE` for appending; if the variable is
    /// unset or the file cannot be opened, the returned log discards everything.
    pub fn from_env() -> Self {
        match std::env::var_os("SSLKEYLOGFILE") {
            Some(path) => Self::open(path).unwrap_or(Self { file: None }),
            None => Self { file: None },
        }
    }

    /// Opens `path` for appending. A file it creates is readable and
    /// writable by its owner only (mode 0600 on Unix): it will hold every
    /// session's keys. An existing file keeps its permissions.
    pub fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path)?;
        Ok(Self {
            file: Some(Mutex::new(file)),
        })
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        let Some(file) = &self.file else { return };
        let line = format_line(label, client_random, secret);
        if let Ok(mut file) = file.lock() {
            // A key log is a debugging aid: a failed write must not fail the connection.
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// Formats one NSS key log line, newline included.
pub fn format_line(label: &str, client_random: &[u8; 32], secret: &[u8]) -> String {
    let mut line = String::with_capacity(label.len() + 2 + 2 * (32 + secret.len()) + 1);
    line.push_str(label);
    line.push(' ');
    for b in client_random {
        let _ = write!(line, "{b:02x}");
    }
    line.push(' ');
    for b in secret {
        let _ = write!(line, "{b:02x}");
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_the_nss_format() {
        let line = format_line("CLIENT_TRAFFIC_SECRET_0", &[0xab; 32], &[1, 2]);
        assert_eq!(
            line,
            format!("CLIENT_TRAFFIC_SECRET_0 {} 0102\n", "ab".repeat(32))
        );
    }

    #[test]
    fn file_log_appends() {
        let path = std::env::temp_dir().join(format!("keyway-keylog-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let log = KeyLogFile::open(&path).unwrap();
        log.log("EXPORTER_SECRET", &[0; 32], &[0xff]);
        log.log("EXPORTER_SECRET", &[0; 32], &[0xee]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with("ee\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "created for its owner only");
        }
        let _ = std::fs::remove_file(&path);
    }
}
