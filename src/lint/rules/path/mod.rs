//! Rules about paths: what the configs of nginx and supervisord name, against what the
//! image has.

pub mod build_file_missing;
pub mod config_path_missing;
pub mod copy_source_missing;
