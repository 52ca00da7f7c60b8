//! Rules about gen's own inputs and outputs: `generated/` against the spec, and the
//! suppression comments themselves.

pub mod generated_drift;
pub mod invalid_ignore_comment;
