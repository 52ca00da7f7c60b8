//! The check of an nginx snippet included in a server block (`[container.nginx] include`) on
//! arbitrary text: diagnostics or none, never a panic, each pointing inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for d in gen_core::spec::check_snippet("extra.conf", &text) {
        assert!(d.primary.start.line >= 1);
    }
    for (span, _) in gen_core::spec::duplicate_locations(&text, &[]) {
        assert!(span.end <= text.len());
    }
});
