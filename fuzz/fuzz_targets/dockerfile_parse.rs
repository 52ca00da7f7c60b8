//! The Dockerfile reader on arbitrary bytes: instructions or an error, never a panic, with
//! every span in bounds. The line layer's comments, read on past errors
//! (`dockerfile::comments`), are the parse's when it succeeds, and in bounds always.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (comments, bodies) = gen_core::parse::dockerfile::comments(&text);
    for c in comments.iter().chain(&bodies) {
        assert!(text.get(c.span.start..c.span.end).is_some());
    }
    match gen_core::parse::dockerfile::parse(&text) {
        Ok(d) => {
            assert_eq!(d.comments, comments);
            for i in &d.instructions {
                assert!(text.get(i.span.start..i.span.end).is_some());
                assert!(text.get(i.args_span.start..i.args_span.end).is_some());
            }
        }
        Err(e) => assert!(text.get(e.span.start..e.span.end).is_some()),
    }
});
