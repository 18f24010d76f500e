//! Child processes for the interop tests (openssl, curl, the example
//! binaries): spawned, read line by line, waited for with a bound, and killed
//! when the test ends however it ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// How long any wait on a child process may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// Returns false (after saying why) when `program` does not run with `args`
/// outside CI; under CI (`CI` set, where `.ci/run` installs it) fails instead.
pub fn have_tool(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: `{program}` is not on PATH; install it to run the interop tests");
    }
    ok
}

/// Returns false (after saying why) when openssl is missing outside CI.
pub fn have_openssl() -> bool {
    have_tool("openssl", &["version"])
}

/// A child process that is killed when the test ends, however it ends.
pub struct Guard {
    pub child: Child,
    /// The program's name, for messages.
    program: String,
    pub lines: Receiver<String>,
    pub seen: Vec<String>,
}

impl Guard {
    pub fn spawn(cmd: &mut Command) -> Guard {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let (tx, rx) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Guard {
            child,
            program: cmd.get_program().to_string_lossy().into_owned(),
            lines: rx,
            seen: Vec::new(),
        }
    }

    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().expect("stdin")
    }

    pub fn send_line(&mut self, line: &str) {
        self.stdin()
            .write_all(format!("{line}\n").as_bytes())
            .expect("write to openssl");
        self.stdin().flush().unwrap();
    }

    /// Waits until a line containing `needle` appears on stdout or stderr,
    /// and returns that line.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!(
            "{} never printed {needle:?}; it printed:\n{}",
            self.program,
            self.seen.join("\n")
        );
    }

    /// Closes stdin and waits (bounded) for the process to exit; returns its success.
    pub fn finish(&mut self) -> bool {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The example binaries sit next to the test binary's directory when built
/// with `cargo test --all-targets`.
pub fn example_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("examples").join(name);
    if path.exists() {
        Some(path)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "example {name} not built: run the README test command"
        );
        eprintln!(
            "SKIPPED: example binary {} not built (use --all-targets)",
            path.display()
        );
        None
    }
}
