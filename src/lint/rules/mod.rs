//! The rules, one file each, grouped by family: `dkr` (the image: Dockerfile and base), `meta`
//! (gen's own inputs and outputs: the generated tree, suppression comments). Cross-file
//! families (`port`, `proc`, `sock`, ...) join here once the container model lands.

pub mod dkr;
pub mod log;
pub mod meta;
pub mod path;
pub mod proc;
