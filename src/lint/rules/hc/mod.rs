//! Rules about the container's health check: whether there is one, and whether it can
//! pass (a probe tool the image has, a port something listens on).

pub mod healthcheck_missing_or_broken;
