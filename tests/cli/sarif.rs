//! `gen check --format sarif`: valid against the SARIF 2.1.0 schema (tests/fixtures/sarif), and
//! carrying what GitHub code scanning needs: rules with help, results with a rule, a message,
//! a location with a URI and a start line, and related locations.

use crate::harness::{fixture, gen_in, workspace};
use serde_json::Value;

fn sarif_of_drift() -> Value {
    let ws = workspace("check/generated-drift/spec.toml");
    assert_eq!(gen_in(ws.path(), &["build"]).code, 0);
    let conf = ws.path().join("generated/web/nginx.conf");
    let text = std::fs::read_to_string(&conf).expect("nginx.conf");
    std::fs::write(&conf, text.replace("listen 80", "listen 81")).expect("edit");
    // The drift finding alone: the edit also breaks what the port rules check.
    let run = gen_in(
        ws.path(),
        &["check", "--format", "sarif", "--select", "GEN001"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("SARIF is JSON")
}

/// Asserts that `doc` is valid SARIF 2.1.0.
pub fn assert_valid(doc: &Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn validator() -> jsonschema::Validator {
    let schema_text =
        std::fs::read_to_string(fixture("sarif/sarif-2.1.0-rtm.5.json")).expect("schema");
    // The schema's two `language` patterns end in a stray `]`, a literal in ECMAScript but an
    // error in Rust's regex engines; escaped, it means the same and compiles.
    let schema_text = schema_text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

#[test]
fn sarif_output_is_valid_against_the_schema() {
    let validator = validator();
    let doc = sarif_of_drift();
    assert_valid(&doc);
    // The validator does reject what the schema forbids.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_what_github_code_scanning_reads() {
    let doc = sarif_of_drift();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "gen");
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), gen_core::lint::RULES.len());
    for rule in rules {
        assert!(rule["id"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        let help = rule["help"]["markdown"].as_str().expect("help markdown");
        assert!(help.contains("## Why is this bad?"), "{help}");
    }
    // The edit also breaks the health check (it probes port 80): only the drift is
    // looked at here.
    let results: Vec<&Value> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == "GEN001")
        .collect();
    assert_eq!(results.len(), 1);
    let r = results[0];
    assert_eq!(r["ruleId"], "GEN001");
    let index = r["ruleIndex"].as_u64().expect("ruleIndex");
    assert_eq!(
        rules[usize::try_from(index).expect("index")]["id"],
        "GEN001"
    );
    assert_eq!(r["level"], "error");
    assert!(
        r["message"]["text"].as_str().is_some_and(
            |t| t.starts_with("`generated/web/nginx.conf` differs from what the spec gives")
        ),
        "{}",
        r["message"]
    );
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "generated/web/nginx.conf");
    assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l > 1));
    assert!(loc["region"]["startColumn"].as_u64().is_some());
    let related = &r["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "spec.toml"
    );
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 2);
    assert_eq!(
        related["message"]["text"],
        "`web` is generated from this entry"
    );
}
