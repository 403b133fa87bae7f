//! Wire encodings: transactions in, accounts and transactions out, in the
//! shapes agave's RPC uses (same limits, same messages).
use crate::rpc_error::RpcError;
use base64::prelude::{Engine, BASE64_STANDARD};
use solana_account::{AccountSharedData, ReadableAccount};
use solana_account_decoder::parse_account_data::{
    AccountAdditionalDataV3, SplTokenAdditionalDataV2,
};
use solana_account_decoder::parse_token::token_amount_to_ui_amount_v3;
use solana_account_decoder::{
    encode_ui_account, UiAccount, UiAccountEncoding, UiDataSliceConfig, MAX_BASE58_BYTES,
};
use solana_account_decoder_client_types::token::UiTokenAmount;
use solana_pubkey::Pubkey;
use solana_runtime::bank::Bank;
use solana_svm::transaction_balances::SvmTokenInfo;
use solana_transaction::versioned::{TransactionVersion, VersionedTransaction};
use solana_transaction_status_client_types::{
    EncodedTransaction, TransactionBinaryEncoding, TransactionTokenBalance, UiAddressTableLookup,
    UiCompiledInstruction, UiMessage, UiRawMessage, UiTransaction, UiTransactionEncoding,
};

/// Largest serialized transaction (bytes).
pub const PACKET_DATA_SIZE: usize = 1232;
const MAX_BASE58_SIZE: usize = 1683; // base58 of PACKET_DATA_SIZE bytes
const MAX_BASE64_SIZE: usize = 1644; // base64 of PACKET_DATA_SIZE bytes

/// SPL Token and Token-2022 program ids.
pub fn token_program_ids() -> [Pubkey; 2] {
    [anchor_spl::token::ID, anchor_spl::token_2022::ID]
}

pub fn is_token_program(id: &Pubkey) -> bool {
    token_program_ids().contains(id)
}

/// Decodes a wire transaction (base58 or base64 of its bincode form) as
/// agave's `decode_and_deserialize` does.
pub fn decode_transaction(
    encoded: &str,
    encoding: TransactionBinaryEncoding,
) -> Result<VersionedTransaction, RpcError> {
    let type_name = "solana_transaction::versioned::VersionedTransaction";
    let bytes = match encoding {
        TransactionBinaryEncoding::Base58 => {
            if encoded.len() > MAX_BASE58_SIZE {
                return Err(RpcError::invalid_params(format!(
                    "base58 encoded {type_name} too large: {} bytes (max: encoded/raw {MAX_BASE58_SIZE}/{PACKET_DATA_SIZE})",
                    encoded.len()
                )));
            }
            bs58::decode(encoded)
                .into_vec()
                .map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e:?}")))?
        }
        TransactionBinaryEncoding::Base64 => {
            if encoded.len() > MAX_BASE64_SIZE {
                return Err(RpcError::invalid_params(format!(
                    "base64 encoded {type_name} too large: {} bytes (max: encoded/raw {MAX_BASE64_SIZE}/{PACKET_DATA_SIZE})",
                    encoded.len()
                )));
            }
            BASE64_STANDARD
                .decode(encoded)
                .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e:?}")))?
        }
    };
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(RpcError::invalid_params(format!(
            "decoded {type_name} too large: {} bytes (max: {PACKET_DATA_SIZE} bytes)",
            bytes.len()
        )));
    }
    use bincode::Options;
    bincode::options()
        .with_limit(PACKET_DATA_SIZE as u64)
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .deserialize_from(&bytes[..])
        .map_err(|err| {
            RpcError::invalid_params(format!("failed to deserialize {type_name}: {err}"))
        })
}

/// The binary encoding of a `sendTransaction`/`simulateTransaction` call.
pub fn binary_encoding(
    encoding: Option<UiTransactionEncoding>,
) -> Result<TransactionBinaryEncoding, RpcError> {
    let encoding = encoding.unwrap_or(UiTransactionEncoding::Base58);
    encoding.into_binary_encoding().ok_or_else(|| {
        RpcError::invalid_params(format!(
            "unsupported encoding: {encoding}. Supported encodings: base58, base64"
        ))
    })
}

/// Rejects data slices with jsonParsed, as agave does.
pub fn check_slice_and_encoding(
    encoding: UiAccountEncoding,
    data_slice: Option<UiDataSliceConfig>,
) -> Result<(), RpcError> {
    if encoding == UiAccountEncoding::JsonParsed && data_slice.is_some() {
        return Err(RpcError::invalid_params(
            "Sliced account data can only be encoded using binary (base 58) or base64 encoding.",
        ));
    }
    Ok(())
}

