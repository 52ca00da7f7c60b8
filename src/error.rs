//! The library's error type: what can stop a command before it has a result.

use crate::diagnostic::{Diagnostic, Sources};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Input that gen cannot use (a bad spec, an unparsable file given alone), with its
    /// diagnostics and the sources they point into.
    #[error("{} problem(s) in the input", diagnostics.len())]
    Input {
        diagnostics: Vec<Diagnostic>,
        sources: Sources,
    },
    #[error(transparent)]
    Render(#[from] crate::generate::RenderError),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
