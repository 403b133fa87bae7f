//! Bootstrap: turns a fresh chain into a ready EdgeFuel network.
//!
//! The file format is the network bootstrap file of `edgefuel-client`
//! (`edgefuel_client::config`, also read by `edgefuel network init
//! --bootstrap`): `keys_dir`, `[network]`, `[params]` (checked against the
//! IDL), plus `[[accounts]]`, the wallets the local chain funds. The
//! built-in default is `bootstrap.example.toml`; a user file is merged over
//! it key by key (arrays are replaced whole), so it only names what it
//! changes.
//!
//! Keys are keypair files (`"guardian.json"`, in the keys directory) or
//! base58 public keys. Here, unlike on a cluster, a missing keypair file is
//! created with a fresh keypair.
use crate::chain::{Chain, SendError};
use anchor_lang::solana_program::instruction::Instruction;
use anyhow::{bail, Context};
use edgefuel::Params;
use edgefuel_client::amount::{parse_efuel, EFUEL};
use edgefuel_client::config::NetworkConfig;
use edgefuel_client::ix;
use serde::Deserialize;
use solana_keypair::{read_keypair_file, write_keypair_file, Keypair};
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// The built-in default bootstrap (also the documented example).
pub const DEFAULT_BOOTSTRAP: &str = include_str!("../bootstrap.example.toml");

/// An amount of whole SOL or EFUEL (both have 9 decimals): an integer
/// (`100`) or a decimal string (`"0.5"`), parsed exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub u64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) => n
                .checked_mul(EFUEL)
                .map(Amount)
                .ok_or_else(|| serde::de::Error::custom("amount too large")),
            Raw::Str(s) => parse_efuel(&s)
                .map(Amount)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// A wallet to fund.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    /// Keypair file or public key.
    pub key: String,
    /// SOL sent from the faucet (whole SOL).
    #[serde(default)]
    pub sol: Option<Amount>,
    /// EFUEL sent from the genesis owner (whole EFUEL).
    #[serde(default)]
    pub efuel: Option<Amount>,
}

/// Deep-merges `over` into `base` (tables merge, everything else replaces).
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// A bootstrap: the network file and the wallets to fund.
#[derive(Debug)]
pub struct BootstrapFile {
    pub network: NetworkConfig,
    pub accounts: Vec<AccountEntry>,
}

impl BootstrapFile {
    /// The default merged with `user` (TOML text), if any. Relative
    /// `keys_dir` resolves against `base_dir`.
    pub fn parse(user: Option<&str>, base_dir: &Path) -> anyhow::Result<BootstrapFile> {
        let mut table: toml::Table =
            toml::from_str(DEFAULT_BOOTSTRAP).context("built-in bootstrap")?;
        if let Some(text) = user {
            let over: toml::Table = toml::from_str(text)?;
            merge(&mut table, over);
        }
        let text = toml::to_string(&table)?;
        let mut network = NetworkConfig::from_toml_str(&text)?;
        if let Some(dir) = &network.keys_dir {
            network.keys_dir = Some(base_dir.join(dir));
        }
        let accounts = network
            .accounts
            .iter()
            .map(|a| serde_json::from_value(a.clone()).context("[[accounts]] entry"))
            .collect::<anyhow::Result<Vec<AccountEntry>>>()?;
        Ok(BootstrapFile { network, accounts })
    }

    /// Reads a bootstrap file.
    pub fn load(path: &Path) -> anyhow::Result<BootstrapFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading bootstrap file {}", path.display()))?;
        Self::parse(Some(&text), path.parent().unwrap_or(Path::new(".")))
            .with_context(|| format!("bootstrap file {}", path.display()))
    }
}

/// A key from the bootstrap file.
pub struct NamedKey {
    pub pubkey: Pubkey,
    /// The keypair, when named by a file.
    pub keypair: Option<Keypair>,
    /// The file it was read from or written to.
    pub path: Option<PathBuf>,
}