/// Decimals of a token account's mint, read from the bank.
fn token_decimals(bank: &Bank, account: &AccountSharedData) -> Option<u8> {
    let mint = solana_account_decoder::parse_token::get_token_account_mint(account.data())?;
    let mint_account = bank.get_account(&mint)?;
    // SPL Mint layout: decimals at byte 44 (same in Token-2022).
    mint_account.data().get(44).copied()
}

/// Encodes an account as agave does (base58 limited to 128 bytes; token
/// accounts parsed with their mint's decimals under jsonParsed).
pub fn encode_account(
    bank: &Bank,
    pubkey: &Pubkey,
    account: &AccountSharedData,
    encoding: UiAccountEncoding,
    data_slice: Option<UiDataSliceConfig>,
) -> Result<UiAccount, RpcError> {
    if matches!(
        encoding,
        UiAccountEncoding::Binary | UiAccountEncoding::Base58
    ) {
        let len = data_slice
            .map(|s| s.length.min(account.data().len().saturating_sub(s.offset)))
            .unwrap_or(account.data().len());
        if len > MAX_BASE58_BYTES {
            return Err(RpcError::invalid_request(format!(
                "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, please use Base64 encoding."
            )));
        }
    }
    let additional = additional_data(bank, account, encoding);
    Ok(encode_ui_account(
        pubkey, account, encoding, additional, data_slice,
    ))
}

/// Token accounts need their mint's decimals to be parsed.
fn additional_data(
    bank: &Bank,
    account: &AccountSharedData,
    encoding: UiAccountEncoding,
) -> Option<AccountAdditionalDataV3> {
    if encoding == UiAccountEncoding::JsonParsed && is_token_program(account.owner()) {
        token_decimals(bank, account).map(|decimals| AccountAdditionalDataV3 {
            spl_token_additional_data: Some(SplTokenAdditionalDataV2::with_decimals(decimals)),
        })
    } else {
        None
    }
}

/// Encodes an account for a notification: like agave's PubSub, base58 of
/// large data becomes an error string instead of failing.
pub fn encode_account_lossy(
    bank: &Bank,
    pubkey: &Pubkey,
    account: &AccountSharedData,
    encoding: UiAccountEncoding,
) -> UiAccount {
    encode_ui_account(
        pubkey,
        account,
        encoding,
        additional_data(bank, account, encoding),
        None,
    )
}

/// A token amount as RPC reports it.
pub fn ui_token_amount(amount: u64, decimals: u8) -> UiTokenAmount {
    token_amount_to_ui_amount_v3(amount, &SplTokenAdditionalDataV2::with_decimals(decimals))
}

/// Token balances recorded by the SVM, in the status-meta form.
pub fn token_balances(infos: Vec<SvmTokenInfo>) -> Vec<TransactionTokenBalance> {
    infos
        .into_iter()
        .map(|t| TransactionTokenBalance {
            account_index: t.account_index,
            mint: t.mint.to_string(),
            ui_token_amount: ui_token_amount(t.amount, t.decimals),
            owner: t.owner.to_string(),
            program_id: t.program_id.to_string(),
        })
        .collect()
}

/// Encodes a transaction for `getTransaction` (json, base58, base64;
/// jsonParsed is served as json).
pub fn encode_transaction(
    tx: &VersionedTransaction,
    encoding: UiTransactionEncoding,
) -> EncodedTransaction {
    if let Some(binary) = encoding.into_binary_encoding() {
        let bytes = bincode::serialize(tx).unwrap_or_default();
        return match binary {
            TransactionBinaryEncoding::Base58 => {
                EncodedTransaction::Binary(bs58::encode(bytes).into_string(), binary)
            }
            TransactionBinaryEncoding::Base64 => {
                EncodedTransaction::Binary(BASE64_STANDARD.encode(bytes), binary)
            }
        };
    }
    let message = &tx.message;
    let lookups = message
        .address_table_lookups()
        .map(|l| l.iter().map(UiAddressTableLookup::from).collect::<Vec<_>>());
    EncodedTransaction::Json(UiTransaction {
        signatures: tx.signatures.iter().map(ToString::to_string).collect(),
        message: UiMessage::Raw(UiRawMessage {
            header: *message.header(),
            account_keys: message
                .static_account_keys()
                .iter()
                .map(ToString::to_string)
                .collect(),
            recent_blockhash: message.recent_blockhash().to_string(),
            instructions: message
                .instructions()
                .iter()
                .map(|ix| UiCompiledInstruction::from(ix, None))
                .collect(),
            address_table_lookups: match tx.version() {
                TransactionVersion::Legacy(_) => None,
                TransactionVersion::Number(_) => lookups,
            },
        }),
    })
}
