//! Starts the built `edgefuel-localnet` binary on free ports and drives it
//! with the standard Solana clients. The child is killed when the handle
//! drops (also when a test panics).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use solana_commitment_config::CommitmentConfig;
use solana_keypair::{read_keypair_file, Keypair};
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;
pub const EFUEL: u64 = 1_000_000_000;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct Localnet {
    child: Child,
    pub port: u16,
    pub keys_dir: PathBuf,
}

/// Two consecutive free loopback ports (HTTP, websocket).
fn free_ports() -> u16 {
    loop {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

impl Localnet {
    /// Starts a chain with the built-in bootstrap.
    pub async fn start() -> Localnet {
        Self::start_with(&[]).await
    }

    /// Starts a chain with extra command-line arguments.
    pub async fn start_with(args: &[&str]) -> Localnet {
        let keys_dir = std::env::temp_dir().join(format!(
            "edgefuel-localnet-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for _attempt in 0..3 {
            let port = free_ports();
            let child = Command::new(env!("CARGO_BIN_EXE_edgefuel-localnet"))
                .args(["--port", &port.to_string(), "--keys-dir"])
                .arg(&keys_dir)
                .args(args)
                .env("RUST_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn edgefuel-localnet");
            let mut net = Localnet {
                child,
                port,
                keys_dir: keys_dir.clone(),
            };
            if net.wait_healthy(Duration::from_secs(20)).await {
                return net;
            }
            // Port taken in between, or a crash: try again on other ports.
        }
        panic!("edgefuel-localnet did not become healthy");
    }

    async fn wait_healthy(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        let client = reqwest::Client::new();
        while start.elapsed() < timeout {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            let res = client
                .post(self.url())
                .json(&serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "getHealth"}))
                .send()
                .await;
            if let Ok(r) = res {
                if let Ok(v) = r.json::<serde_json::Value>().await {
                    if v["result"] == "ok" {
                        return true;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port + 1)
    }

    /// The standard nonblocking client, at `confirmed`.
    pub fn rpc(&self) -> RpcClient {
        RpcClient::new_with_commitment(self.url(), CommitmentConfig::confirmed())
    }

    /// A keypair file the bootstrap wrote (e.g. `"staker.json"`).
    pub fn keypair(&self, name: &str) -> Keypair {
        read_keypair_file(self.keys_dir.join(name)).expect("keypair file")
    }

    /// A raw JSON-RPC call: the whole response object.
    pub async fn raw(&self, body: &str) -> serde_json::Value {
        reqwest::Client::new()
            .post(self.url())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A JSON-RPC call by method and params: the whole response object.
    pub async fn call(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.raw(&body.to_string()).await
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        // SIGTERM first: a graceful stop removes the chain's scratch files.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.keys_dir);
    }
}
