//! Cluster conventions shared with the Solana CLI: `--url` monikers and
//! Solana Explorer links (custom-URL form for local and private clusters).

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid RPC URL `{0}`: expected http(s)://HOST[:PORT] or a moniker \
     (mainnet-beta, devnet, testnet, localhost)"
)]
pub struct BadUrl(pub String);

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
pub fn resolve_url(input: &str) -> Result<String, BadUrl> {
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
        _ => Err(BadUrl(input.to_string())),
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
}
