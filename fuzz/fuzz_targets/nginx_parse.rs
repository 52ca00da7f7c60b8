//! The nginx parser on arbitrary bytes: a tree or an error, never a panic; every span in
//! bounds and on character boundaries; the crossplane payload is always valid JSON. The
//! tolerant comment pass (`nginx::comments`) never panics either, and gives exactly the
//! parse's comments when the parse succeeds. What nginx reads before a syntax error
//! (`nginx::parse_prefix`) has the parse's error, and is the parse's tree when there is
//! none, every directive of it before the error.
#![no_main]

use gen_core::parse::nginx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let result = nginx::parse(&text);
    let comments = nginx::comments(&text);
    for c in &comments {
        assert!(text.get(c.span.start..c.span.end).is_some());
    }
    if let Ok(config) = &result {
        assert_eq!(config.comments().collect::<Vec<_>>(), comments);
    }
    match &result {
        Ok(config) => {
            for visit in config.walk() {
                let d = visit.directive;
                let (span, name) = (d.span(), d.name_span());
                assert!(text.get(span.start..span.end).is_some());
                assert!(text.get(name.start..name.end).is_some());
                for a in d.args() {
                    assert!(text.get(a.span.start..a.span.end).is_some());
                }
            }
        }
        Err(e) => assert!(text.get(e.span.start..e.span.end).is_some()),
    }
    let (prefix, error) = nginx::parse_prefix(&text);
    assert_eq!(error, result.as_ref().err().cloned());
    let prefix_nodes: Vec<_> = prefix.walk().map(|v| v.directive.span()).collect();
    match &result {
        Ok(config) => {
            let nodes: Vec<_> = config.walk().map(|v| v.directive.span()).collect();
            assert_eq!(nodes, prefix_nodes);
        }
        Err(e) => {
            for span in prefix_nodes {
                assert!(span.end <= e.span.start && text.get(span.start..span.end).is_some());
            }
        }
    }
    let json = nginx::payload::single_file_json("f.conf", &text, &result, true);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
});
