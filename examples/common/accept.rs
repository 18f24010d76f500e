//! The accept loop of the tokio examples.

use std::future::Future;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// Listens on `addr` (port 0: a free one), prints `listening on ADDR`, and
/// runs `serve` in a task of its own for every connection, printing its
/// error if it fails. Exits with status 1 if it cannot listen.
pub async fn serve_forever<F, Fut, E>(addr: &str, serve: F) -> !
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display,
{
    let listener = TcpListener::bind(addr).await.unwrap_or_else(|e| {
        eprintln!("error: cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    match listener.local_addr() {
        Ok(local) => eprintln!("listening on {local}"),
        Err(_) => eprintln!("listening on {addr}"),
    }
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors, say: back off instead of spinning.
            Err(e) => {
                eprintln!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let connection = serve(tcp);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("connection from {peer} failed: {e}");
            }
        });
    }
}
