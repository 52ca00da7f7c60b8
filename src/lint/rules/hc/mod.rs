//! Rules about the container's health check: whether there is one, and whether it can
//! pass (a probe tool the image has, a port something listens on), and whether the
//! deployment's probes (compose `healthcheck`, Kubernetes `httpGet`) ask what the image
//! serves.

mod compose_probe_tool;
pub mod healthcheck_missing_or_broken;
pub mod healthy_dependency_without_healthcheck;
pub mod probe_path_mismatch;
pub mod probe_port_mismatch;
