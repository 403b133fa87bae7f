//! EdgeFuel events out of landed transactions.
//!
//! The program records each event as Anchor's event-cpi does (see
//! `edgefuel::events`): an inner instruction to the EdgeFuel program, signed
//! by the event authority PDA, whose data is `EVENT_IX_TAG_LE ‖
//! discriminator ‖ borsh`. [`from_transaction`] reads those from a
//! `getTransaction` answer (any encoding: json, jsonParsed, base58, base64)
//! and, for robustness, also the `Program data: …` log lines that Anchor's
//! plain `emit!` writes while EdgeFuel is the running program. The decoded
//! values are the program's own event types, one [`EdgeFuelEvent`] variant
//! each. [`crate::EdgeFuelClient::transaction_events`] fetches and decodes in
//! one call.
//!
//! A failed transaction has no events: its effects, events included, were
//! rolled back.
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, AnchorSerialize, Discriminator};
use base64::prelude::{Engine, BASE64_STANDARD};
use edgefuel::events as ev;
use serde_json::Value;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, UiInstruction, UiMessage,
    UiParsedInstruction,
};

/// Why a transaction's events could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    /// Bytes with an EdgeFuel event discriminator that do not decode as that
    /// event (a program/client version mismatch).
    #[error("{name} event data does not decode: {reason}")]
    Malformed { name: &'static str, reason: String },
    /// The RPC answer lacks what events are read from.
    #[error("transaction has no {0}")]
    Missing(&'static str),
    /// An address, index or data string that is not valid.
    #[error("invalid {what}: {value}")]
    Invalid { what: &'static str, value: String },
}

macro_rules! edgefuel_events {
    ($($name:ident),* $(,)?) => {
        /// Every event the EdgeFuel program emits, as its own type.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum EdgeFuelEvent {
            $($name(ev::$name),)*
        }

        impl EdgeFuelEvent {
            /// Names of every event, as in the IDL.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Decodes `discriminator ‖ borsh` (what `Event::data` writes):
            /// `Ok(None)` when the discriminator is not an EdgeFuel event's.
            pub fn decode(data: &[u8]) -> Result<Option<Self>, EventError> {
                $(
                    if let Some(mut body) = data.strip_prefix(ev::$name::DISCRIMINATOR) {
                        let event = ev::$name::deserialize(&mut body).map_err(|e| {
                            EventError::Malformed { name: stringify!($name), reason: e.to_string() }
                        })?;
                        if !body.is_empty() {
                            return Err(EventError::Malformed {
                                name: stringify!($name),
                                reason: format!("{} trailing bytes", body.len()),
                            });
                        }
                        return Ok(Some(EdgeFuelEvent::$name(event)));
                    }
                )*
                Ok(None)
            }

            /// The event's name (as in the IDL).
            pub fn name(&self) -> &'static str {
                match self {
                    $(EdgeFuelEvent::$name(_) => stringify!($name),)*
                }
            }

            /// The event's fields, borsh-serialized (without discriminator).
            fn body(&self) -> Vec<u8> {
                let mut out = Vec::new();
                let written = match self {
                    $(EdgeFuelEvent::$name(e) => e.serialize(&mut out),)*
                };
                debug_assert!(written.is_ok(), "borsh into a Vec cannot fail");
                out
            }
        }
    };
}

edgefuel_events!(
    NetworkInitialized,
    Paused,
    Unpaused,
    NodeRegistered,
    NodeUpdated,
    AgentKeySet,
    NodeExited,
    Delegated,
    Undelegated,
    Withdrawn,
    RewardsClaimed,
    BatchSubmitted,
    BatchSealed,
    SamplesRevealed,
    VoteCast,
    BatchAccepted,
    BatchRejected,
    BatchExpired,
    BatchMissed,
    BatchClosed,
    NodeUnjailed,
    ProposalCreated,
    ProposalVoted,
    ProposalFinalized,
    ProposalExecuted,
    ProposalCancelled,
    ParamsUpdated,
    VerifierSetChanged,
    GuardianChanged,
    TreasuryTransferred,
    NodeUnjailedByGovernance,
);

