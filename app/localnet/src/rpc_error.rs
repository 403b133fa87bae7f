//! JSON-RPC error objects, built from the same types agave's RPC uses
//! (`jsonrpc_core::Error`, `RpcCustomError`) so codes, messages and `data`
//! match what the Solana clients expect.
use jsonrpc_core::{Error, ErrorCode};
use serde_json::Value;
use solana_rpc_client_api::custom_error::RpcCustomError;

#[derive(Debug, Clone, PartialEq)]
pub struct RpcError(pub Error);

impl RpcError {
    /// `-32700 Parse error`.
    pub fn parse_error() -> Self {
        RpcError(Error::parse_error())
    }

    /// `-32600 Invalid request` (with agave's own message when given).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        RpcError(Error {
            code: ErrorCode::InvalidRequest,
            message: message.into(),
            data: None,
        })
    }

    /// `-32601 Method not found`.
    pub fn method_not_found() -> Self {
        RpcError(Error::method_not_found())
    }

    /// `-32602` with a message saying what is wrong.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError(Error::invalid_params(message.into()))
    }

    /// `-32603 Internal error`.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {message}");
        RpcError(Error::internal_error())
    }

    pub fn code(&self) -> i64 {
        self.0.code.code()
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(&self.0).unwrap_or(Value::Null)
    }
}

impl From<RpcCustomError> for RpcError {
    fn from(e: RpcCustomError) -> Self {
        RpcError(e.into())
    }
}
