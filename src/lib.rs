//! gen: generate and lint containers that run nginx in front of an app under supervisord.

pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod error;
pub mod generate;
pub mod lint;
pub mod parse;
pub mod spec;