impl EdgeFuelEvent {
    /// `{"name": …, "data": {…}}`, the fields in the IDL's JSON conventions
    /// (see [`crate::idl`]).
    pub fn to_json(&self) -> Value {
        let body = self.body();
        let data = crate::idl::defined_to_json(self.name(), &mut body.as_slice())
            .unwrap_or_else(|e| Value::String(format!("undecodable: {e}")));
        serde_json::json!({ "name": self.name(), "data": data })
    }
}

/// The event carried by one instruction, if it is an EdgeFuel event
/// self-CPI: program EdgeFuel, first account the event authority, data
/// `EVENT_IX_TAG_LE ‖ event`.
pub fn from_instruction(
    program_id: &Pubkey,
    accounts: &[Pubkey],
    data: &[u8],
) -> Result<Option<EdgeFuelEvent>, EventError> {
    if *program_id != edgefuel::ID || accounts.first() != Some(&pda::event_authority()) {
        return Ok(None);
    }
    match data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE) {
        Some(event) => EdgeFuelEvent::decode(event),
        None => Ok(None),
    }
}

/// Events that Anchor's `emit!` logged as `Program data: <base64>` while
/// EdgeFuel was the running program (the invoke depth is followed, so a
/// line another program logs is never taken).
pub fn from_logs(logs: &[String]) -> Result<Vec<EdgeFuelEvent>, EventError> {
    let me = edgefuel::ID.to_string();
    let mut stack: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else {
            continue;
        };
        if let Some(data) = rest.strip_prefix("data: ") {
            if stack.last() != Some(&me.as_str()) {
                continue;
            }
            for field in data.split(' ') {
                let bytes = BASE64_STANDARD
                    .decode(field)
                    .map_err(|_| invalid("log data", field))?;
                out.extend(EdgeFuelEvent::decode(&bytes)?);
            }
            continue;
        }
        let mut words = rest.split(' ');
        match (words.next(), words.next(), words.next()) {
            (Some(program), Some("invoke"), Some(depth)) if depth.starts_with('[') => {
                // Natively hosted programs log their invoke line twice.
                let depth = depth.trim_matches(|c| c == '[' || c == ']');
                let depth: usize = depth.parse().map_err(|_| invalid("log line", line))?;
                stack.truncate(depth.saturating_sub(1));
                stack.push(program);
            }
            (Some(_), Some("success" | "failed:"), _) => {
                stack.pop();
            }
            _ => {}
        }
    }
    Ok(out)
}

fn invalid(what: &'static str, value: &str) -> EventError {
    EventError::Invalid {
        what,
        value: value.to_string(),
    }
}

fn pubkey(s: &str) -> Result<Pubkey, EventError> {
    s.parse().map_err(|_| invalid("address", s))
}

/// Every account key of the transaction, in message order (static keys,
/// then loaded writable, then loaded readonly).
fn account_keys(tx: &EncodedConfirmedTransactionWithStatusMeta) -> Result<Vec<Pubkey>, EventError> {
    let mut keys = match &tx.transaction.transaction {
        EncodedTransaction::Json(ui) => match &ui.message {
            UiMessage::Raw(m) => m
                .account_keys
                .iter()
                .map(|k| pubkey(k))
                .collect::<Result<_, _>>()?,
            // A parsed message already lists loaded addresses.
            UiMessage::Parsed(m) => {
                return m.account_keys.iter().map(|k| pubkey(&k.pubkey)).collect()
            }
        },
        other => other
            .decode()
            .ok_or(EventError::Missing("decodable transaction"))?
            .message
            .static_account_keys()
            .to_vec(),
    };
    if let Some(OptionSerializer::Some(loaded)) =
        tx.transaction.meta.as_ref().map(|m| &m.loaded_addresses)
    {
        for k in loaded.writable.iter().chain(&loaded.readonly) {
            keys.push(pubkey(k)?);
        }
    }
    Ok(keys)
}

