//! Checks a certificate chain the way a keyway client (or server) would:
//!
//! `cargo run --example verify -- --roots ROOTS.pem [--intermediates I.pem]
//! --leaf LEAF.pem [--name HOST_OR_IP] [--time UNIX_SECONDS]
//! [--purpose server|client] [--max-depth N] [--legacy] [--crl FILE]...
//! [--unknown-revocation allow|deny]`
//!
//! Prints `OK` and the path that was built (each certificate's subject, key
//! and validity), or the reason the chain is refused. Exit status: 0 valid,
//! 1 invalid, 2 usage or file errors.
//!
//! The roots may be a PEM bundle or a directory of PEM files. Without
//! `--name` the name check is skipped (server purpose only); without `--time`
//! the chain is checked at the current time. `--max-depth` is the most
//! intermediate certificates between the leaf and the root, counted as
//! `openssl verify -verify_depth` counts them (0: the leaf must be issued by a
//! root). `--legacy` accepts SHA-1 RSA signatures and 1024-bit RSA keys
//! (`VerifyOptions::legacy_algorithms`). `--crl` (repeatable) adds the CRLs of
//! a PEM or DER file; `--unknown-revocation deny` then refuses a certificate
//! no CRL covers (the default, `allow`, accepts it; a revoked certificate is
//! refused either way).

use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use keyway::pki::{
    load_certs_pem_file, load_crls_file, verify_client_chain, verify_server_chain,
    verify_server_path, RootStore, ServerName, UnknownStatusPolicy, VerifyOptions,
};

const USAGE: &str = "usage: verify --roots ROOTS.pem [--intermediates INTERMEDIATES.pem] \
--leaf LEAF.pem [--name HOST_OR_IP] [--time UNIX_SECONDS] [--purpose server|client] \
[--max-depth N] [--legacy] [--crl CRL_FILE]... [--unknown-revocation allow|deny]";

/// The command line, parsed.
struct Args {
    roots: String,
    intermediates: Option<String>,
    leaf: String,
    name: Option<String>,
    time: Option<u64>,
    client: bool,
    max_depth: Option<usize>,
    legacy: bool,
    crls: Vec<String>,
    unknown_revocation: UnknownStatusPolicy,
}

fn parse_args() -> Result<Args, String> {
    let mut roots = None;
    let mut intermediates = None;
    let mut leaf = None;
    let mut name = None;
    let mut time = None;
    let mut client = false;
    let mut max_depth = None;
    let mut legacy = false;
    let mut crls = Vec::new();
    let mut unknown_revocation = UnknownStatusPolicy::Allow;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        if flag == "--legacy" {
            legacy = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--roots" => roots = Some(value),
            "--intermediates" => intermediates = Some(value),
            "--leaf" => leaf = Some(value),
            "--name" => name = Some(value),
            "--time" => {
                time = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--time wants seconds since 1970, not {value:?}"))?,
                )
            }
            "--purpose" => {
                client = match value.as_str() {
                    "server" => false,
                    "client" => true,
                    _ => return Err(format!("--purpose is server or client, not {value:?}")),
                }
            }
            "--max-depth" => {
                max_depth = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--max-depth wants a number, not {value:?}"))?,
                )
            }
            "--crl" => crls.push(value),
            "--unknown-revocation" => {
                unknown_revocation = match value.as_str() {
                    "allow" => UnknownStatusPolicy::Allow,
                    "deny" => UnknownStatusPolicy::Deny,
                    _ => {
                        return Err(format!(
                            "--unknown-revocation is allow or deny, not {value:?}"
                        ))
                    }
                }
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Args {
        roots: roots.ok_or("--roots is required")?,
        intermediates,
        leaf: leaf.ok_or("--leaf is required")?,
        name,
        time,
        client,
        max_depth,
        legacy,
        crls,
        unknown_revocation,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("verify: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(Ok(path)) => {
            println!("OK");
            for line in path.lines() {
                println!("  {line}");
            }
            ExitCode::SUCCESS
        }
        Ok(Err(reason)) => {
            println!("INVALID: {reason}");
            ExitCode::from(1)
        }
        Err(file_error) => {
            eprintln!("verify: {file_error}");
            ExitCode::from(2)
        }
    }
}

/// Outer error: usage or files (exit 2); inner: the verdict.
fn run(args: &Args) -> Result<Result<String, String>, String> {
    let roots = if std::path::Path::new(&args.roots).is_dir() {
        RootStore::from_pem_dir(&args.roots)
    } else {
        RootStore::from_pem_file(&args.roots)
    }
    .map_err(|e| e.to_string())?;
    if roots.is_empty() {
        return Err(format!("{}: no root certificates", args.roots));
    }
    let mut leaf_file = load_certs_pem_file(&args.leaf).map_err(|e| e.to_string())?;
    if leaf_file.is_empty() {
        return Err(format!("{}: no certificate", args.leaf));
    }
    // A full-chain file works as --leaf: the rest are intermediates.
    let leaf = leaf_file.remove(0);
    let mut intermediates = leaf_file;
    if let Some(file) = &args.intermediates {
        intermediates.extend(load_certs_pem_file(file).map_err(|e| e.to_string())?);
    }
    let name = match &args.name {
        Some(n) => Some(ServerName::try_from(n.as_str()).map_err(|e| e.to_string())?),
        None => None,
    };
    if args.client && name.is_some() {
        return Err("--name applies to --purpose server only".into());
    }
    let mut crls = Vec::new();
    for file in &args.crls {
        crls.extend(load_crls_file(file).map_err(|e| e.to_string())?);
    }
    let mut options = VerifyOptions {
        time: args.time.map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        legacy_algorithms: args.legacy,
        crls,
        unknown_revocation_status: args.unknown_revocation,
        ..VerifyOptions::default()
    };
    if let Some(depth) = args.max_depth {
        options.max_depth = depth;
    }
    let verdict = match (&name, args.client) {
        (_, true) => verify_client_chain(&roots, &leaf, &intermediates, &options),
        (Some(name), false) => verify_server_chain(&roots, &leaf, &intermediates, name, &options),
        (None, false) => verify_server_path(&roots, &leaf, &intermediates, &options),
    };
    // `{:#}`: each certificate with its key and validity.
    Ok(verdict.map(|p| format!("{p:#}")).map_err(|e| e.to_string()))
}
