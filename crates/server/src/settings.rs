//! Settings: `config/default.toml` (embedded in the binary, so the service runs with no file
//! at all), an optional file layered on top, then `AMP_<SECTION>__<KEY>` environment variables.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Prefix of the environment variables that override settings.
pub const ENV_PREFIX: &str = "AMP_";
/// Environment variable naming an extra settings file.
pub const ENV_CONFIG_FILE: &str = "AMP_CONFIG";

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub graphql: GraphqlSettings,
    pub rules: RulesSettings,
    pub cpam: CpamSettings,
    pub demo: DemoSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub body_limit_bytes: usize,
    pub request_timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlSettings {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_fields: usize,
    pub max_root_fields: usize,
    pub max_response_bytes: usize,
    pub graphiql: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSettings {
    pub override_dir: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpamMode {
    Stub,
    Remote,
    Off,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpamSettings {
    pub mode: CpamMode,
    pub fixtures_file: String,
    pub stub_delay_ms: u64,
    pub stub_fail: bool,
    pub refresh_budget_seconds: u64,
    /// The client's own configuration, `[cpam.client]`.
    pub client: ameli_connector::CpamConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub load_on_empty_database: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub demo_tokens: bool,
    pub tokens_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
}

impl Settings {
    /// Defaults, then `file` (or the file named by `AMP_CONFIG`), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let file = file.map(Path::to_path_buf).or_else(|| std::env::var_os(ENV_CONFIG_FILE).map(PathBuf::from));
        Self::load_from(file.as_deref(), &env)
    }

    pub fn load_from(file: Option<&Path>, env: &[(String, String)]) -> anyhow::Result<Self> {
        let mut table: toml::Table = DEFAULTS.parse().context("embedded config/default.toml")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let layer: toml::Table = text.parse().with_context(|| format!("parsing {}", path.display()))?;
            merge(&mut table, layer, &path.display().to_string())?;
        }
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else { continue };
            if name == ENV_CONFIG_FILE {
                continue;
            }
            set_from_env(&mut table, name, key, value)?;
        }
        let settings: Settings = toml::Value::Table(table).try_into().context("invalid settings")?;
        settings.check()?;
        Ok(settings)
    }

    /// Settings that are valid one by one but not together.
    fn check(&self) -> anyhow::Result<()> {
        if self.cpam.refresh_budget_seconds == 0
            || self.cpam.refresh_budget_seconds >= self.server.request_timeout_seconds
        {
            bail!(
                "cpam.refresh_budget_seconds ({}) must be between 1 and server.request_timeout_seconds ({}) - 1, \
                 so that a slow CPAM still gets an answer",
                self.cpam.refresh_budget_seconds,
                self.server.request_timeout_seconds
            );
        }
        Ok(())
    }
}

/// Overlays `layer` on `base`; a key unknown to the defaults is an error naming it.
fn merge(base: &mut toml::Table, layer: toml::Table, origin: &str) -> anyhow::Result<()> {
    for (key, value) in layer {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(l)) => merge(b, l, origin)?,
            (Some(slot), v) => *slot = v,
            (None, _) => bail!("{origin}: unknown setting `{key}`"),
        }
    }
    Ok(())
}

/// `AMP_DATABASE__URL=…` sets `database.url`. Values that read as TOML booleans or numbers
/// take that type; anything else is a string.
fn set_from_env(table: &mut toml::Table, name: &str, key: &str, raw: &str) -> anyhow::Result<()> {
    let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
    let (last, sections) = path.split_last().context("empty variable name")?;
    let mut current = table;
    for section in sections {
        current = match current.get_mut(section) {
            Some(toml::Value::Table(t)) => t,
            _ => bail!("{name}: unknown setting section `{section}`"),
        };
    }
    let Some(slot) = current.get_mut(last) else { bail!("{name}: unknown setting `{}`", path.join(".")) };
    let value = match slot {
        toml::Value::String(_) => toml::Value::String(raw.to_owned()),
        _ => format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .with_context(|| format!("{name}: `{raw}` is not a valid value"))?,
    };
    *slot = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_load_without_any_file_or_variable() {
        let s = Settings::load_from(None, &[]).expect("defaults are valid");
        assert!(s.database.url.starts_with("sqlite://"));
        assert!(s.demo.load_on_empty_database);
    }

    #[test]
    fn environment_overrides_with_types() {
        let s = Settings::load_from(
            None,
            &env(&[
                ("AMP_DATABASE__URL", "postgres://postgres@127.0.0.1/x"),
                ("AMP_GRAPHQL__MAX_DEPTH", "5"),
                ("AMP_DEMO__LOAD_ON_EMPTY_DATABASE", "false"),
                ("AMP_CONFIG", "ignored-here"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .expect("valid overrides");
        assert_eq!(s.database.url, "postgres://postgres@127.0.0.1/x");
        assert_eq!(s.graphql.max_depth, 5);
        assert!(!s.demo.load_on_empty_database);
    }

    #[test]
    fn unknown_or_mistyped_settings_are_refused_with_their_name() {
        let err = Settings::load_from(None, &env(&[("AMP_DATABASE__URI", "x")])).expect_err("unknown key");
        assert!(err.to_string().contains("AMP_DATABASE__URI"), "{err}");
        let err = Settings::load_from(None, &env(&[("AMP_GRAPHQL__MAX_DEPTH", "deep")])).expect_err("not a number");
        assert!(err.to_string().contains("AMP_GRAPHQL__MAX_DEPTH"), "{err:#}");
    }

    #[test]
    fn a_file_layers_over_defaults() {
        let dir = std::env::temp_dir().join(format!("amp-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("local.toml");
        std::fs::write(&path, "[server]\nbind = \"0.0.0.0:9000\"\n").expect("write");
        let s = Settings::load_from(Some(&path), &[]).expect("valid file");
        assert_eq!(s.server.bind, "0.0.0.0:9000");
        std::fs::write(&path, "[server]\nport = 9000\n").expect("write");
        let err = Settings::load_from(Some(&path), &[]).expect_err("unknown key");
        assert!(err.to_string().contains("port"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
