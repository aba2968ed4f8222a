//! Accepting connections with limits, so that slow or idle clients cannot hold the server:
//! HTTP/1.1 over hyper, one task per connection, on one thread.
//!
//! | limit | default | what happens |
//! |---|---|---|
//! | [`Limits::header_timeout`] | 10 s | a connection that has not sent a request's whole head this long after it opened, or after the previous response, is closed (slow headers, and idle keep-alive connections) |
//! | [`Limits::idle_timeout`] | 30 s | a connection on which no byte moves either way this long while a request's body is read or its response written is closed (a slow body, a client that does not read) |
//! | [`Limits::max_connections`] | 512 | the next connection is answered `503 Service Unavailable` with `Retry-After: 1` and closed |
//!
//! The client's address reaches the handlers as [`ClientAddr`] (the sign-in throttle keys on it).

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;

/// How long and how many: see the module's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest a connection may take to send a request's head, from when it opened or the
    /// previous response ended.
    pub header_timeout: Duration,
    /// The longest no byte may move on a connection while a request is read or answered.
    pub idle_timeout: Duration,
    /// The most connections open at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// The address of the client that sent a request, as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The answer to a connection over [`Limits::max_connections`].
fn busy() -> Vec<u8> {
    let body = r#"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the server has as many connections open as it allows; try again in a second"}"#;
    let mut head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in crate::secure::FIXED {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    head.into_bytes()
}

/// Serves `app` on `listener` with `limits` until the process ends.
pub(crate) async fn run(listener: tokio::net::TcpListener, app: Router, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let busy = busy();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: wait a
                // moment rather than spin.
                eprintln!("serve: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            // A fresh socket's send buffer takes the short answer whole; if not, closing is the
            // answer.
            let _ = stream.try_write(&busy);
            drop(stream);
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let _permit = permit;
            serve_connection(stream, peer, app, limits).await;
        });
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
) {
    let mut io = TimeoutStream::new(stream);
    io.set_read_timeout(Some(limits.idle_timeout));
    io.set_write_timeout(Some(limits.idle_timeout));
    let client = ClientAddr(peer.ip());
    let service = tower::ServiceExt::map_request(app, move |mut req: Request<_>| {
        req.extensions_mut().insert(client);
        req
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .serve_connection(
            TokioIo::new(Box::pin(io)),
            TowerToHyperService::new(service),
        )
        .await;
}
