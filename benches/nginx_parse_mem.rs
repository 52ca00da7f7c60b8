//! Peak heap memory of the nginx parser (`cargo bench --bench nginx_parse_mem`), on the same
//! inputs as `benches/nginx_parse.rs`.
//!
//! What it measures: the bytes the program asked the allocator for (`peak_alloc` counts each
//! allocation's requested size; a `realloc` counts as a new block plus the old one until the
//! copy is done, so a growing `Vec` is counted at its worst moment). The input text is in
//! memory before the parse starts and stays there, as it must, since the tree borrows from
//! it; the figure printed is the peak while parsing, input included, and its ratio to the
//! input size. This is heap only: the binary, the stack and the allocator's own bookkeeping
//! are not counted; `scripts/bench/parser.sh` reports the whole process's peak RSS.

mod common;

use gen_core::parse::nginx::{self, payload};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

#[allow(clippy::cast_precision_loss)]
fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// Runs `work` and returns the peak heap bytes while it ran, counting what was live before.
fn peak_during<T>(work: impl FnOnce() -> T) -> (T, usize) {
    ALLOC.reset_peak_usage();
    let out = work();
    (out, ALLOC.peak_usage())
}

#[allow(clippy::cast_precision_loss)]
fn report(what: &str, input: usize, peak: usize) {
    println!(
        "  {what:<24} peak heap {:>8.1} MB  = {:.2} x input",
        mb(peak),
        peak as f64 / input as f64
    );
}

fn main() {
    for input in [common::large_config(), common::synthetic()] {
        let text = input.text;
        let size = text.len();
        let base = ALLOC.current_usage();
        println!("{} ({:.1} MB)", input.name, mb(size));
        let (result, peak) = peak_during(|| nginx::parse(&text));
        assert!(result.is_ok(), "{} does not parse", input.name);
        report("parse", size, peak - base + size);
        drop(result);
        let (out, peak) = peak_during(|| {
            let result = nginx::parse(&text);
            payload::write_single_file(&mut std::io::sink(), &input.name, &text, &result, false)
        });
        assert!(out.is_ok(), "writing the payload failed");
        report("parse + JSON to a sink", size, peak - base + size);
    }
}