/// Resolves a key: a base58 public key, or a keypair file in `keys_dir`
/// (created with a fresh keypair if missing).
pub fn resolve_key(keys_dir: &Path, name: &str) -> anyhow::Result<NamedKey> {
    if !name.ends_with(".json") && !name.contains('/') {
        if let Ok(pubkey) = Pubkey::from_str(name) {
            return Ok(NamedKey {
                pubkey,
                keypair: None,
                path: None,
            });
        }
    }
    let path = keys_dir.join(name);
    let keypair = if path.exists() {
        read_keypair_file(&path)
            .map_err(|e| anyhow::anyhow!("reading keypair {}: {e}", path.display()))?
    } else {
        let kp = Keypair::new();
        write_key(&path, &kp)?;
        kp
    };
    Ok(NamedKey {
        pubkey: keypair.pubkey(),
        keypair: Some(keypair),
        path: Some(path),
    })
}

/// Writes a keypair file (Solana CLI format), creating its directory.
pub fn write_key(path: &Path, keypair: &Keypair) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating keys directory {}", dir.display()))?;
    }
    write_keypair_file(keypair, path)
        .map_err(|e| anyhow::anyhow!("writing keypair {}: {e}", path.display()))?;
    Ok(())
}

/// A wallet the bootstrap funded.
pub struct Funded {
    pub pubkey: Pubkey,
    pub path: Option<PathBuf>,
    pub lamports: u64,
    pub efuel: u64,
}

/// What the bootstrap created, for the banner.
pub struct Summary {
    pub guardian: NamedKey,
    pub verifiers: Vec<NamedKey>,
    pub verifier_threshold: u8,
    pub genesis_owner: NamedKey,
    pub genesis_supply: u64,
    pub params: Params,
    pub funded: Vec<Funded>,
}

async fn send(
    chain: &Arc<Chain>,
    ixs: &[Instruction],
    signers: &[&Keypair],
    what: &str,
) -> anyhow::Result<()> {
    let payer = chain.faucet();
    let blockhash = chain.with_bank(|b| b.last_blockhash()).await;
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend_from_slice(signers);
    let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
    match chain.send(tx.into(), true).await {
        Ok(_) => Ok(()),
        Err(SendError::Preflight(sim)) => bail!(
            "{what} failed: {}\n{}",
            sim.err.map(|e| e.to_string()).unwrap_or_default(),
            sim.logs.join("\n")
        ),
        Err(e) => bail!("{what} failed: {e:?}"),
    }
}

