//! `TESSERA_<KEY>` environment overrides. Which keys exist, and whether each is a number, a
//! flag, a list or text, is read off the `Config` struct itself (its serde field list and its
//! defaults), so a key added to the struct is overridable at once and a misspelt variable is
//! refused instead of silently ignored.
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{Config, ConfigError};

const PREFIX: &str = "TESSERA_";
/// Variables with the prefix that other parts of Tessera (or its tests) read.
const NOT_CONFIG: &[&str] = &["TESSERA_CONFIG", "TESSERA_LOG"];
const NOT_CONFIG_PREFIXES: &[&str] = &["TESSERA_TEST_", "TESSERA_BENCH_"];
/// Keys that hold tables; they have no sensible one-line form.
const TABLES: &[&str] = &[
    "clients",
    "branding",
    "upstreams",
    "email",
    "dpop",
    "device_flow",
];

pub fn apply_overrides(
    table: &mut toml::Table,
    env: impl Iterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let fields = field_names::<Config>();
    let defaults = default_table();
    for (name, value) in env {
        let Some(key) = name.strip_prefix(PREFIX) else {
            continue;
        };
        if NOT_CONFIG.contains(&name.as_str())
            || NOT_CONFIG_PREFIXES.iter().any(|p| name.starts_with(p))
        {
            continue;
        }
        let key = key.to_ascii_lowercase();
        if !fields.contains(&key.as_str()) || TABLES.contains(&key.as_str()) {
            return Err(unknown_variable(&name, fields));
        }
        let typed = typed_value(&name, &value, defaults.get(&key))?;
        table.insert(key, typed);
    }
    Ok(())
}

/// The value as the type the key's default has; keys without a default (optional ones) are text.
fn typed_value(
    name: &str,
    value: &str,
    default: Option<&toml::Value>,
) -> Result<toml::Value, ConfigError> {
    let value = value.trim();
    Ok(match default {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(
            value
                .parse()
                .map_err(|_| ConfigError::new(name, "must be an integer"))?,
        ),
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(
            value
                .parse()
                .map_err(|_| ConfigError::new(name, "must be true or false"))?,
        ),
        Some(toml::Value::Array(_)) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_string()))
                .collect(),
        ),
        _ => toml::Value::String(value.to_string()),
    })
}

fn unknown_variable(name: &str, fields: &[&str]) -> ConfigError {
    let known: Vec<String> = fields
        .iter()
        .filter(|f| !TABLES.contains(f))
        .map(|f| format!("{PREFIX}{}", f.to_ascii_uppercase()))
        .collect();
    ConfigError::new(
        name,
        format!(
            "unknown setting; the environment can override {}",
            known.join(", ")
        ),
    )
}

/// Every key with its default value (keys whose default is "none" are absent).
fn default_table() -> toml::Table {
    let defaults = Config::deserialize(toml::Value::Table(toml::Table::new()));
    defaults
        .ok()
        .and_then(|config| toml::Table::try_from(&config).ok())
        .unwrap_or_default()
}

/// The field names serde knows for `T`: a deserializer that records the list `T` asks for
/// and then stops.
fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldProbe(&mut fields));
    fields
}

struct FieldProbe<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_scalar_key_of_the_struct_is_overridable() {
        let fields = field_names::<Config>();
        assert!(fields.contains(&"issuer") && fields.contains(&"mfa_encryption_key"));
        let defaults = default_table();
        for field in fields.iter().filter(|f| !TABLES.contains(f)) {
            let mut table = toml::Table::new();
            let value = match defaults.get(*field) {
                Some(toml::Value::Integer(_)) => "7",
                Some(toml::Value::Boolean(_)) => "true",
                _ => "x",
            };
            let name = format!("TESSERA_{}", field.to_ascii_uppercase());
            apply_overrides(&mut table, vars(&[(&name, value)]).into_iter()).unwrap();
            assert!(table.contains_key(*field), "{field}");
        }
    }

    #[test]
    fn lists_are_comma_separated_and_types_follow_the_defaults() {
        let mut table = toml::Table::new();
        let env = vars(&[
            ("TESSERA_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
            ("TESSERA_ACCESS_TOKEN_TTL", "300"),
            ("TESSERA_ALLOW_INSECURE_HTTP", "true"),
            ("TESSERA_LOG", "debug"),
            ("TESSERA_TEST_POSTGRES_URL", "postgres://x"),
        ]);
        apply_overrides(&mut table, env.into_iter()).unwrap();
        assert_eq!(table["trusted_proxies"].as_array().unwrap().len(), 2);
        assert_eq!(table["access_token_ttl"].as_integer(), Some(300));
        assert_eq!(table["allow_insecure_http"].as_bool(), Some(true));
        assert!(!table.contains_key("log"));
    }

    #[test]
    fn misspelt_tables_and_mistyped_variables_are_refused_by_name() {
        for (name, value) in [
            ("TESSERA_ISUER", "https://x"),
            ("TESSERA_CLIENTS", "x"),
            ("TESSERA_ACCESS_TOKEN_TTL", "soon"),
        ] {
            let mut table = toml::Table::new();
            let err = apply_overrides(&mut table, vars(&[(name, value)]).into_iter()).unwrap_err();
            assert_eq!(err.key, name);
        }
    }
}
