//! The `gen` binary: parse the command line, run the command, map the result to an exit code.
//!
//! Its allocator is mimalloc (without transparent huge pages, whose zeroing cost more than
//! a short run gains): `gen check` builds each container's model as many small strings
//! and vectors, and glibc's malloc and free were a quarter of its instructions. A check of
//! the default project went from 14.3 M instructions to 11.7 M (docs/performance.md). The
//! library keeps the system allocator, so the benchmarks that count a parse's allocations
//! measure the parser alone.

use clap::Parser;
use gen_core::cli::Cli;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(gen_core::commands::run(cli))
}
