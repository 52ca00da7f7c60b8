//! Rules about the Kubernetes manifests against the containers they run: the ports pods
//! declare and Services route to.

pub mod k8s_port_mismatch;
