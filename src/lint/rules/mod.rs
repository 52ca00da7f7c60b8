//! The rules, one file each, grouped by family: `dkr` (the image: Dockerfile and base), `meta`
//! (gen's own inputs and outputs: the generated tree, suppression comments), and the
//! cross-file families over the container model: `port` (what nginx proxies to and listens
//! on against what the apps listen on and the image publishes), `net` (interfaces and
//! address families), `sock` (Unix sockets).

pub mod dkr;
pub mod log;
pub mod meta;
pub mod net;
pub mod path;
pub mod port;
pub mod proc;
pub mod sock;
