//! The nginx parser on arbitrary bytes: a tree or an error, never a panic; every span in
//! bounds and on character boundaries; the crossplane payload always serializes.
#![no_main]

use gen_core::parse::nginx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let result = nginx::parse(&text);
    match &result {
        Ok(config) => {
            for visit in config.walk() {
                let d = visit.directive;
                assert!(text.get(d.span.start..d.span.end).is_some());
                assert!(text.get(d.name_span.start..d.name_span.end).is_some());
                for a in &d.args {
                    assert!(text.get(a.span.start..a.span.end).is_some());
                }
            }
        }
        Err(e) => assert!(text.get(e.span.start..e.span.end).is_some()),
    }
    let payload = nginx::payload::single_file("f.conf", &text, &result, true);
    assert!(serde_json::to_string(&payload).is_ok());
});
