//! Throughput of the nginx parser (`cargo bench --bench nginx_parse`), in MB/s of input, on
//! the 1.3 MB real-world config of the corpus and the 20 MB synthetic config (see
//! `benches/common`): `parse` alone, and `parse` plus the crossplane JSON payload written to a
//! sink, which is what `gen parse` does between reading the file and writing stdout.
//! Peak memory is measured by `benches/nginx_parse_mem.rs`.

mod common;

use divan::Bencher;
use divan::counter::BytesCount;
use gen_core::parse::nginx::{self, payload};
use std::sync::LazyLock;

static INPUTS: LazyLock<[common::Input; 2]> =
    LazyLock::new(|| [common::large_config(), common::synthetic()]);

fn input(name: &str) -> &'static str {
    INPUTS
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.text.as_str())
        .unwrap_or_else(|| panic!("no benchmark input named {name}"))
}

const NAMES: [&str; 2] = ["large-config.conf", "synthetic-20mb.conf"];

fn main() {
    LazyLock::force(&INPUTS);
    divan::main();
}

#[divan::bench(args = NAMES, sample_count = 20, sample_size = 1)]
fn parse(bencher: Bencher, name: &str) {
    let text = input(name);
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| nginx::parse(divan::black_box(text)));
}

#[divan::bench(args = NAMES, sample_count = 20, sample_size = 1)]
fn parse_and_json(bencher: Bencher, name: &str) {
    let text = input(name);
    bencher.counter(BytesCount::of_str(text)).bench(|| {
        let result = nginx::parse(divan::black_box(text));
        payload::write_single_file(&mut std::io::sink(), name, text, &result, false)
    });
}
