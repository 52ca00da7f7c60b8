//! The container model, every lint rule and `gen import`'s translation on a container
//! directory of fuzzed files: the
//! input is split into a Dockerfile, nginx.conf, supervisord.conf and app sources. Never a
//! panic, whatever the files say.
#![no_main]

use gen_core::lint::{self, Context, ContainerDir, SourceFile, date::Date};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = [
    "Dockerfile",
    "nginx.conf",
    "supervisord.conf",
    "app.py",
    "app.js",
    "conf.d/site.conf",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Files are separated by a line holding only `---`.
    let files: Vec<SourceFile> = text
        .split("\n---\n")
        .zip(NAMES)
        .map(|(body, rel)| SourceFile {
            rel: rel.to_owned(),
            path: format!("c/{rel}"),
            text: Some(body.into()),
        })
        .collect();
    let mut ctx = Context::new(Date::from_unix_days(20_000));
    ctx.containers
        .push(ContainerDir::new("c".into(), "c".into(), None, files));
    let outcome = lint::run(&ctx, lint::RULES);
    let _ = gen_core::diagnostic::render::json::render(&outcome.diagnostics, 1);
    let plan = gen_core::import::plan(&ctx);
    let paths = vec![gen_core::import::Paths::default(); plan.containers.len()];
    let _ = gen_core::import::render(&plan, &paths, "gen import c");
});
