//! Renderers: each turns a list of diagnostics into one output format.

pub mod human;
pub mod json;
