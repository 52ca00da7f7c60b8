//! The rules, one file each, grouped by family: `dkr` (the image: Dockerfile and base), `meta`
//! (gen's own inputs and outputs: the generated tree, suppression comments), `parse` (files
//! that cannot be read), `ngx` (nginx as a reverse proxy), `hc` (the health check), `app`
//! (the app behind nginx). Cross-file families (`port`, `proc`, `sock`, ...) join here too.

pub mod app;
pub mod dkr;
pub mod hc;
pub mod meta;
pub mod ngx;
pub mod parse;
