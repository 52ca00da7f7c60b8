//! Integration tests: the `gen` binary run as a user runs it, asserting exact output and exit
//! codes. One binary, one module per area under tests/cli/ (this file is a crate root, so the
//! modules name their paths).

#[path = "cli/check.rs"]
mod check;
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/rules.rs"]
mod rules;
#[path = "cli/sarif.rs"]
mod sarif;