/// Every EdgeFuel event of a landed transaction, in execution order: the
/// event self-CPIs in its inner instructions, then any `Program data:`
/// events in its logs. Empty for a failed transaction. Ask `getTransaction`
/// with `maxSupportedTransactionVersion: 0` so versioned transactions come
/// back too.
pub fn from_transaction(
    tx: &EncodedConfirmedTransactionWithStatusMeta,
) -> Result<Vec<EdgeFuelEvent>, EventError> {
    let meta = tx
        .transaction
        .meta
        .as_ref()
        .ok_or(EventError::Missing("status meta"))?;
    if meta.err.is_some() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    if let OptionSerializer::Some(inner) = &meta.inner_instructions {
        let keys = account_keys(tx)?;
        let key = |i: u8| {
            keys.get(usize::from(i))
                .copied()
                .ok_or_else(|| invalid("account index", &i.to_string()))
        };
        for ix in inner.iter().flat_map(|i| &i.instructions) {
            let (program, accounts, data) = match ix {
                UiInstruction::Compiled(c) => (
                    key(c.program_id_index)?,
                    c.accounts
                        .iter()
                        .map(|&a| key(a))
                        .collect::<Result<_, _>>()?,
                    &c.data,
                ),
                UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(p)) => (
                    pubkey(&p.program_id)?,
                    p.accounts
                        .iter()
                        .map(|a| pubkey(a))
                        .collect::<Result<Vec<_>, _>>()?,
                    &p.data,
                ),
                // Fully parsed: a program the node knows (System, Token…).
                UiInstruction::Parsed(UiParsedInstruction::Parsed(_)) => continue,
            };
            if program != edgefuel::ID {
                continue;
            }
            let data = bs58::decode(data)
                .into_vec()
                .map_err(|_| invalid("instruction data", data))?;
            out.extend(from_instruction(&program, &accounts, &data)?);
        }
    }
    if let OptionSerializer::Some(logs) = &meta.log_messages {
        out.extend(from_logs(logs)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;
    use solana_transaction_status_client_types::{
        EncodedTransactionWithStatusMeta, UiCompiledInstruction, UiInnerInstructions, UiRawMessage,
        UiTransaction, UiTransactionStatusMeta,
    };

    fn delegated() -> ev::Delegated {
        ev::Delegated {
            node: Pubkey::new_from_array([1; 32]),
            staker: Pubkey::new_from_array([2; 32]),
            amount: 250_000_000_000,
            shares: 250_000_000_000,
            pool_tokens_before: 1_000_000_000_000,
            pool_tokens_after: 1_250_000_000_000,
            pool_shares_before: 1_000_000_000_000,
            pool_shares_after: 1_250_000_000_000,
        }
    }

    /// The instruction data `emit_cpi!` builds for `event`.
    fn cpi_data(event: &impl Event) -> Vec<u8> {
        [anchor_lang::event::EVENT_IX_TAG_LE, &event.data()].concat()
    }

    #[test]
    fn every_idl_event_has_a_variant() {
        let mut idl: Vec<&str> = crate::idl::idl()
            .events
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let mut ours = EdgeFuelEvent::NAMES.to_vec();
        idl.sort_unstable();
        ours.sort_unstable();
        assert_eq!(idl, ours);
    }

    #[test]
    fn an_event_cpi_decodes_to_the_program_type() {
        let data = cpi_data(&delegated());
        // Tag (8) + discriminator (8) + 2 keys + 6 u64.
        assert_eq!(data.len(), 8 + 8 + 64 + 48);
        let got = from_instruction(&edgefuel::ID, &[pda::event_authority()], &data).unwrap();
        assert_eq!(got, Some(EdgeFuelEvent::Delegated(delegated())));
        // Another program, another signer, or no tag: not an event.
        let other = Pubkey::new_unique();
        assert_eq!(
            from_instruction(&other, &[pda::event_authority()], &data),
            Ok(None)
        );
        assert_eq!(from_instruction(&edgefuel::ID, &[other], &data), Ok(None));
        assert_eq!(
            from_instruction(&edgefuel::ID, &[pda::event_authority()], &data[8..]),
            Ok(None)
        );
        // Truncated or padded bytes are named, not guessed.
        assert!(matches!(
            from_instruction(
                &edgefuel::ID,
                &[pda::event_authority()],
                &data[..data.len() - 1]
            ),
            Err(EventError::Malformed {
                name: "Delegated",
                ..
            })
        ));
        let mut long = data.clone();
        long.push(0);
        assert_eq!(
            EdgeFuelEvent::decode(&long[8..]),
            Err(EventError::Malformed {
                name: "Delegated",
                reason: "1 trailing bytes".into()
            })
        );
    }

    #[test]
    fn program_data_lines_count_only_under_edgefuel() {
        let me = edgefuel::ID;
        let line = format!(
            "Program data: {}",
            BASE64_STANDARD.encode(delegated().data())
        );
        let logs: Vec<String> = [
            format!("Program {me} invoke [1]"),
            "Program log: Instruction: Delegate".into(),
            "Program Tokenkeg invoke [2]".into(),
            line.clone(), // logged by the token program: not ours
            "Program Tokenkeg success".into(),
            line.clone(),
            format!("Program {me} success"),
            line.clone(), // outside any program
        ]
        .into_iter()
        .collect();
        assert_eq!(
            from_logs(&logs).unwrap(),
            vec![EdgeFuelEvent::Delegated(delegated())]
        );
        let bad = vec![
            format!("Program {me} invoke [1]"),
            "Program data: ***".into(),
        ];
        assert!(matches!(from_logs(&bad), Err(EventError::Invalid { .. })));
    }

    #[test]
    fn a_json_transaction_yields_its_inner_instruction_events() {
        let keys = [Pubkey::new_unique(), pda::event_authority(), edgefuel::ID];
        let meta = |err| UiTransactionStatusMeta {
            err,
            status: Ok(()),
            fee: 5_000,
            pre_balances: vec![],
            post_balances: vec![],
            inner_instructions: OptionSerializer::Some(vec![UiInnerInstructions {
                index: 0,
                instructions: vec![UiInstruction::Compiled(UiCompiledInstruction {
                    program_id_index: 2,
                    accounts: vec![1],
                    data: bs58::encode(cpi_data(&delegated())).into_string(),
                    stack_height: Some(2),
                })],
            }]),
            log_messages: OptionSerializer::Some(vec![]),
            pre_token_balances: OptionSerializer::None,
            post_token_balances: OptionSerializer::None,
            rewards: OptionSerializer::None,
            loaded_addresses: OptionSerializer::Skip,
            return_data: OptionSerializer::Skip,
            compute_units_consumed: OptionSerializer::Skip,
            cost_units: OptionSerializer::Skip,
        };
        let tx = |err| EncodedConfirmedTransactionWithStatusMeta {
            slot: 7,
            transaction: EncodedTransactionWithStatusMeta {
                transaction: EncodedTransaction::Json(UiTransaction {
                    signatures: vec![],
                    message: UiMessage::Raw(UiRawMessage {
                        header: Default::default(),
                        account_keys: keys.iter().map(ToString::to_string).collect(),
                        recent_blockhash: String::new(),
                        instructions: vec![],
                        address_table_lookups: None,
                    }),
                }),
                meta: Some(meta(err)),
                version: None,
            },
            block_time: None,
        };
        assert_eq!(
            from_transaction(&tx(None)).unwrap(),
            vec![EdgeFuelEvent::Delegated(delegated())]
        );
        let failed = Some(solana_transaction_error::TransactionError::AccountInUse.into());
        assert_eq!(from_transaction(&tx(failed)).unwrap(), vec![]);
    }

    #[test]
    fn events_render_as_idl_json() {
        let json = EdgeFuelEvent::Delegated(delegated()).to_json();
        assert_eq!(json["name"], "Delegated");
        assert_eq!(json["data"]["amount"], 250_000_000_000u64);
        assert_eq!(
            json["data"]["staker"],
            Pubkey::new_from_array([2; 32]).to_string()
        );
    }
}
