//! The configuration rules (`ENV`) beyond their fixtures (tests/fixtures_check.rs runs
//! those): ENV003 against the generated entrypoint's own checks.

mod entrypoint_agrees {
    //! ENV003 judges values the way the entrypoint does: the generated entrypoint's check
    //! functions, run by the real `sh` (dash here, busybox's in Alpine images), accept
    //! exactly the values `CheckKind::judge` accepts.

    use crate::support::tool;
    use gen_core::lint::rules::env::env_value_refused::checks;
    use proptest::prelude::*;
    use std::process::Command;

    const SCRIPT: &str = include_str!("../../generated/fastapi-nginx/entrypoint.sh");

    /// The script's functions, without the checks of the image's own variables after them.
    fn functions() -> &'static str {
        let end = SCRIPT.find("\nport ").unwrap_or(SCRIPT.len());
        &SCRIPT[..end]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{0,6}",
            "[0-9]{1,4}[kKmMgGx]{0,2}",
            "[0-9a-z ;$-]{0,8}",
            prop::sample::select(vec![
                "80", "0", "1", "65535", "65536", "08000", "75", "76", "86400", "86401", "info",
                "warn", "debug", "",
            ])
            .prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn shell_and_rust_agree(v in value()) {
            let (Some(dash), Some(busybox)) = (tool("dash"), tool("busybox")) else { return Ok(()) };
            for (check, shell) in checks(SCRIPT).into_iter().flat_map(|c| [(c.clone(), &dash), (c, &busybox)]) {
                let rust = check.kind.judge(&v).is_ok();
                // The check's own line, with the value in place of the variable.
                let line = &SCRIPT[check.span.start..check.span.end];
                let call = line.replacen(&format!("\"${{{}-}}\"", check.name), "\"$1\"", 1);
                let script = format!("{}\n{call}\n", functions());
                let mut cmd = Command::new(shell);
                if shell == &busybox {
                    cmd.arg("sh");
                }
                let out = cmd.arg("-c").arg(&script).arg("sh").arg(&v).output()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let accepted = match out.status.code() {
                    Some(0) => true,
                    Some(78) => false,
                    other => return Err(TestCaseError::fail(format!("exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)))),
                };
                prop_assert_eq!(rust, accepted, "{} {:?} ({:?}): {}", check.name, v, shell, String::from_utf8_lossy(&out.stderr));
            }
        }
    }
}
