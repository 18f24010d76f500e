//! Child processes and threads for the interop tests, every wait bounded: a
//! peer that hangs fails its test after [`WAIT`] instead of stalling CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest any single wait for a peer may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// Returns false (after saying why) when `tool` does not run; under CI (`CI`
/// set) a missing tool fails the test instead, since `.ci/run` installs it.
pub fn have_tool(tool: &str, version_arg: &str) -> bool {
    let ok = Command::new(tool)
        .arg(version_arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: `{tool}` is not on PATH; install it to run this test");
    }
    ok
}

/// Returns false (after saying why) when openssl is missing outside CI.
pub fn have_openssl() -> bool {
    have_tool("openssl", "version")
}

/// An example binary (built by the README's test command), next to the test
/// binary's directory. Missing: skipped locally with a reason, a failure in CI.
pub fn example_binary(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("examples").join(name);
    if path.exists() {
        return Some(path);
    }
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

/// A child process whose output lines are collected as they come, killed
/// when the test ends, however it ends.
pub struct Guard {
    child: Child,
    lines: Receiver<String>,
    /// Every line read so far, stdout and stderr interleaved.
    pub seen: Vec<String>,
}

impl Guard {
    pub fn spawn(cmd: &mut Command) -> Guard {
        let program = cmd.get_program().to_string_lossy().into_owned();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
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
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().expect("stdin")
    }

    pub fn send_line(&mut self, line: &str) {
        self.stdin()
            .write_all(format!("{line}\n").as_bytes())
            .expect("write to the child");
        self.stdin().flush().unwrap();
    }

    /// Waits (at most [`WAIT`]) for a line containing `needle` on stdout or
    /// stderr, and returns it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!(
            "{needle:?} never came; the child printed:\n{}",
            self.seen.join("\n")
        );
    }

    /// Waits for a line holding `needle` followed by `host:port` and returns
    /// the port: how a server started on port 0 says where it listens
    /// (`ACCEPT 127.0.0.1:PORT`, `listening on 127.0.0.1:PORT`).
    pub fn wait_for_port(&mut self, needle: &str) -> u16 {
        let line = self.wait_for(needle);
        line.rsplit(':')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"))
    }

    /// Closes stdin and waits for the process to exit; returns its status.
    /// A child still running after [`WAIT`] fails the test: a hang is never
    /// an expected outcome.
    pub fn finish(&mut self) -> ExitStatus {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "the child did not exit within {WAIT:?}; it printed:\n{}",
            self.seen.join("\n")
        );
    }

    /// Moves the remaining output lines into `seen` (after the child exited).
    fn drain(&mut self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Everything printed so far, one line each.
    pub fn output(&self) -> String {
        self.seen.join("\n")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` with `input` on stdin to completion, bounded by [`WAIT`];
/// returns its status and its stdout and stderr lines, interleaved.
pub fn run(cmd: &mut Command, input: &[u8]) -> (ExitStatus, String) {
    let mut child = Guard::spawn(cmd);
    // A child that exits without reading its input is not our failure.
    let _ = child.stdin().write_all(input);
    let status = child.finish();
    (status, child.output())
}

/// Accepts one connection, failing the test if none comes within [`WAIT`].
pub fn accept_within(listener: &TcpListener) -> std::io::Result<TcpStream> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + WAIT;
    loop {
        match listener.accept() {
            Ok((tcp, _)) => {
                tcp.set_nonblocking(false)?;
                return Ok(tcp);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no connection within {WAIT:?}"),
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Joins a test thread, failing the test if it has not finished within
/// [`WAIT`] (every thread's own waits are bounded by then).
pub fn join_within<T>(handle: JoinHandle<T>) -> T {
    let deadline = Instant::now() + WAIT + WAIT;
    while !handle.is_finished() {
        assert!(
            Instant::now() < deadline,
            "a test thread is still running after {:?}",
            WAIT + WAIT
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Starts `openssl s_server` on a free port with `files`' chain and key and
/// `args` (versions, `-naccept`, ...), and waits until it accepts.
pub fn s_server(files: &super::PkiFiles, args: &[&str]) -> (Guard, u16) {
    let mut server = Guard::spawn(
        Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0"])
            .arg("-cert")
            .arg(&files.leaf)
            .arg("-cert_chain")
            .arg(&files.intermediate)
            .arg("-key")
            .arg(&files.key)
            .args(args),
    );
    let port = server.wait_for_port("ACCEPT");
    (server, port)
}

/// Starts the example server with `args` on port 0 and waits until it says
/// where it listens.
pub fn start_example_server(
    server_bin: &Path,
    files: &super::PkiFiles,
    args: &[&str],
) -> (Guard, u16) {
    let mut server = Guard::spawn(
        Command::new(server_bin)
            .args(["--addr", "127.0.0.1:0"])
            .arg("--cert")
            .arg(&files.chain)
            .arg("--key")
            .arg(&files.key)
            .args(args),
    );
    let port = server.wait_for_port("listening on");
    (server, port)
}

/// Runs the example client with `args` (bounded); returns whether it
/// succeeded and everything it printed.
pub fn run_example_client(
    client_bin: &Path,
    files: &super::PkiFiles,
    port: u16,
    args: &[&str],
) -> (bool, String) {
    let (status, output) = run(
        Command::new(client_bin)
            .args(["--connect", &format!("127.0.0.1:{port}")])
            .args(["--servername", "example.com"])
            .arg("--cafile")
            .arg(&files.root)
            .args(args),
        b"",
    );
    (status.success(), output)
}
