//! Network bootstrap file (`network.toml`), read by `edgefuel network init
//! --bootstrap` and the `edgefuel-bootstrap` migration. It has the layout of
//! the local chain's `--bootstrap` file (`app/localnet`), so one file
//! describes a network on the local chain and on a cluster:
//!
//! ```toml
//! keys_dir = "keys"                   # keypair files named below live here (relative to this file)
//!
//! [network]
//! guardian = "Gua1…"                  # pause/unpause key [default: the payer]
//! verifiers = ["Ver1…", "verifier-2.json", "verifier-3.json"]
//! verifier_threshold = 2              # [default: a majority of the set]
//! genesis_owner = "Own1…"             # receives the genesis supply [default: the payer]
//! genesis_supply = 1_000_000_000      # whole EFUEL: an integer or a decimal string ("0.5")
//!
//! [params]                            # any subset of Params; the rest from default_params()
//! unbonding_seconds = 60
//! min_node_stake = 1_000_000_000_000  # token amounts in Params are base units (10^9 per EFUEL)
//! ```
//!
//! A key is a base58 address or a keypair file (its public key is used),
//! relative to `keys_dir`, else to the file's folder. `[[accounts]]` (wallets
//! the local chain funds) is accepted and ignored here. `[params]` is checked
//! against the IDL's `Params` type: an unknown or misspelt key, a negative or
//! out-of-range value is refused, naming the key.
use crate::amount::{parse_efuel, EFUEL};
use crate::idl;
use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorDeserialize;
use anchor_lang::AnchorSerialize;
use edgefuel::{InitializeNetworkArgs, Params};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Refusal of a configuration, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid TOML: {0}")]
    Toml(String),
    #[error("`{key}`: {reason}")]
    Key { key: String, reason: String },
    #[error("params: {0}")]
    Params(#[from] idl::IdlError),
}

fn key_err(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Key {
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Parameters a network starts with unless told otherwise: a one-day epoch,
/// 1 000 EFUEL minimum self-stake, a week of unbonding, 1 % sampling with
/// 8..=32 samples, 10 % fraud slash (also for a sealed batch left
/// unrevealed), 5 % for an unsealed batch, 3-day votes with a 1-day timelock.
pub fn default_params() -> Params {
    Params {
        epoch_seconds: 86_400,
        reward_per_work_unit: 1,
        epoch_emission_cap: 1_000_000 * EFUEL,
        min_node_stake: 1_000 * EFUEL,
        max_commission_bps: 2_000,
        unbonding_seconds: 7 * 86_400,
        seal_delay_slots: 4,
        reveal_window_slots: 150,
        verify_window_slots: 300,
        sample_bps: 100,
        min_samples: 8,
        max_samples: 32,
        slash_fraud_bps: 1_000,
        slash_unavailable_bps: 500,
        verifier_bounty_bps: 1_000,
        jail_seconds: 86_400,
        max_exposure_bps: 500,
        min_proposal_stake: 100 * EFUEL,
        voting_seconds: 3 * 86_400,
        timelock_seconds: 86_400,
        quorum_bps: 2_000,
        approval_threshold_bps: 5_000,
    }
}

/// `Params` as a JSON object keyed by field name (from the IDL).
pub fn params_to_json(params: &Params) -> Result<Value, ConfigError> {
    let mut bytes = Vec::new();
    params
        .serialize(&mut bytes)
        .map_err(|e| key_err("params", e.to_string()))?;
    Ok(idl::defined_to_json("Params", &mut bytes.as_slice())?)
}

/// `base` with the keys of `overrides` replaced (each checked against the IDL).
pub fn apply_param_overrides(
    base: &Params,
    overrides: &Map<String, Value>,
) -> Result<Params, ConfigError> {
    let mut json = params_to_json(base)?;
    if let Value::Object(m) = &mut json {
        for (k, v) in overrides {
            m.insert(k.clone(), v.clone());
        }
    }
    let bytes = idl::json_to_borsh("Params", &json)?;
    Params::try_from_slice(&bytes).map_err(|e| key_err("params", e.to_string()))
}

/// The `[network]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSection {
    pub guardian: Option<String>,
    #[serde(default)]
    pub verifiers: Vec<String>,
    pub verifier_threshold: Option<u8>,
    pub genesis_owner: Option<String>,
    /// Whole EFUEL: an integer or decimal text.
    pub genesis_supply: Option<Value>,
}

/// The bootstrap file, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Folder of the keypair files named in the file (relative to the file).
    pub keys_dir: Option<PathBuf>,
    #[serde(default)]
    pub network: NetworkSection,
    #[serde(default)]
    pub params: Map<String, Value>,
    /// Wallets the local chain funds at start; not used by `network init`.
    #[serde(default)]
    pub accounts: Vec<Value>,
}

