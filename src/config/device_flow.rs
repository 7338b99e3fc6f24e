//! `[device_flow]`: the device authorization grant (RFC 8628): how long a device code lives,
//! how often its device may poll, and how many wrong user codes the `/device` page takes.
use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceFlowConfig {
    /// Seconds a device code and its user code live (`expires_in`, RFC 8628 §3.2).
    #[serde(default = "expires_in")]
    pub expires_in: i64,
    /// Seconds a device waits between polls (`interval`); each `slow_down` adds 5.
    #[serde(default = "interval")]
    pub interval: i64,
    /// Wrong user codes the `/device` page takes from everybody together in `expires_in`
    /// seconds before it refuses every entry until the window ends (docs/security.md works
    /// out what it allows a guesser; one address gets 2 in the same window).
    #[serde(default = "max_failed_entries")]
    pub max_failed_entries: i64,
}

fn expires_in() -> i64 {
    600
}

fn interval() -> i64 {
    5
}

fn max_failed_entries() -> i64 {
    100
}

impl Default for DeviceFlowConfig {
    fn default() -> Self {
        Self {
            expires_in: expires_in(),
            interval: interval(),
            max_failed_entries: max_failed_entries(),
        }
    }
}

impl DeviceFlowConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(60..=1800).contains(&self.expires_in) {
            return Err(ConfigError::new(
                "device_flow.expires_in",
                "must be between 60 and 1800 seconds: long enough to find a browser and sign in, short enough that a code shown on a screen soon stops mattering",
            ));
        }
        if !(1..=60).contains(&self.interval) || self.interval >= self.expires_in {
            return Err(ConfigError::new(
                "device_flow.interval",
                "must be between 1 and 60 seconds, and shorter than expires_in",
            ));
        }
        if !(1..=100_000).contains(&self.max_failed_entries) {
            return Err(ConfigError::new(
                "device_flow.max_failed_entries",
                "must be between 1 and 100000",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_and_bad_values_name_their_key() {
        assert!(DeviceFlowConfig::default().validate().is_ok());
        let short = DeviceFlowConfig {
            expires_in: 10,
            ..DeviceFlowConfig::default()
        };
        assert_eq!(short.validate().unwrap_err().key, "device_flow.expires_in");
        let slow = DeviceFlowConfig {
            interval: 600,
            ..DeviceFlowConfig::default()
        };
        assert_eq!(slow.validate().unwrap_err().key, "device_flow.interval");
        let none = DeviceFlowConfig {
            max_failed_entries: 0,
            ..DeviceFlowConfig::default()
        };
        assert_eq!(
            none.validate().unwrap_err().key,
            "device_flow.max_failed_entries"
        );
    }
}
