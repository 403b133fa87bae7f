//! The committed IDL (`programs/edgefuel/idl/edgefuel.json`) as data.
//!
//! The program crate owns every layout; the IDL is generated from it and CI
//! checks that the committed copy is current. This module reads that file so
//! the client never keeps a second list of fields, errors or offsets:
//! - [`account_to_json`] turns any EdgeFuel account (present or future) into
//!   JSON by walking its IDL type (Borsh order);
//! - [`json_to_borsh`] does the reverse for instruction arguments read from a
//!   config file (e.g. `Params` from TOML);
//! - [`field_offset`] gives the byte offset of a fixed-position field, for
//!   `getProgramAccounts` memcmp filters;
//! - [`program_error`] maps a custom error code (6000+) to its name and message.
//!
//! JSON conventions: integers up to 64 bits are JSON numbers (exact: serde_json
//! keeps u64/i64), 128-bit integers are decimal strings, pubkeys are base58,
//! unit enum variants are their name, fields named `reserved*` are left out.
use anchor_lang::prelude::Pubkey;
use anchor_lang_idl_spec::{Idl, IdlArrayLen, IdlDefinedFields, IdlType, IdlTypeDef, IdlTypeDefTy};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The committed IDL text.
pub const IDL_JSON: &str = include_str!("../../../programs/edgefuel/idl/edgefuel.json");

/// Errors walking data against the IDL.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdlError {
    #[error("the IDL has no type named {0}")]
    UnknownType(String),
    #[error("the IDL has no account named {0}")]
    UnknownAccount(String),
    #[error("data ended early while reading {0}")]
    Truncated(String),
    #[error("discriminator does not match account {0}")]
    Discriminator(String),
    #[error("unsupported IDL type {0}")]
    Unsupported(String),
    #[error("{path}: {reason}")]
    Value { path: String, reason: String },
}

/// The parsed IDL (parsed once).
pub fn idl() -> &'static Idl {
    static IDL: OnceLock<Idl> = OnceLock::new();
    IDL.get_or_init(|| match serde_json::from_str(IDL_JSON) {
        Ok(idl) => idl,
        // The committed IDL is generated and checked by CI; a parse failure
        // is a build defect, caught by this crate's unit tests.
        Err(e) => panic!("committed IDL does not parse: {e}"),
    })
}

fn type_def(name: &str) -> Result<&'static IdlTypeDef, IdlError> {
    idl()
        .types
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| IdlError::UnknownType(name.to_string()))
}

/// The 8-byte discriminator of an account type named in the IDL.
pub fn account_discriminator(name: &str) -> Result<&'static [u8], IdlError> {
    idl()
        .accounts
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.discriminator.as_slice())
        .ok_or_else(|| IdlError::UnknownAccount(name.to_string()))
}

/// Which IDL account type `data` holds, by its discriminator.
pub fn account_name(data: &[u8]) -> Option<&'static str> {
    let disc = data.get(..8)?;
    idl()
        .accounts
        .iter()
        .find(|a| a.discriminator.as_slice() == disc)
        .map(|a| a.name.as_str())
}

/// Name and message of a program error code (`6000 + variant index`).
pub fn program_error(code: u32) -> Option<(&'static str, &'static str)> {
    idl()
        .errors
        .iter()
        .find(|e| e.code == code)
        .map(|e| (e.name.as_str(), e.msg.as_deref().unwrap_or("")))
}

/// Decodes an account of IDL type `name` (discriminator checked) into JSON.
pub fn account_to_json(name: &str, data: &[u8]) -> Result<Value, IdlError> {
    let disc = account_discriminator(name)?;
    if data.get(..8) != Some(disc) {
        return Err(IdlError::Discriminator(name.to_string()));
    }
    let mut rest = &data[8..];
    defined_to_json(name, &mut rest)
}

