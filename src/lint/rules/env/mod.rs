//! Rules about configuration by environment variables: what the image's `ENV` gives the
//! files that read it.

pub mod env_marker_mismatch;
