//! The spec loader on arbitrary text: it must return a spec or diagnostics, never panic; a
//! spec it accepts must render without error (an app with a source, with the facts a
//! project on disk would give: its manifests, uvicorn added).
#![no_main]

use gen_core::generate::project::{AppFacts, Install, Project, uvicorn_pin};
use gen_core::spec::AppKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(spec) = gen_core::spec::load("spec.toml", &text) {
        let mut project = Project::default();
        for c in spec.containers.iter().filter(|c| c.app.source().is_some()) {
            let (install, added) = match c.app.kind {
                AppKind::Fastapi => (Install::Requirements { alone: true }, vec![uvicorn_pin()]),
                AppKind::Express => (Install::NpmCi, Vec::new()),
            };
            project.apps.insert(
                c.name.clone(),
                AppFacts {
                    install,
                    added,
                    python_path: None,
                },
            );
        }
        let files = gen_core::generate::generate(&spec, &project).expect("a valid spec renders");
        assert!(!files.is_empty());
    }
});
