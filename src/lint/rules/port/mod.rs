//! Rules about ports: what nginx proxies to against what the programs of the container
//! listen on, and what the image EXPOSEs and the spec maps against what nginx listens on.
//! [`wiring`] is the analysis they share with the `net` and `sock` families.

pub mod app_port_exposed;
pub mod duplicate_host_port;
pub mod expose_listen_mismatch;
pub mod exposure;
pub mod unproxied_app_port;
pub mod upstream_port_mismatch;
pub mod wiring;
