//! The app servers' config readers (gunicorn's Python config, hypercorn's TOML, uWSGI's
//! ini, YAML and command line, PHP-FPM's ini) on arbitrary text: never a panic, spans in
//! bounds.
#![no_main]

use gen_core::parse::app;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let len = text.len();
    let conf = app::gunicorn_config(&text);
    for s in &conf.settings {
        assert!(s.name_span.end <= len);
    }
    for s in &app::hypercorn_toml(&text).settings {
        assert!(s.name_span.end <= len);
        if let app::ConfValue::Literal(values) = &s.value {
            assert!(values.iter().all(|(_, span)| span.end <= len));
        }
    }
    for o in app::uwsgi_ini(&text, "uwsgi")
        .options
        .iter()
        .chain(app::uwsgi_yaml(&text, "uwsgi").unwrap_or_default().options.iter())
    {
        assert!(o.key_span.end <= len && o.value_span.end <= len);
        let _ = app::uwsgi_addr(&o.value);
    }
    for s in &app::php_fpm(&text).sections {
        for e in &s.entries {
            assert!(e.key_span.end <= len && e.value_span.end <= len);
            let _ = app::fpm_listen(&e.value);
        }
    }
    if let Ok(words) = gen_core::parse::shell::split(&text) {
        let argv: Vec<app::Word> = std::iter::once(app::Word {
            value: "uwsgi".to_owned(),
            span: gen_core::parse::span::Span::default(),
        })
        .chain(words.into_iter().map(|w| app::Word {
            value: w.value,
            span: w.range.into(),
        }))
        .collect();
        let _ = app::uwsgi_args(&argv);
    }
});
