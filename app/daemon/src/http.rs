//! The daemons' HTTP side on 127.0.0.1: `/healthz`, Prometheus `/metrics`
//! and whatever pages the daemon adds.
use crate::{DaemonError, Shutdown};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::registry::Registry;
use std::net::SocketAddr;

/// Binds `listen` now (so a taken port fails at start) and serves `router`
/// until shutdown. Returns the bound address (port 0 picks a free one).
pub async fn serve(
    listen: SocketAddr,
    router: axum::Router,
    shutdown: Shutdown,
) -> Result<SocketAddr, DaemonError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| DaemonError::Bind {
            addr: listen.to_string(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| DaemonError::Bind {
        addr: listen.to_string(),
        source,
    })?;
    tokio::spawn(async move {
        let stop = shutdown.clone();
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.wait().await })
            .await
        {
            tracing::error!(%e, "HTTP server on {addr} stopped");
        }
    });
    Ok(addr)
}

/// The Prometheus text exposition of `registry`.
pub fn metrics(registry: &Registry) -> Response {
    let mut body = String::new();
    match prometheus_client::encoding::text::encode(&mut body, registry) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `/healthz`: 200 `ok` when healthy, else 503 with the reason.
pub fn health(problem: Option<String>) -> Response {
    match problem {
        None => (StatusCode::OK, "ok\n").into_response(),
        Some(p) => (StatusCode::SERVICE_UNAVAILABLE, format!("{p}\n")).into_response(),
    }
}
