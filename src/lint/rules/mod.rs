//! The rules, one file each, grouped by family: `dkr` (the image: Dockerfile and base), `env` (configuration by
//! environment variables), `meta`
//! (gen's own inputs and outputs: the generated tree, suppression comments), `parse` (files
//! that cannot be read), and the cross-file families over the container model: `port` (what
//! nginx proxies to and listens on against what the apps listen on and the image publishes),
//! `net` (interfaces and address families), `sock` (Unix sockets), `proc` (how supervisord,
//! nginx and the apps are started and stopped), `log` (where their output goes), `path`
//! (files they need), `ngx` (nginx as a reverse proxy), `dkr` (the image), `hc` (the health
//! check and the deployment's probes), `app` (the app behind nginx), and over the
//! deployment (compose files and Kubernetes manifests): `k8s` (the manifests' ports),
//! `time` (stop time limits) and `env` (the environment given to the image).

pub mod app;
pub mod dkr;
pub mod env;
pub mod hc;
pub mod k8s;
pub mod log;
pub mod meta;
pub mod net;
pub mod ngx;
pub mod parse;
pub mod path;
pub mod port;
pub mod proc;
pub mod sock;
pub mod time;

#[cfg(test)]
pub(crate) mod testing;
