//! Keypair files (the Solana CLI's JSON array of 64 bytes).
use crate::DaemonError;
use solana_keypair::Keypair;
use std::path::Path;

/// Reads a keypair file; a missing or malformed file is an error naming it.
pub fn read(path: &Path) -> Result<Keypair, DaemonError> {
    let err = |message: String| DaemonError::Keypair {
        path: path.display().to_string(),
        message,
    };
    if !path.exists() {
        return Err(err("does not exist".into()));
    }
    solana_keypair::read_keypair_file(path).map_err(|e| err(format!("not a keypair file ({e})")))
}

/// Writes a new keypair file (mode 0600), refusing to overwrite one.
pub fn create(path: &Path) -> Result<Keypair, DaemonError> {
    let err = |message: String| DaemonError::Keypair {
        path: path.display().to_string(),
        message,
    };
    if path.exists() {
        return Err(err("already exists; not overwriting a key".into()));
    }
    let key = Keypair::new();
    solana_keypair::write_keypair_file(&key, path).map_err(|e| err(e.to_string()))?;
    Ok(key)
}