/// A resolved bootstrap: the instruction arguments and the genesis owner.
#[derive(Debug, Clone)]
pub struct NetworkInit {
    pub args: InitializeNetworkArgs,
    pub genesis_owner: Pubkey,
}

impl NetworkConfig {
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))
    }

    /// Reads `path`; returns the config and the folder keys resolve against.
    pub fn load(path: &Path) -> Result<(Self, PathBuf), ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_err(&path.display().to_string(), e.to_string()))?;
        let cfg = Self::from_toml_str(&text)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok((cfg, dir))
    }

    /// A key: a base58 address, or a keypair file relative to `keys_dir`
    /// (itself relative to `base_dir`), else to `base_dir`.
    pub fn key(&self, key: &str, value: &str, base_dir: &Path) -> Result<Pubkey, ConfigError> {
        let v = value.trim();
        if let Ok(k) = Pubkey::from_str(v) {
            return Ok(k);
        }
        let dir = match &self.keys_dir {
            Some(d) => base_dir.join(d),
            None => base_dir.to_path_buf(),
        };
        let path = dir.join(v);
        solana_keypair::read_keypair_file(&path)
            .map(|kp| solana_signer::Signer::pubkey(&kp))
            .map_err(|e| {
                key_err(
                    key,
                    format!(
                        "`{v}` is neither a base58 address nor a readable keypair file ({}: {e})",
                        path.display()
                    ),
                )
            })
    }

    /// Resolves defaults: guardian and genesis owner default to `payer`, the
    /// threshold to a majority of the verifier set, the supply to zero.
    pub fn resolve(&self, payer: &Pubkey, base_dir: &Path) -> Result<NetworkInit, ConfigError> {
        let n = &self.network;
        let guardian = match &n.guardian {
            Some(g) => self.key("network.guardian", g, base_dir)?,
            None => *payer,
        };
        let genesis_owner = match &n.genesis_owner {
            Some(g) => self.key("network.genesis_owner", g, base_dir)?,
            None => *payer,
        };
        if n.verifiers.is_empty() {
            return Err(key_err(
                "network.verifiers",
                "at least one verifier address is required",
            ));
        }
        let verifiers = n
            .verifiers
            .iter()
            .map(|v| self.key("network.verifiers", v, base_dir))
            .collect::<Result<Vec<_>, _>>()?;
        let verifier_threshold = match n.verifier_threshold {
            Some(t) => t,
            None => u8::try_from(verifiers.len() / 2 + 1)
                .map_err(|_| key_err("network.verifiers", "too many"))?,
        };
        let genesis_supply = match &n.genesis_supply {
            None => 0,
            Some(Value::String(s)) => {
                parse_efuel(s).map_err(|e| key_err("network.genesis_supply", e.to_string()))?
            }
            Some(Value::Number(num)) if num.is_u64() => num
                .as_u64()
                .and_then(|v| v.checked_mul(EFUEL))
                .ok_or_else(|| key_err("network.genesis_supply", "too large"))?,
            Some(other) => {
                return Err(key_err(
                    "network.genesis_supply",
                    format!("{other} is not an EFUEL amount: write it as text, e.g. \"12.5\""),
                ))
            }
        };
        let params = apply_param_overrides(&default_params(), &self.params)?;
        Ok(NetworkInit {
            args: InitializeNetworkArgs {
                params,
                guardian,
                verifiers,
                verifier_threshold,
                genesis_supply,
            },
            genesis_owner,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_params() {
        default_params().validate().unwrap();
    }

    #[test]
    fn params_json_roundtrip_through_the_idl() {
        let json = params_to_json(&default_params()).unwrap();
        assert_eq!(json["min_node_stake"], 1_000 * EFUEL);
        assert_eq!(json["epoch_seconds"], 86_400);
        let back = apply_param_overrides(&default_params(), &Map::new()).unwrap();
        assert_eq!(back, default_params());
    }

    #[test]
    fn resolves_a_full_file() {
        let payer = Pubkey::new_unique();
        let (g, v1, v2, v3) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let text = format!(
            r#"
            [network]
            guardian = "{g}"
            verifiers = ["{v1}", "{v2}", "{v3}"]
            genesis_supply = "1000000.5"

            [params]
            unbonding_seconds = 60
            min_node_stake = 5

            [[accounts]]
            key = "staker.json"
            sol = 10
            "#
        );
        let init = NetworkConfig::from_toml_str(&text)
            .unwrap()
            .resolve(&payer, Path::new("."))
            .unwrap();
        assert_eq!(init.args.guardian, g);
        assert_eq!(init.args.verifiers, vec![v1, v2, v3]);
        assert_eq!(init.args.verifier_threshold, 2);
        assert_eq!(init.args.genesis_supply, 1_000_000_500_000_000);
        assert_eq!(init.genesis_owner, payer);
        assert_eq!(init.args.params.unbonding_seconds, 60);
        assert_eq!(init.args.params.min_node_stake, 5);
        assert_eq!(
            init.args.params.voting_seconds,
            default_params().voting_seconds
        );
    }

    #[test]
    fn reads_keypair_files_relative_to_keys_dir() {
        let dir = std::env::temp_dir().join(format!("edgefuel-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        let kp = solana_keypair::Keypair::new();
        solana_keypair::write_keypair_file(&kp, dir.join("keys/guardian.json")).unwrap();
        let v = Pubkey::new_unique();
        let text = format!(
            "keys_dir = \"keys\"\n[network]\nguardian = \"guardian.json\"\n\
             verifiers = [\"{v}\"]\ngenesis_supply = 5\n"
        );
        std::fs::write(dir.join("net.toml"), text).unwrap();
        let (cfg, base) = NetworkConfig::load(&dir.join("net.toml")).unwrap();
        let init = cfg.resolve(&Pubkey::new_unique(), &base).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(init.args.guardian, solana_signer::Signer::pubkey(&kp));
        assert_eq!(init.args.genesis_supply, 5 * EFUEL);
        assert_eq!(init.args.verifier_threshold, 1);
    }

    #[test]
    fn refuses_typos_and_bad_values_naming_the_key() {
        let payer = Pubkey::new_unique();
        let v = Pubkey::new_unique();
        let check = |network: &str, rest: &str, needle: &str| {
            let text = format!("{rest}\n[network]\nverifiers = [\"{v}\"]\n{network}\n");
            let err = NetworkConfig::from_toml_str(&text)
                .and_then(|c| c.resolve(&payer, Path::new("/nonexistent")))
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{network} {rest}: {err}");
        };
        check("", "[params]\nunbonding_secs = 5", "unbonding_secs");
        check("", "[params]\nsample_bps = -1", "sample_bps");
        check("", "[params]\nsample_bps = 70000", "sample_bps");
        check("guardian = \"nope.json\"", "", "nope.json");
        check("genesis_supply = 12.5", "", "genesis_supply");
        check("genesis_supply = \"1.0000000001\"", "", "genesis_supply");
        check("colour = 1", "", "colour");
        check("", "colour = 1", "colour");
        let err = NetworkConfig::default()
            .resolve(&payer, Path::new("."))
            .unwrap_err();
        assert!(err.to_string().contains("verifiers"));
    }
}
