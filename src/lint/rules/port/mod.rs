//! Rules about ports: what nginx proxies to against what the programs of the container
//! listen on, and what the image EXPOSEs and the spec maps against what nginx listens on.
//! The analysis they share with the `net` and `sock` families is
//! [`crate::lint::analysis::wiring`].

pub mod app_port_exposed;
pub mod duplicate_host_port;
pub mod expose_listen_mismatch;
pub mod unproxied_app_port;
pub mod upstream_port_mismatch;