/// Decodes Borsh bytes of IDL type `name` into JSON.
pub fn defined_to_json(name: &str, data: &mut &[u8]) -> Result<Value, IdlError> {
    let def = type_def(name)?;
    match &def.ty {
        IdlTypeDefTy::Struct { fields } => fields_to_json(fields.as_ref(), data, name),
        IdlTypeDefTy::Enum { variants } => {
            let idx = take(data, 1, name)?[0] as usize;
            let variant = variants.get(idx).ok_or_else(|| IdlError::Value {
                path: name.to_string(),
                reason: format!("enum variant index {idx} out of range"),
            })?;
            match &variant.fields {
                None => Ok(Value::String(variant.name.clone())),
                Some(f) => {
                    let inner = fields_to_json(Some(f), data, name)?;
                    let mut m = Map::new();
                    m.insert(variant.name.clone(), inner);
                    Ok(Value::Object(m))
                }
            }
        }
        IdlTypeDefTy::Type { alias } => type_to_json(alias, data, name),
    }
}

fn fields_to_json(
    fields: Option<&IdlDefinedFields>,
    data: &mut &[u8],
    path: &str,
) -> Result<Value, IdlError> {
    match fields {
        None => Ok(Value::Object(Map::new())),
        Some(IdlDefinedFields::Named(fields)) => {
            let mut m = Map::new();
            for f in fields {
                let v = type_to_json(&f.ty, data, &format!("{path}.{}", f.name))?;
                if !f.name.starts_with("reserved") {
                    m.insert(f.name.clone(), v);
                }
            }
            Ok(Value::Object(m))
        }
        // A one-field tuple (newtype variant) reads as its value: `{"SetGuardian": "Gu…"}`.
        Some(IdlDefinedFields::Tuple(types)) if types.len() == 1 => {
            type_to_json(&types[0], data, &format!("{path}.0"))
        }
        Some(IdlDefinedFields::Tuple(types)) => {
            let mut out = Vec::with_capacity(types.len());
            for (i, t) in types.iter().enumerate() {
                out.push(type_to_json(t, data, &format!("{path}.{i}"))?);
            }
            Ok(Value::Array(out))
        }
    }
}

fn take<'a>(data: &mut &'a [u8], n: usize, path: &str) -> Result<&'a [u8], IdlError> {
    if data.len() < n {
        return Err(IdlError::Truncated(path.to_string()));
    }
    let (head, tail) = data.split_at(n);
    *data = tail;
    Ok(head)
}

fn arr<const N: usize>(data: &mut &[u8], path: &str) -> Result<[u8; N], IdlError> {
    let mut out = [0u8; N];
    out.copy_from_slice(take(data, N, path)?);
    Ok(out)
}

fn len_prefix(data: &mut &[u8], path: &str) -> Result<usize, IdlError> {
    Ok(u32::from_le_bytes(arr::<4>(data, path)?) as usize)
}

