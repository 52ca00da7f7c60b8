//! The spec loader on arbitrary text: it must return a spec or diagnostics, never panic; a
//! spec it accepts must render without error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(spec) = gen_core::spec::load("spec.toml", &text) {
        let files = gen_core::generate::generate(&spec).expect("a valid spec renders");
        assert!(!files.is_empty());
    }
});
