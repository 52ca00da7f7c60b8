//! The reading of requirements (`app.source`'s manifests, the Dockerfile's `pip install`):
//! any text gives a package name in normalized form or none, never a panic.
#![no_main]

use gen_core::parse::requirement::{normalize, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Some(r) = parse(line) {
            assert!(!r.name.is_empty() && !r.name.starts_with('-') && !r.name.ends_with('-'));
            assert_eq!(normalize(&r.name), r.name);
            for e in &r.extras {
                assert_eq!(&normalize(e), e);
            }
        }
    }
});
