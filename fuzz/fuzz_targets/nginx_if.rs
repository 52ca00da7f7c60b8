//! The `if`-condition reader (`lint::analysis::nginx_load::condition`): nginx's token rules read
//! again from the text after `if`, then `ngx_http_rewrite_if_condition`'s verdict. Every
//! word must lie within the text, and never a panic, whatever the text says.
#![no_main]

use gen_core::lint::analysis::nginx_load::condition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(words) = condition::words(&text, 0) {
        assert!(words.len() <= condition::MAX_WORDS);
        for w in &words {
            assert!(w.span.start < w.span.end && w.span.end <= text.len());
            assert!(text.is_char_boundary(w.span.start) && text.is_char_boundary(w.span.end));
        }
        let _ = condition::judge(&words);
    }
});
