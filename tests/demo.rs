//! The README's first command, `cargo run --example demo`, runs to the end
//! and prints a transcript a reader can follow: every part, the resumed
//! handshake with its 0-RTT data, and no Debug dumps of raw bytes.

mod support;

use std::process::Command;

use support::process::{example_binary, run};

#[test]
fn the_demo_prints_every_part_readably() {
    let Some(demo) = example_binary("demo") else {
        return;
    };
    let (status, out) = run(&mut Command::new(demo), b"");
    assert!(status.success(), "{out}");
    for part in [
        "=== 1. TLS 1.3",
        "=== 2. TLS 1.2",
        "=== 3. TLS 1.3 resumption",
        "pre_shared_key: the server accepts ticket #0",
        "EndOfEarlyData",
        "0-RTT: accepted",
        "resumed: the session of an earlier connection",
        "client received \"hello from the keyway server\"",
    ] {
        assert!(out.contains(part), "missing {part:?}:\n{out}");
    }
    // Byte lists and extension variants printed with Debug mean a line
    // nobody can read.
    for dump in ["[[", "Alpn(", "Extension::", "ServerNameAck", "Some("] {
        assert!(!out.contains(dump), "a Debug dump ({dump:?}):\n{out}");
    }
}
