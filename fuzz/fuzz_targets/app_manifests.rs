//! The reading of an app's requirements lines (`app.source`): any text gives a package name
//! in normalized form or none, never a panic.
#![no_main]

use gen_core::generate::project::requirement_name;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Some(name) = requirement_name(line) {
            assert!(!name.is_empty() && !name.starts_with('-'));
            assert!(!name.bytes().any(|b| b.is_ascii_uppercase() || b == b'_' || b == b'.'));
        }
    }
});
