//! Client errors, and the mapping of on-chain error codes to names and messages.
use crate::accounts::DecodeError;
use crate::idl::{self, IdlError};
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;
use std::fmt;

/// Everything that can go wrong talking to the chain.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The RPC node could not be reached or answered with an error.
    #[error("RPC request to {url} failed: {}", error_chain(error.as_ref()))]
    Rpc {
        url: String,
        error: Box<solana_rpc_client_api::client_error::Error>,
    },
    /// The transaction was refused (in preflight or on chain).
    #[error("{0}")]
    Transaction(Box<TxFailure>),
    /// No transaction landed before every blockhash it was signed with expired.
    #[error("transaction {signature} did not confirm after {attempts} attempts (blockhash expired each time)")]
    NotConfirmed { signature: String, attempts: u32 },
    #[error("{kind} account {address} does not exist")]
    AccountNotFound { kind: &'static str, address: Pubkey },
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("IDL: {0}")]
    Idl(#[from] IdlError),
    #[error("events of transaction {signature}: {error}")]
    Events {
        signature: String,
        error: crate::events::EventError,
    },
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("{0}")]
    Other(String),
}

/// An error and its sources on one line, without repeats (reqwest hides the
/// useful part, e.g. "Connection refused", in its sources).
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

impl ClientError {
    /// Whether the chain refused the transaction with this EdgeFuel error
    /// (`err.is(EdgeFuelError::SealTooEarly)`), in preflight or on chain.
    pub fn is(&self, error: edgefuel::error::EdgeFuelError) -> bool {
        match self {
            ClientError::Transaction(f) => f
                .program_error
                .as_ref()
                .is_some_and(|p| p.source == ErrorSource::EdgeFuel && p.code == u32::from(error)),
            _ => false,
        }
    }

    /// Whether the RPC node could not be reached or answered with an error
    /// (as opposed to a refusal of the transaction itself).
    pub fn is_rpc(&self) -> bool {
        matches!(
            self,
            ClientError::Rpc { .. } | ClientError::NotConfirmed { .. }
        )
    }

    /// Simulation or execution logs, when the chain refused a transaction.
    pub fn logs(&self) -> &[String] {
        match self {
            ClientError::Transaction(f) => &f.logs,
            _ => &[],
        }
    }
}

/// A refused transaction: the error, which program error it maps to, and logs.
#[derive(Debug, Clone)]
pub struct TxFailure {
    /// Signature, when the transaction was signed (preflight failures have one too).
    pub signature: Option<String>,
    /// Whether it landed on chain (failed in execution, fee charged) rather
    /// than being refused in preflight.
    pub landed: bool,
    pub error: TransactionError,
    /// The decoded custom error, when there is one.
    pub program_error: Option<ProgramErrorInfo>,
    /// Simulation or execution logs.
    pub logs: Vec<String>,
}

impl fmt::Display for TxFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.signature, self.landed) {
            (Some(sig), true) => write!(f, "transaction {sig} failed")?,
            _ => write!(f, "transaction refused in simulation (nothing was sent)")?,
        }
        match &self.program_error {
            Some(p) => write!(f, ": {p}"),
            None => write!(f, ": {}", self.error),
        }
    }
}

/// An Anchor error as `Name: message` (its `Display` is a debug dump).
pub fn anchor_error_text(e: &anchor_lang::error::Error) -> String {
    match e {
        anchor_lang::error::Error::AnchorError(a) => format!("{}: {}", a.error_name, a.error_msg),
        anchor_lang::error::Error::ProgramError(p) => p.program_error.to_string(),
    }
}

/// Who raised a custom error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The EdgeFuel program (`6000 +` its error enum).
    EdgeFuel,
    /// Anchor's framework checks inside the EdgeFuel program (`100 ..= 5999`).
    Anchor,
    /// The SPL Token program.
    Token,
    /// Another program.
    Other,
}

