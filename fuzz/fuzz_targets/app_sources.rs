//! The app-source readers (Python and JavaScript) and the server command-line reader on
//! arbitrary text: never a panic, spans in bounds.
#![no_main]

use gen_core::parse::app;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for source in [app::python(&text), app::javascript(&text)] {
        for l in &source.listens {
            let _ = format!("{l:?}");
        }
    }
    if let Ok(words) = gen_core::parse::shell::split(&text) {
        let argv: Vec<app::Word> = words
            .into_iter()
            .map(|w| app::Word {
                value: w.value,
                span: w.range.into(),
            })
            .collect();
        let _ = app::server_command(&argv);
    }
});
