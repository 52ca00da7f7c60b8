//! `gen check` on hand-written container projects (tests/fixtures/projects/): the findings of
//! each are pinned in a golden file, clean projects have no error, broken ones have the
//! errors their README lists.

use crate::harness::{fixture, gen_in, root, snapshot};

fn projects() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture("projects"))
        .expect("projects")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn each_project_gets_exactly_its_pinned_findings() {
    for name in projects() {
        let rel = format!("tests/fixtures/projects/{name}");
        let run = gen_in(&root(), &["check", &rel, "--today", "2026-11-29"]);
        snapshot(&format!("projects/{name}.human.txt"), &run.stdout);
        let broken = name.contains("broken");
        if broken {
            assert_eq!(run.code, 1, "{name} should fail:\n{}", run.stdout);
        } else {
            assert!(
                !run.stdout.contains("error["),
                "{name} is clean but got errors:\n{}",
                run.stdout
            );
        }
    }
}

/// The generated containers are consistent by construction: no finding at all.
#[test]
fn generated_containers_have_no_findings() {
    for dir in [
        "generated",
        "examples/lb/generated",
        "examples/extensions/generated",
    ] {
        // A fixed day: the base images' end of life is judged from the Dockerfiles too.
        let run = gen_in(
            &root(),
            &["check", dir, "--deny", "warnings", "--today", "2026-11-29"],
        );
        assert_eq!(run.code, 0, "{dir}:\n{}{}", run.stdout, run.stderr);
        assert_eq!(run.stdout, "", "{dir}");
    }
}