/// A custom error code with its name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramErrorInfo {
    /// Index of the failing instruction in the transaction.
    pub instruction: u8,
    pub code: u32,
    pub source: ErrorSource,
    pub name: String,
    pub message: String,
}

impl fmt::Display for ProgramErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match self.source {
            ErrorSource::EdgeFuel => "EdgeFuel error",
            ErrorSource::Anchor => "Anchor error",
            ErrorSource::Token => "SPL Token error",
            ErrorSource::Other => "program error",
        };
        write!(
            f,
            "instruction {}: {who} {} {}: {}",
            self.instruction, self.code, self.name, self.message
        )
    }
}

/// Anchor framework errors an EdgeFuel instruction can raise (accounts
/// constraints and deserialization); codes come from `anchor_lang::error::ErrorCode`.
fn anchor_error(code: u32) -> Option<(String, String)> {
    use anchor_lang::error::ErrorCode as A;
    const KNOWN: &[A] = &[
        A::InstructionMissing,
        A::InstructionFallbackNotFound,
        A::InstructionDidNotDeserialize,
        A::InstructionDidNotSerialize,
        A::ConstraintMut,
        A::ConstraintHasOne,
        A::ConstraintSigner,
        A::ConstraintRaw,
        A::ConstraintOwner,
        A::ConstraintRentExempt,
        A::ConstraintSeeds,
        A::ConstraintExecutable,
        A::ConstraintState,
        A::ConstraintAssociated,
        A::ConstraintAssociatedInit,
        A::ConstraintClose,
        A::ConstraintAddress,
        A::ConstraintZero,
        A::ConstraintTokenMint,
        A::ConstraintTokenOwner,
        A::ConstraintMintMintAuthority,
        A::ConstraintMintFreezeAuthority,
        A::ConstraintMintDecimals,
        A::ConstraintSpace,
        A::ConstraintAccountIsNone,
        A::ConstraintTokenTokenProgram,
        A::ConstraintMintTokenProgram,
        A::ConstraintAssociatedTokenTokenProgram,
        A::ConstraintDuplicateMutableAccount,
        A::RequireViolated,
        A::RequireEqViolated,
        A::RequireKeysEqViolated,
        A::RequireNeqViolated,
        A::RequireKeysNeqViolated,
        A::RequireGtViolated,
        A::RequireGteViolated,
        A::AccountDiscriminatorAlreadySet,
        A::AccountDiscriminatorNotFound,
        A::AccountDiscriminatorMismatch,
        A::AccountDidNotDeserialize,
        A::AccountDidNotSerialize,
        A::AccountNotEnoughKeys,
        A::AccountNotMutable,
        A::AccountOwnedByWrongProgram,
        A::InvalidProgramId,
        A::InvalidProgramExecutable,
        A::AccountNotSigner,
        A::AccountNotSystemOwned,
        A::AccountNotInitialized,
        A::AccountNotProgramData,
        A::AccountNotAssociatedTokenAccount,
        A::AccountSysvarMismatch,
        A::AccountReallocExceedsLimit,
        A::AccountDuplicateReallocs,
        A::DeclaredProgramIdMismatch,
        A::TryingToInitPayerAsProgramAccount,
        A::InvalidNumericConversion,
    ];
    KNOWN.iter().find_map(|e| {
        let c: u32 = (*e).into();
        (c == code).then(|| (e.name(), e.to_string()))
    })
}

/// Names a custom error `code` raised by `program`.
pub fn describe_custom_error(program: &Pubkey, instruction: u8, code: u32) -> ProgramErrorInfo {
    let (source, found) = if *program == edgefuel::ID {
        if code >= anchor_lang::error::ERROR_CODE_OFFSET {
            (
                ErrorSource::EdgeFuel,
                idl::program_error(code).map(|(n, m)| (n.to_string(), m.to_string())),
            )
        } else {
            (ErrorSource::Anchor, anchor_error(code))
        }
    } else if *program == spl_token::ID {
        (
            ErrorSource::Token,
            spl_token::error::TokenError::try_from(code)
                .ok()
                .map(|e| (format!("{e:?}"), e.to_string())),
        )
    } else {
        (ErrorSource::Other, None)
    };
    let (name, message) =
        found.unwrap_or_else(|| ("Unknown".into(), format!("custom error {code}")));
    ProgramErrorInfo {
        instruction,
        code,
        source,
        name,
        message,
    }
}

