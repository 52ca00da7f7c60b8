//! Renderers: each turns a list of diagnostics into one output format.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
