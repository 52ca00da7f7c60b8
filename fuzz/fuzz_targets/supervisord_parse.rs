//! The supervisord reader on arbitrary bytes, with its typed views: never a panic. Its
//! comments, read on past errors (`supervisord::comments`), are the parse's when it
//! succeeds, and in bounds always.
#![no_main]

use gen_core::parse::supervisord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let comments = supervisord::comments(&text);
    for c in &comments {
        assert!(text.get(c.span.start..c.span.end).is_some());
    }
    if let Ok(config) = supervisord::parse(&text) {
        assert_eq!(config.comments, comments);
        let x = supervisord::Expansions::default();
        let _ = config.programs(&x);
        let _ = config.supervisord(&x);
        let _ = config.include(&x);
    }
});
