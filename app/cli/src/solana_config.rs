//! Solana CLI conventions: the config file, `--url` monikers, explorer links.
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The fields of `~/.config/solana/cli/config.yml` the CLI uses; the file
/// may hold others (websocket_url, address_labels, …), which are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<String>,
    pub commitment: Option<String>,
}

/// The default config file: `$HOME/.config/solana/cli/config.yml`.
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".config/solana/cli/config.yml"))
}

/// The default keypair: `$HOME/.config/solana/id.json`.
pub fn default_keypair_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".config/solana/id.json"))
}

impl SolanaConfig {
    pub fn parse(text: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        Ok(serde_yaml::from_str(text)?)
    }

    /// Loads `path`. A missing default file is no error (Solana CLI
    /// defaults apply); a missing file named explicitly is.
    pub fn load(path: &Path, explicit: bool) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text)
                .with_context(|| format!("Solana CLI config {} is not valid YAML", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read config file {}", path.display())),
        }
    }
}

/// The public RPC endpoint of a cluster moniker, as the Solana CLI knows them.
pub fn moniker_url(moniker: &str) -> Option<&'static str> {
    Some(match moniker {
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com",
        "d" | "devnet" => "https://api.devnet.solana.com",
        "t" | "testnet" => "https://api.testnet.solana.com",
        "l" | "localhost" => "http://127.0.0.1:8899",
        _ => return None,
    })
}

/// `--url` as given: a moniker or an http(s) URL with a host.
pub fn resolve_url(input: &str) -> Result<String> {
    let s = input.trim();
    if let Some(url) = moniker_url(s) {
        return Ok(url.to_string());
    }
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' ') => {
            Ok(s.to_string())
        }
        _ => bail!(
            "invalid RPC URL `{input}`: expected http(s)://HOST[:PORT] or a moniker \
             (mainnet-beta, devnet, testnet, localhost)"
        ),
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Solana Explorer page of a transaction on the cluster at `url`.
pub fn explorer_tx_url(signature: &str, url: &str) -> String {
    let base = format!("https://explorer.solana.com/tx/{signature}");
    let host = url.trim_end_matches('/');
    if host == "https://api.mainnet-beta.solana.com" {
        base
    } else if host == "https://api.devnet.solana.com" {
        format!("{base}?cluster=devnet")
    } else if host == "https://api.testnet.solana.com" {
        format!("{base}?cluster=testnet")
    } else {
        format!("{base}?cluster=custom&customUrl={}", percent_encode(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_and_urls() {
        assert_eq!(resolve_url("localhost").unwrap(), "http://127.0.0.1:8899");
        assert_eq!(resolve_url("l").unwrap(), "http://127.0.0.1:8899");
        assert_eq!(
            resolve_url("devnet").unwrap(),
            "https://api.devnet.solana.com"
        );
        assert_eq!(
            resolve_url("mainnet-beta").unwrap(),
            "https://api.mainnet-beta.solana.com"
        );
        assert_eq!(
            resolve_url("testnet").unwrap(),
            "https://api.testnet.solana.com"
        );
        assert_eq!(
            resolve_url("http://10.0.0.5:9000").unwrap(),
            "http://10.0.0.5:9000"
        );
        for bad in [
            "localhostt",
            "ftp://x",
            "http://",
            "127.0.0.1:8899",
            "",
            "http:// x",
        ] {
            let err = resolve_url(bad).unwrap_err().to_string();
            assert!(err.contains("invalid RPC URL"), "{bad}: {err}");
        }
    }

    #[test]
    fn explorer_links() {
        assert_eq!(
            explorer_tx_url("SIG", "http://127.0.0.1:8899"),
            "https://explorer.solana.com/tx/SIG?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899"
        );
        assert_eq!(
            explorer_tx_url("SIG", "https://api.devnet.solana.com"),
            "https://explorer.solana.com/tx/SIG?cluster=devnet"
        );
        assert_eq!(
            explorer_tx_url("SIG", "https://api.mainnet-beta.solana.com"),
            "https://explorer.solana.com/tx/SIG"
        );
    }

    #[test]
    fn parses_a_solana_cli_config() {
        let text = "---\njson_rpc_url: \"http://127.0.0.1:8899\"\nwebsocket_url: \"\"\n\
                    keypair_path: /home/me/.config/solana/id.json\naddress_labels:\n  \
                    \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n";
        let c = SolanaConfig::parse(text).unwrap();
        assert_eq!(c.json_rpc_url.as_deref(), Some("http://127.0.0.1:8899"));
        assert_eq!(
            c.keypair_path.as_deref(),
            Some("/home/me/.config/solana/id.json")
        );
        assert_eq!(c.commitment.as_deref(), Some("confirmed"));
        assert_eq!(SolanaConfig::parse("").unwrap(), SolanaConfig::default());
        assert!(SolanaConfig::parse("json_rpc_url: [1, 2").is_err());
    }

    #[test]
    fn missing_config_is_fine_unless_named() {
        let p = Path::new("/nonexistent/edgefuel/config.yml");
        assert_eq!(
            SolanaConfig::load(p, false).unwrap(),
            SolanaConfig::default()
        );
        let err = SolanaConfig::load(p, true).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/edgefuel/config.yml"));
    }
}
