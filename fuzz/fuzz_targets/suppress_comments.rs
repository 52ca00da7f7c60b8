//! Suppression comments (`lint::suppress`) on arbitrary text in every comment syntax: each
//! language's comment pass and the directives read from it never panic, every span lies
//! on character boundaries inside the text, and every covered line exists.
#![no_main]

use gen_core::lint::suppress::{self, Syntax};
use libfuzzer_sys::fuzz_target;

const ALL: [Syntax; 10] = [
    Syntax::Dockerfile,
    Syntax::Nginx,
    Syntax::Shell,
    Syntax::Ini,
    Syntax::UwsgiIni,
    Syntax::PhpIni,
    Syntax::Python,
    Syntax::Js,
    Syntax::Toml,
    Syntax::Yaml,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.split('\n').count();
    for syntax in ALL {
        for c in suppress::comments(syntax, &text) {
            for span in [c.span, c.body] {
                assert!(span.start <= span.end && text.get(span.start..span.end).is_some());
            }
        }
        for d in suppress::directives(syntax, &text) {
            assert!(1 <= d.lines.0 && d.lines.0 <= d.lines.1 && d.lines.1 <= lines);
            if let Ok(rules) = d.rules {
                for (name, span) in rules {
                    assert_eq!(text.get(span.start..span.end), Some(name));
                }
            }
        }
    }
});
