//! Rules about the sockets between nginx and the apps: Unix socket paths, the protocol
//! spoken on each socket, and who may connect to a Unix socket.

pub mod socket_permission_denied;
pub mod unix_socket_mismatch;
pub mod upstream_protocol_mismatch;
