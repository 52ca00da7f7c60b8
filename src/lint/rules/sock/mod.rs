//! Rules about Unix sockets between nginx and the apps.

pub mod unix_socket_mismatch;