/// Initializes the network and funds the listed wallets.
pub async fn run(
    chain: &Arc<Chain>,
    file: &BootstrapFile,
    keys_dir: &Path,
) -> anyhow::Result<Summary> {
    let net = &file.network.network;
    // Create the keypair files the file names, then let the client resolve
    // the network (defaults, threshold, params through the IDL).
    let guardian = resolve_key(keys_dir, net.guardian.as_deref().unwrap_or("guardian.json"))?;
    let verifiers = net
        .verifiers
        .iter()
        .map(|v| resolve_key(keys_dir, v))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let genesis_owner = resolve_key(
        keys_dir,
        net.genesis_owner.as_deref().unwrap_or("genesis-owner.json"),
    )?;
    let accounts = file
        .accounts
        .iter()
        .map(|a| {
            Ok((
                resolve_key(keys_dir, &a.key)?,
                a.sol.map(|s| s.0),
                a.efuel.map(|e| e.0),
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let payer = chain.faucet().pubkey();
    let mut network = file.network.clone();
    network.keys_dir = Some(keys_dir.to_path_buf());
    network.network.guardian = Some(guardian.pubkey.to_string());
    network.network.genesis_owner = Some(genesis_owner.pubkey.to_string());
    let init = network.resolve(&payer, keys_dir)?;
    let args = init.args.clone();
    // The faucet is the program's upgrade authority on this chain.
    let ix = ix::initialize_network(&payer, &payer, &init.genesis_owner, init.args);
    send(chain, &[ix], &[], "initialize_network").await?;

    let mut funded = Vec::new();
    for (key, sol, efuel) in accounts {
        if let Some(lamports) = sol.filter(|l| *l > 0) {
            let ix = anchor_lang::solana_program::system_instruction::transfer(
                &payer,
                &key.pubkey,
                lamports,
            );
            send(
                chain,
                &[ix],
                &[],
                &format!("funding {} with SOL", key.pubkey),
            )
            .await?;
        }
        if let Some(amount) = efuel.filter(|a| *a > 0) {
            let Some(owner) = genesis_owner.keypair.as_ref() else {
                bail!(
                    "funding EFUEL needs the genesis owner's keypair file, not only its public key"
                );
            };
            let create = ix::create_efuel_ata(&payer, &key.pubkey);
            let transfer = ix::transfer_efuel(&owner.pubkey(), &key.pubkey, amount)?;
            send(
                chain,
                &[create, transfer],
                &[owner],
                &format!("funding {} with EFUEL", key.pubkey),
            )
            .await?;
        }
        funded.push(Funded {
            pubkey: key.pubkey,
            path: key.path,
            lamports: sol.unwrap_or(0),
            efuel: efuel.unwrap_or(0),
        });
    }
    Ok(Summary {
        guardian,
        verifiers,
        verifier_threshold: args.verifier_threshold,
        genesis_supply: args.genesis_supply,
        genesis_owner,
        params: args.params,
        funded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params_of(file: &BootstrapFile) -> Params {
        let mut net = file.network.clone();
        // Resolve with public keys only: no keypair files needed.
        net.network.guardian = Some(Pubkey::new_unique().to_string());
        net.network.genesis_owner = Some(Pubkey::new_unique().to_string());
        net.network.verifiers = vec![Pubkey::new_unique().to_string()];
        net.network.verifier_threshold = Some(1);
        net.resolve(&Pubkey::new_unique(), Path::new("."))
            .unwrap()
            .args
            .params
    }

    #[test]
    fn default_bootstrap_is_complete_and_valid() {
        let file = BootstrapFile::parse(None, Path::new(".")).unwrap();
        let params = params_of(&file);
        params.validate().unwrap();
        assert!(params.voting_seconds <= 60, "short voting window for tests");
        assert_eq!(file.accounts.len(), 7);
        assert_eq!(file.accounts[5].efuel, Some(Amount(100_000 * EFUEL)));
    }

    #[test]
    fn user_file_overrides_only_its_keys() {
        let text = "[params]\nvoting_seconds = 7\n[[accounts]]\nkey = \"a.json\"\nsol = \"0.5\"\n";
        let file = BootstrapFile::parse(Some(text), Path::new(".")).unwrap();
        let default = BootstrapFile::parse(None, Path::new(".")).unwrap();
        assert_eq!(params_of(&file).voting_seconds, 7);
        assert_eq!(
            params_of(&file).epoch_seconds,
            params_of(&default).epoch_seconds
        );
        assert_eq!(file.accounts.len(), 1);
        assert_eq!(file.accounts[0].sol, Some(Amount(EFUEL / 2)));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(BootstrapFile::parse(Some("colour = 1\n"), Path::new(".")).is_err());
        let err = BootstrapFile::parse(
            Some("[[accounts]]\nkey = \"a.json\"\nsoll = 1\n"),
            Path::new("."),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("soll"), "{err:#}");
        let file =
            BootstrapFile::parse(Some("[params]\nvoting_secs = 7\n"), Path::new(".")).unwrap();
        let mut net = file.network.clone();
        net.network.guardian = Some(Pubkey::new_unique().to_string());
        net.network.genesis_owner = Some(Pubkey::new_unique().to_string());
        net.network.verifiers = vec![Pubkey::new_unique().to_string()];
        assert!(net.resolve(&Pubkey::new_unique(), Path::new(".")).is_err());
    }
}
