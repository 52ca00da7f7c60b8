//! The rules over the app servers' own configs (SOCK002 protocol, SOCK003 socket
//! permissions) beyond their fixtures (tests/fixtures_check.rs runs those): the port and
//! socket rules on uWSGI, PHP-FPM and gunicorn config files.

use crate::harness::rule_check;

/// The passing fixtures of the server rules are clean for every port and socket rule too:
/// the servers' configs are read, not guessed.
#[test]
fn server_fixtures_are_clean_for_every_port_and_socket_rule() {
    let all = "PORT001,PORT002,PORT003,PORT004,NET002,SOCK001,SOCK002,SOCK003";
    for rule in [
        "upstream-protocol-mismatch",
        "socket-permission-denied",
        "server-configs",
    ] {
        let run = rule_check(rule, "pass", all, "human");
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{rule}");
    }
    // NET001 once: the official php image's PHP-FPM listens on port 9000 of every address.
    let run = rule_check("server-configs", "pass", "NET001", "human");
    assert_eq!(
        run.stdout.matches("warning[NET001]").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("php-image-default"), "{}", run.stdout);
}

/// gunicorn's `bind` in its config file is where it listens: nginx proxying elsewhere is a
/// miss (PORT001), not gunicorn's default 127.0.0.1:8000.
#[test]
fn gunicorn_config_file_bind_is_read() {
    let run = rule_check("server-configs", "fail", "PORT001", "human");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("gunicorn.conf.py"), "{}", run.stdout);
    assert!(run.stdout.contains("5000"), "{}", run.stdout);
}
