//! Parsers for the files of a container. Each is a library: text in, tree with spans out.
//! None of them touches the disk.

pub mod app;
pub mod dockerfile;
pub mod nginx;
pub mod requirement;
pub mod role;
pub mod shell;
pub mod span;
pub mod supervisord;
pub mod yaml;