/// The custom error in a transaction error, given the program of each instruction.
pub fn program_error_of(
    err: &TransactionError,
    instruction_programs: &[Pubkey],
) -> Option<ProgramErrorInfo> {
    match err {
        TransactionError::InstructionError(idx, InstructionError::Custom(code)) => {
            let program = instruction_programs
                .get(*idx as usize)
                .copied()
                .unwrap_or_default();
            Some(describe_custom_error(&program, *idx, *code))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgefuel::error::EdgeFuelError;

    fn code(e: EdgeFuelError) -> u32 {
        e.into()
    }

    #[test]
    fn maps_edgefuel_codes_to_names_and_messages() {
        let info = describe_custom_error(&edgefuel::ID, 0, code(EdgeFuelError::StillUnbonding));
        assert_eq!(info.source, ErrorSource::EdgeFuel);
        assert_eq!(info.name, "StillUnbonding");
        assert_eq!(info.message, EdgeFuelError::StillUnbonding.to_string());
        assert_eq!(info.code, 6000 + EdgeFuelError::StillUnbonding as u32);
        let first = describe_custom_error(&edgefuel::ID, 1, 6000);
        assert_eq!(first.name, "MathOverflow");
        assert!(first
            .to_string()
            .starts_with("instruction 1: EdgeFuel error 6000 MathOverflow"));
    }

    #[test]
    fn every_idl_error_matches_the_program_enum_message() {
        // The IDL and the enum agree on the codes we can name from Rust.
        for e in [
            EdgeFuelError::MathOverflow,
            EdgeFuelError::NotGuardian,
            EdgeFuelError::CommissionTooHigh,
            EdgeFuelError::NothingToClaim,
            EdgeFuelError::BelowMinStake,
        ] {
            let (name, msg) = idl::program_error(code(e)).unwrap();
            assert_eq!(name, e.name());
            assert_eq!(msg, e.to_string());
        }
    }

    #[test]
    fn maps_anchor_and_token_codes() {
        use anchor_lang::error::ErrorCode as A;
        let info = describe_custom_error(&edgefuel::ID, 0, A::ConstraintSeeds.into());
        assert_eq!(info.source, ErrorSource::Anchor);
        assert_eq!(info.name, "ConstraintSeeds");
        let info = describe_custom_error(&spl_token::ID, 2, 1);
        assert_eq!(info.source, ErrorSource::Token);
        assert_eq!(info.name, "InsufficientFunds");
        let info = describe_custom_error(&Pubkey::new_unique(), 0, 42);
        assert_eq!(info.source, ErrorSource::Other);
        assert_eq!(info.message, "custom error 42");
        let unknown = describe_custom_error(&edgefuel::ID, 0, 6999);
        assert_eq!(unknown.name, "Unknown");
    }

    #[test]
    fn anchor_errors_read_as_name_and_message() {
        let e: anchor_lang::error::Error = EdgeFuelError::InvalidParams.into();
        assert_eq!(
            anchor_error_text(&e),
            format!("InvalidParams: {}", EdgeFuelError::InvalidParams)
        );
    }

    #[test]
    fn finds_the_failing_instructions_program() {
        let err = TransactionError::InstructionError(1, InstructionError::Custom(6000));
        let programs = [spl_token::ID, edgefuel::ID];
        let info = program_error_of(&err, &programs).unwrap();
        assert_eq!((info.instruction, info.source), (1, ErrorSource::EdgeFuel));
        assert!(program_error_of(&TransactionError::AccountNotFound, &programs).is_none());
    }
}
