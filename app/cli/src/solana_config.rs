//! The Solana CLI config file (`~/.config/solana/cli/config.yml`).
use anyhow::{Context, Result};
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

/// `~/…` expanded with `$HOME` (the Solana CLI writes absolute paths, but a
/// hand-edited config or a quoted `-k` may keep the tilde).
pub fn expand_tilde(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.to_path_buf(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_a_leading_tilde_only() {
        let home = PathBuf::from(std::env::var_os("HOME").unwrap());
        assert_eq!(
            expand_tilde(Path::new("~/.config/solana/id.json")),
            home.join(".config/solana/id.json")
        );
        assert_eq!(expand_tilde(Path::new("/a/~/b")), PathBuf::from("/a/~/b"));
        assert_eq!(
            expand_tilde(Path::new("rel.json")),
            PathBuf::from("rel.json")
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
