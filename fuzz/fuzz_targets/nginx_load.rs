//! The load-time nginx checks (`NGX010`-`NGX014`: directive table, contexts, arguments,
//! values, variables) and the root-cause folding on fuzzed nginx configs, in an image whose
//! nginx gen knows (Debian 12's, or Alpine 3.22's with its packaged includes): the input is
//! nginx.conf, then, after a line holding only `---`, a site file Alpine's packaged config
//! includes. Never a panic, whatever the files say.
#![no_main]

use gen_core::lint::{self, Context, ContainerDir, date::Date};
use libfuzzer_sys::fuzz_target;

const DEBIAN: &str = "FROM debian:12\nRUN apt-get install -y nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n";
const ALPINE: &str = "FROM alpine:3.22\nRUN apk add nginx\nCOPY site.conf /etc/nginx/conf.d/site.conf\nCOPY http.conf /etc/nginx/http.d/default.conf\nCMD [\"nginx\"]\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (main, site) = text.split_once("\n---\n").unwrap_or((&text, ""));
    let mut ctx = Context::new(Date::from_unix_days(20_000));
    ctx.containers.push(ContainerDir::from_texts(
        "debian",
        &[("Dockerfile", DEBIAN), ("nginx.conf", main)],
    ));
    ctx.containers.push(ContainerDir::from_texts(
        "alpine",
        &[("Dockerfile", ALPINE), ("site.conf", site), ("http.conf", main)],
    ));
    let _ = lint::run(&ctx, lint::RULES);
});
