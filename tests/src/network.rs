//! Network bootstrap: `initialize_network` with the fixture's keys and
//! the guardian's pause.
use super::*;

impl TestContext {
    /// Boots the chain and initializes a network with `default_params()`.
    pub async fn new() -> Self {
        Self::with_params(default_params()).await
    }

    pub async fn with_params(params: Params) -> Self {
        Self::with_params_on(program_test(), params).await
    }

    /// Boots `pt` and initializes a network with `params`.
    pub async fn with_params_on(pt: ProgramTest, params: Params) -> Self {
        let mut t = Self::boot_on(pt).await;
        let verifiers: Vec<Pubkey> = t.verifiers.iter().map(|k| k.pubkey()).collect();
        let ix = t.initialize_ix(params, t.guardian.pubkey(), verifiers, 2, GENESIS_SUPPLY);
        t.send(&[ix], &[]).await.unwrap();
        t
    }

    /// `initialize_network` with the fixture's whale as genesis owner.
    pub fn initialize_ix(
        &self,
        params: Params,
        guardian: Pubkey,
        verifiers: Vec<Pubkey>,
        verifier_threshold: u8,
        genesis_supply: u64,
    ) -> Instruction {
        let args = edgefuel::InitializeNetworkArgs {
            params,
            guardian,
            verifiers,
            verifier_threshold,
            genesis_supply,
        };
        ix::initialize_network(&self.payer(), &self.payer(), &self.whale.pubkey(), args)
    }

    pub fn pause_ix(&self, signer: &Pubkey, scope: PauseScope, pause: bool) -> Instruction {
        if pause {
            ix::pause(signer, scope)
        } else {
            ix::unpause(signer, scope)
        }
    }

    pub async fn pause(&mut self, signer: &Keypair, scope: PauseScope, pause: bool) -> TxResult {
        let ix = self.pause_ix(&signer.pubkey(), scope, pause);
        self.send(&[ix], &[signer]).await
    }
}
