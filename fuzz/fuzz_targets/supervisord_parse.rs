//! The supervisord reader on arbitrary bytes, with its typed views: never a panic.
#![no_main]

use gen_core::parse::supervisord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = supervisord::parse(&text) {
        let x = supervisord::Expansions::default();
        let _ = config.programs(&x);
        let _ = config.supervisord(&x);
        let _ = config.include(&x);
    }
});