fn type_to_json(ty: &IdlType, data: &mut &[u8], path: &str) -> Result<Value, IdlError> {
    Ok(match ty {
        IdlType::Bool => Value::Bool(take(data, 1, path)?[0] != 0),
        IdlType::U8 => Value::from(arr::<1>(data, path)?[0]),
        IdlType::I8 => Value::from(i8::from_le_bytes(arr(data, path)?)),
        IdlType::U16 => Value::from(u16::from_le_bytes(arr(data, path)?)),
        IdlType::I16 => Value::from(i16::from_le_bytes(arr(data, path)?)),
        IdlType::U32 => Value::from(u32::from_le_bytes(arr(data, path)?)),
        IdlType::I32 => Value::from(i32::from_le_bytes(arr(data, path)?)),
        IdlType::U64 => Value::from(u64::from_le_bytes(arr(data, path)?)),
        IdlType::I64 => Value::from(i64::from_le_bytes(arr(data, path)?)),
        IdlType::U128 => Value::String(u128::from_le_bytes(arr(data, path)?).to_string()),
        IdlType::I128 => Value::String(i128::from_le_bytes(arr(data, path)?).to_string()),
        IdlType::Pubkey => Value::String(Pubkey::new_from_array(arr(data, path)?).to_string()),
        IdlType::String => {
            let n = len_prefix(data, path)?;
            let bytes = take(data, n, path)?;
            Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
        IdlType::Bytes => {
            let n = len_prefix(data, path)?;
            Value::from(take(data, n, path)?.to_vec())
        }
        IdlType::Option(inner) => match take(data, 1, path)?[0] {
            0 => Value::Null,
            _ => type_to_json(inner, data, path)?,
        },
        IdlType::Vec(inner) => {
            let n = len_prefix(data, path)?;
            let mut out = Vec::with_capacity(n.min(1024));
            for i in 0..n {
                out.push(type_to_json(inner, data, &format!("{path}[{i}]"))?);
            }
            Value::Array(out)
        }
        IdlType::Array(inner, IdlArrayLen::Value(n)) => {
            let mut out = Vec::with_capacity(*n);
            for i in 0..*n {
                out.push(type_to_json(inner, data, &format!("{path}[{i}]"))?);
            }
            Value::Array(out)
        }
        IdlType::Defined { name, .. } => defined_to_json(name, data)?,
        other => return Err(IdlError::Unsupported(format!("{other:?} at {path}"))),
    })
}

/// Encodes JSON into the Borsh bytes of IDL type `name` (the inverse of
/// [`defined_to_json`]). Integers may be JSON numbers or decimal strings; every
/// field of a struct must be present (reserved fields default to zeros) and
/// unknown fields are refused, so a typo in a config file is an error.
pub fn json_to_borsh(name: &str, value: &Value) -> Result<Vec<u8>, IdlError> {
    let mut out = Vec::new();
    encode_defined(name, value, &mut out, name)?;
    Ok(out)
}

fn bad(path: &str, reason: impl Into<String>) -> IdlError {
    IdlError::Value {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Encodes the fields of a struct or enum variant. Named fields come from a
/// table: unknown keys are refused, missing `reserved*` fields are zeros.
fn encode_fields(
    fields: &IdlDefinedFields,
    v: &Value,
    out: &mut Vec<u8>,
    path: &str,
) -> Result<(), IdlError> {
    match fields {
        IdlDefinedFields::Named(fields) => {
            let obj = v.as_object().ok_or_else(|| bad(path, "expected a table"))?;
            if let Some(key) = obj.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                return Err(bad(
                    path,
                    format!("unknown field `{key}` (known: {})", known.join(", ")),
                ));
            }
            for f in fields {
                let fpath = format!("{path}.{}", f.name);
                match obj.get(&f.name) {
                    Some(fv) => encode_type(&f.ty, fv, out, &fpath)?,
                    None if f.name.starts_with("reserved") => encode_zero(&f.ty, out, &fpath)?,
                    None => return Err(bad(&fpath, "missing field")),
                }
            }
            Ok(())
        }
        IdlDefinedFields::Tuple(types) if types.len() == 1 => {
            // Newtype: the bare value, or (as written by other tools) a one-item list.
            let mut attempt = Vec::new();
            match encode_type(&types[0], v, &mut attempt, path) {
                Ok(()) => {
                    out.extend_from_slice(&attempt);
                    Ok(())
                }
                Err(e) => match v.as_array() {
                    Some(items) if items.len() == 1 => encode_type(&types[0], &items[0], out, path),
                    _ => Err(e),
                },
            }
        }
        IdlDefinedFields::Tuple(types) => {
            let items = v
                .as_array()
                .filter(|a| a.len() == types.len())
                .ok_or_else(|| bad(path, format!("expected {} items", types.len())))?;
            for (i, (t, item)) in types.iter().zip(items).enumerate() {
                encode_type(t, item, out, &format!("{path}.{i}"))?;
            }
            Ok(())
        }
    }
}

fn encode_defined(name: &str, v: &Value, out: &mut Vec<u8>, path: &str) -> Result<(), IdlError> {
    let def = type_def(name)?;
    match &def.ty {
        IdlTypeDefTy::Struct { fields: None } => Ok(()),
        IdlTypeDefTy::Struct {
            fields: Some(fields),
        } => encode_fields(fields, v, out, path),
        IdlTypeDefTy::Enum { variants } => {
            let (vname, inner) = match v {
                Value::String(s) => (s.as_str(), None),
                Value::Object(m) if m.len() == 1 => {
                    let (k, inner) = m.iter().next().ok_or_else(|| bad(path, "empty enum"))?;
                    (k.as_str(), Some(inner))
                }
                _ => return Err(bad(path, format!("expected a variant name of {name}"))),
            };
            let idx = variants
                .iter()
                .position(|var| var.name.eq_ignore_ascii_case(vname))
                .ok_or_else(|| {
                    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
                    bad(
                        path,
                        format!("unknown variant `{vname}` (one of: {})", names.join(", ")),
                    )
                })?;
            out.push(u8::try_from(idx).map_err(|_| bad(path, "too many variants"))?);
            match (&variants[idx].fields, inner) {
                (None, _) => Ok(()),
                (Some(fields), Some(inner)) => encode_fields(fields, inner, out, path),
                (Some(_), None) => Err(bad(path, format!("variant `{vname}` needs fields"))),
            }
        }
        IdlTypeDefTy::Type { alias } => encode_type(alias, v, out, path),
    }
}

fn int<T>(v: &Value, path: &str) -> Result<T, IdlError>
where
    T: TryFrom<i128> + std::str::FromStr,
{
    let parsed: Option<i128> = match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.replace('_', "").parse::<i128>().ok(),
        _ => None,
    };
    let n = parsed.ok_or_else(|| bad(path, format!("expected an integer, got {v}")))?;
    T::try_from(n).map_err(|_| bad(path, format!("{n} is out of range")))
}

fn encode_type(ty: &IdlType, v: &Value, out: &mut Vec<u8>, path: &str) -> Result<(), IdlError> {
    match ty {
        IdlType::Bool => out
            .push(u8::from(v.as_bool().ok_or_else(|| {
                bad(path, format!("expected true/false, got {v}"))
            })?)),
        IdlType::U8 => out.push(int::<u8>(v, path)?),
        IdlType::I8 => out.extend_from_slice(&int::<i8>(v, path)?.to_le_bytes()),
        IdlType::U16 => out.extend_from_slice(&int::<u16>(v, path)?.to_le_bytes()),
        IdlType::I16 => out.extend_from_slice(&int::<i16>(v, path)?.to_le_bytes()),
        IdlType::U32 => out.extend_from_slice(&int::<u32>(v, path)?.to_le_bytes()),
        IdlType::I32 => out.extend_from_slice(&int::<i32>(v, path)?.to_le_bytes()),
        IdlType::U64 => out.extend_from_slice(&int::<u64>(v, path)?.to_le_bytes()),
        IdlType::I64 => out.extend_from_slice(&int::<i64>(v, path)?.to_le_bytes()),
        IdlType::U128 | IdlType::I128 => {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(bad(path, "expected an integer")),
            };
            if matches!(ty, IdlType::U128) {
                let n: u128 = s.parse().map_err(|_| bad(path, "expected a u128"))?;
                out.extend_from_slice(&n.to_le_bytes());
            } else {
                let n: i128 = s.parse().map_err(|_| bad(path, "expected an i128"))?;
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        IdlType::Pubkey => {
            let s = v
                .as_str()
                .ok_or_else(|| bad(path, "expected a base58 address"))?;
            let key: Pubkey = s
                .parse()
                .map_err(|_| bad(path, format!("`{s}` is not a base58 address")))?;
            out.extend_from_slice(key.as_ref());
        }
        IdlType::String => {
            let s = v.as_str().ok_or_else(|| bad(path, "expected a string"))?;
            let n = u32::try_from(s.len()).map_err(|_| bad(path, "string too long"))?;
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        IdlType::Option(inner) => {
            if v.is_null() {
                out.push(0);
            } else {
                out.push(1);
                encode_type(inner, v, out, path)?;
            }
        }
        IdlType::Vec(inner) | IdlType::Array(inner, IdlArrayLen::Value(_)) => {
            let items = v.as_array().ok_or_else(|| bad(path, "expected a list"))?;
            match ty {
                IdlType::Array(_, IdlArrayLen::Value(n)) if items.len() != *n => {
                    return Err(bad(path, format!("expected exactly {n} items")))
                }
                IdlType::Vec(_) => {
                    let n = u32::try_from(items.len()).map_err(|_| bad(path, "list too long"))?;
                    out.extend_from_slice(&n.to_le_bytes());
                }
                _ => {}
            }
            for (i, item) in items.iter().enumerate() {
                encode_type(inner, item, out, &format!("{path}[{i}]"))?;
            }
        }
        IdlType::Defined { name, .. } => encode_defined(name, v, out, path)?,
        other => return Err(IdlError::Unsupported(format!("{other:?} at {path}"))),
    }
    Ok(())
}

fn encode_zero(ty: &IdlType, out: &mut Vec<u8>, path: &str) -> Result<(), IdlError> {
    let n = fixed_size(ty).ok_or_else(|| bad(path, "reserved field must be fixed-size"))?;
    out.extend(std::iter::repeat_n(0u8, n));
    Ok(())
}

/// Borsh size of a type when it does not depend on the value.
pub fn fixed_size(ty: &IdlType) -> Option<usize> {
    Some(match ty {
        IdlType::Bool | IdlType::U8 | IdlType::I8 => 1,
        IdlType::U16 | IdlType::I16 => 2,
        IdlType::U32 | IdlType::I32 | IdlType::F32 => 4,
        IdlType::U64 | IdlType::I64 | IdlType::F64 => 8,
        IdlType::U128 | IdlType::I128 => 16,
        IdlType::U256 | IdlType::I256 | IdlType::Pubkey => 32,
        IdlType::Array(inner, IdlArrayLen::Value(n)) => fixed_size(inner)?.checked_mul(*n)?,
        IdlType::Defined { name, .. } => {
            let def = type_def(name).ok()?;
            match &def.ty {
                IdlTypeDefTy::Struct { fields: None } => 0,
                IdlTypeDefTy::Struct {
                    fields: Some(IdlDefinedFields::Named(fields)),
                } => fields
                    .iter()
                    .map(|f| fixed_size(&f.ty))
                    .sum::<Option<usize>>()?,
                IdlTypeDefTy::Struct {
                    fields: Some(IdlDefinedFields::Tuple(types)),
                } => types.iter().map(fixed_size).sum::<Option<usize>>()?,
                IdlTypeDefTy::Enum { variants } if variants.iter().all(|v| v.fields.is_none()) => 1,
                IdlTypeDefTy::Type { alias } => fixed_size(alias)?,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Byte offset of field `field` in an account of IDL type `account`, counting
/// the 8-byte discriminator, when every field before it is fixed-size (so a
/// memcmp filter can match it).
pub fn field_offset(account: &str, field: &str) -> Result<usize, IdlError> {
    let def = type_def(account)?;
    let IdlTypeDefTy::Struct {
        fields: Some(IdlDefinedFields::Named(fields)),
    } = &def.ty
    else {
        return Err(IdlError::UnknownType(format!("{account} (not a struct)")));
    };
    let mut offset = 8usize;
    for f in fields {
        if f.name == field {
            return Ok(offset);
        }
        offset += fixed_size(&f.ty).ok_or_else(|| {
            IdlError::Unsupported(format!(
                "{account}.{field}: preceded by variable-size field {}",
                f.name
            ))
        })?;
    }
    Err(IdlError::UnknownType(format!("{account}.{field}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::{AnchorDeserialize, AnchorSerialize};
    use edgefuel::ProposalAction;

    fn roundtrip(action: &ProposalAction) -> Value {
        let mut bytes = Vec::new();
        action.serialize(&mut bytes).unwrap();
        let json = defined_to_json("ProposalAction", &mut bytes.as_slice()).unwrap();
        let back = json_to_borsh("ProposalAction", &json).unwrap();
        assert_eq!(back, bytes, "{json}");
        assert_eq!(&ProposalAction::try_from_slice(&back).unwrap(), action);
        json
    }

    #[test]
    fn enum_variants_roundtrip_through_json() {
        let k = Pubkey::new_unique();
        assert_eq!(
            roundtrip(&ProposalAction::SetVerifierThreshold(3)),
            serde_json::json!({ "SetVerifierThreshold": 3 })
        );
        assert_eq!(
            roundtrip(&ProposalAction::SetGuardian(k)),
            serde_json::json!({ "SetGuardian": k.to_string() })
        );
        assert_eq!(
            roundtrip(&ProposalAction::TreasuryTransfer { to: k, amount: 5 }),
            serde_json::json!({ "TreasuryTransfer": { "to": k.to_string(), "amount": 5 } })
        );
        let params = roundtrip(&ProposalAction::UpdateParams(
            crate::config::default_params(),
        ));
        assert_eq!(params["UpdateParams"]["max_samples"], 32);
        // A one-item list is accepted for a newtype too.
        let bytes = json_to_borsh(
            "ProposalAction",
            &serde_json::json!({ "SetVerifierThreshold": [3] }),
        )
        .unwrap();
        assert_eq!(
            ProposalAction::try_from_slice(&bytes).unwrap(),
            ProposalAction::SetVerifierThreshold(3)
        );
    }
}
