//! The integration tests: one binary, one module per area.

#[path = "cli/support.rs"]
mod support;

#[path = "cli/build.rs"]
mod build;
#[path = "cli/escaping.rs"]
mod escaping;
#[path = "cli/meta.rs"]
mod meta;
#[path = "cli/spec_errors.rs"]
mod spec_errors;
