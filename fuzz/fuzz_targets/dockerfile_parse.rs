//! The Dockerfile reader on arbitrary bytes: instructions or an error, never a panic, with
//! every span in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match gen_core::parse::dockerfile::parse(&text) {
        Ok(d) => {
            for i in &d.instructions {
                assert!(text.get(i.span.start..i.span.end).is_some());
                assert!(text.get(i.args_span.start..i.args_span.end).is_some());
            }
        }
        Err(e) => assert!(text.get(e.span.start..e.span.end).is_some()),
    }
});
