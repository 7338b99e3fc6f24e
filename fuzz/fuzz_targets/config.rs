//! Configuration parsing and validation on arbitrary TOML text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera::config::Config;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = Config::from_toml(text) {
            let _ = config.clients();
            let _ = &config.trusted_proxies;
        }
    }
});
