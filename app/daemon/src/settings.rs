//! Settings: a TOML file, then environment overrides.
//!
//! With prefix `EDGEFUEL_NODE`, `EDGEFUEL_NODE_RPC_URL=…` sets the top-level
//! key `rpc_url` and `EDGEFUEL_NODE_BATCH__JOBS=32` sets `jobs` in the
//! `[batch]` table (double underscore = one table level down). A value is
//! read as a TOML value when it parses as one (`32`, `true`, `"x"`, `[1,2]`),
//! else as a string.
use crate::DaemonError;
use serde::de::DeserializeOwned;
use std::path::Path;
use toml::{Table, Value};

/// Reads `path`, applies the overrides of `vars` under `prefix` and
/// deserializes the result (unknown keys are refused when `T` says so).
pub fn load<T: DeserializeOwned>(
    path: &Path,
    prefix: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<T, DaemonError> {
    let text = std::fs::read_to_string(path).map_err(|source| DaemonError::ReadSettings {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, &path.display().to_string(), prefix, vars)
}

/// [`load`] on text already read (`origin` names it in errors).
pub fn parse<T: DeserializeOwned>(
    text: &str,
    origin: &str,
    prefix: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<T, DaemonError> {
    let mut table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| DaemonError::Settings {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
    apply_env(&mut table, prefix, vars)?;
    Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| DaemonError::Settings {
            path: origin.to_string(),
            message: format!("{} (after environment overrides)", e.message()),
        })
}

/// Applies every `PREFIX_…` variable of `vars` to `table`.
pub fn apply_env(
    table: &mut Table,
    prefix: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(), DaemonError> {
    let head = format!("{prefix}_");
    for (var, raw) in vars {
        let Some(rest) = var.strip_prefix(&head) else {
            continue;
        };
        let path: Vec<String> = rest.split("__").map(|p| p.to_lowercase()).collect();
        if path.iter().any(String::is_empty) {
            return Err(DaemonError::Env {
                var,
                message: "empty key".into(),
            });
        }
        let value = parse_value(&raw);
        let mut at = &mut *table;
        for part in &path[..path.len() - 1] {
            let entry = at
                .entry(part.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            at = match entry {
                Value::Table(t) => t,
                _ => {
                    return Err(DaemonError::Env {
                        var,
                        message: format!("`{part}` is not a table in the settings file"),
                    })
                }
            };
        }
        at.insert(path[path.len() - 1].clone(), value);
    }
    Ok(())
}

fn parse_value(raw: &str) -> Value {
    format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct S {
        url: String,
        batch: B,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct B {
        jobs: u32,
        on: bool,
    }

    fn vars(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_keys_and_sections() {
        let text = "url = \"a\"\n[batch]\njobs = 4\non = false\n";
        let s: S = parse(
            text,
            "t.toml",
            "EF",
            vars(&[
                ("EF_URL", "http://x:1"),
                ("EF_BATCH__JOBS", "32"),
                ("EF_BATCH__ON", "true"),
                ("OTHER_URL", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s,
            S {
                url: "http://x:1".into(),
                batch: B { jobs: 32, on: true }
            }
        );
    }

    #[test]
    fn refusals_name_the_file_or_variable() {
        let bad = parse::<S>("url = ", "t.toml", "EF", vars(&[])).unwrap_err();
        assert!(
            bad.to_string().starts_with("settings file t.toml:"),
            "{bad}"
        );
        let unknown = parse::<S>(
            "url = \"a\"\nport = 1\n[batch]\njobs = 1\non = true\n",
            "t.toml",
            "EF",
            vars(&[]),
        )
        .unwrap_err();
        assert!(unknown.to_string().contains("port"), "{unknown}");
        let wrong = parse::<S>(
            "url = \"a\"\n[batch]\njobs = 1\non = true\n",
            "t.toml",
            "EF",
            vars(&[("EF_URL__X", "1")]),
        )
        .unwrap_err();
        assert!(wrong.to_string().contains("EF_URL__X"), "{wrong}");
    }
}
