//! The YAML reader and the deployment model (compose file and manifests) on arbitrary
//! text: never a panic, spans in bounds.
#![no_main]

use gen_core::deploy::{DeployFile, Project};
use gen_core::parse::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(docs) = yaml::parse(&text) {
        for d in &docs {
            assert!(d.span.start <= d.span.end && d.span.end <= text.len());
        }
    }
    let file = |path: &str| DeployFile {
        path: path.to_owned(),
        text: text.clone().into_owned(),
    };
    let mut project = Project::new(
        "p".to_owned(),
        Some(file("p/compose.yaml")),
        vec![file("p/k8s/a.yaml")],
    );
    project.link_k8s(&["web"]);
    for s in project.compose.iter().flat_map(|c| &c.services) {
        let _ = project.label(s.name.loc, "x");
    }
});
