//! Runs the `smithy.rules#endpointTests` cases of real service models through the endpoint
//! rules engine, and checks the built-in partition table against `partitions.json`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anvil_runtime::endpoint::partitions::{self, PARTITIONS};
use anvil_runtime::endpoint::{Endpoint, EndpointError, Params, RuleSet, Value};
use serde_json::{Map, Value as Json};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");
const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");

fn read_json(path: &Path) -> Json {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// The rule set and test cases of the model's service shape.
fn service_rules(model: &Json) -> Option<(&Json, &[Json])> {
    let shapes = model.get("shapes")?.as_object()?;
    shapes.values().find_map(|shape| {
        if shape.get("type")?.as_str()? != "service" {
            return None;
        }
        let traits = shape.get("traits")?;
        let rule_set = traits.get("smithy.rules#endpointRuleSet")?;
        let cases = traits
            .get("smithy.rules#endpointTests")?
            .get("testCases")?
            .as_array()?;
        Some((rule_set, cases.as_slice()))
    })
}

fn params_of(case: &Json) -> Result<Params, String> {
    let mut params = Params::new();
    if let Some(map) = case.get("params").and_then(Json::as_object) {
        for (name, v) in map {
            let value = match v {
                Json::String(s) => Value::String(s.clone()),
                Json::Bool(b) => Value::Bool(*b),
                Json::Array(items) => Value::StringArray(
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect::<Option<_>>()
                        .ok_or_else(|| format!("param {name}: non-string array element"))?,
                ),
                other => return Err(format!("param {name}: unsupported value {other}")),
            };
            params.set(name, value);
        }
    }
    Ok(params)
}

fn endpoint_json(e: &Endpoint) -> Json {
    let headers: Map<String, Json> = e
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Json::from(v.clone())))
        .collect();
    serde_json::json!({"url": e.url, "headers": headers, "properties": e.properties})
}

/// Compares a resolution result with a case's `expect`; `Err` describes the mismatch.
fn check(expect: &Json, got: &Result<Endpoint, EndpointError>) -> Result<(), String> {
    let got_text = || match got {
        Ok(e) => format!("endpoint {}", endpoint_json(e)),
        Err(e) => format!("error {:?}", e.message()),
    };
    if let Some(message) = expect.get("error") {
        let message = message.as_str().ok_or("`expect.error` is not a string")?;
        return match got {
            Err(e) if e.message() == message => Ok(()),
            _ => Err(format!("expected error {message:?}, got {}", got_text())),
        };
    }
    let expected = expect
        .get("endpoint")
        .ok_or("case expects neither endpoint nor error")?;
    let empty = Json::Object(Map::new());
    let want = serde_json::json!({
        "url": expected.get("url").cloned().unwrap_or(Json::Null),
        "headers": expected.get("headers").unwrap_or(&empty),
        "properties": expected.get("properties").unwrap_or(&empty),
    });
    match got {
        Ok(e) if endpoint_json(e) == want => Ok(()),
        _ => Err(format!("expected endpoint {want}, got {}", got_text())),
    }
}

struct Outcome {
    cases: usize,
    failures: Vec<String>,
}

fn run_model(path: &Path) -> Outcome {
    let model = read_json(path);
    let file = path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let Some((rule_set, cases)) = service_rules(&model) else {
        return Outcome {
            cases: 0,
            failures: vec![format!(
                "{file}: no service with endpointRuleSet and endpointTests"
            )],
        };
    };
    // Go through the text entry point, as a generated client does.
    let rules = match RuleSet::from_json(&rule_set.to_string()) {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                cases: cases.len(),
                failures: vec![format!("{file}: rule set rejected: {e}")],
            };
        }
    };
    let mut failures = Vec::new();
    for case in cases {
        let doc = case
            .get("documentation")
            .and_then(Json::as_str)
            .unwrap_or("(undocumented)");
        let result = params_of(case).and_then(|params| {
            let expect = case.get("expect").ok_or("case has no `expect`")?;
            check(expect, &rules.resolve(&params))
        });
        if let Err(why) = result {
            failures.push(format!("{file}: {doc}: {why}"));
        }
    }
    Outcome {
        cases: cases.len(),
        failures,
    }
}

fn report(label: &str, outcomes: &[Outcome]) {
    let total: usize = outcomes.iter().map(|o| o.cases).sum();
    let failed: Vec<&String> = outcomes.iter().flat_map(|o| &o.failures).collect();
    println!(
        "endpoint tests{label}: {} passed, {} failed",
        total.saturating_sub(failed.len()),
        failed.len()
    );
    for f in &failed {
        println!("  FAIL {f}");
    }
    assert!(
        failed.is_empty(),
        "{} endpoint test case(s) failed",
        failed.len()
    );
}

#[test]
fn official_model_endpoint_tests() {
    let dir = PathBuf::from(SHARED).join("aws-models");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        23,
        "expected the 23 official models in {}",
        dir.display()
    );
    let outcomes: Vec<Outcome> = files.iter().map(|f| run_model(f)).collect();
    for (file, o) in files.iter().zip(&outcomes) {
        assert!(o.cases > 0, "{} has no endpoint test cases", file.display());
    }
    report("", &outcomes);
}

#[test]
fn mission_model_endpoint_tests() {
    let mut outcomes = Vec::new();
    for name in ["mpa.json", "workspaces-web.json"] {
        let path = PathBuf::from(MODELS).join(name);
        if !path.exists() {
            println!("skipping {}: file absent", path.display());
            continue;
        }
        let model = read_json(&path);
        if service_rules(&model).is_none() {
            println!("skipping {}: no endpoint rule set or tests", path.display());
            continue;
        }
        outcomes.push(run_model(&path));
    }
    if outcomes.is_empty() {
        println!("no mission models with endpoint tests yet");
        return;
    }
    report(" (models/)", &outcomes);
}

fn str_field<'a>(obj: &'a Json, key: &str, ctx: &str) -> &'a str {
    obj.get(key)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("{ctx}: `{key}` missing or not a string"))
}

fn bool_field(obj: &Json, key: &str, ctx: &str) -> bool {
    obj.get(key)
        .and_then(Json::as_bool)
        .unwrap_or_else(|| panic!("{ctx}: `{key}` missing or not a boolean"))
}

#[test]
fn partition_table_matches_partitions_json() {
    let doc = read_json(&PathBuf::from(SHARED).join("endpoints/partitions.json"));
    let parts = doc["partitions"].as_array().expect("partitions array");
    let ids: Vec<&str> = parts
        .iter()
        .map(|p| str_field(p, "id", "partition"))
        .collect();
    let table_ids: Vec<&str> = PARTITIONS.iter().map(|p| p.id).collect();
    assert_eq!(table_ids, ids, "partition ids and order");

    for (json, p) in parts.iter().zip(PARTITIONS.iter()) {
        let ctx = p.id;
        let regex = str_field(json, "regionRegex", ctx);
        assert_eq!(p.region_regex, regex, "{ctx}: regionRegex");
        let prefixes = partitions::parse_region_regex(regex).unwrap_or_else(|| {
            panic!("{ctx}: regex {regex} is outside the shape the matcher supports")
        });
        assert_eq!(
            p.region_prefixes,
            prefixes.as_slice(),
            "{ctx}: region prefixes"
        );

        let outputs = &json["outputs"];
        let known = [
            "name",
            "dnsSuffix",
            "dualStackDnsSuffix",
            "supportsFIPS",
            "supportsDualStack",
            "implicitGlobalRegion",
        ];
        for key in outputs.as_object().expect("outputs object").keys() {
            assert!(
                known.contains(&key.as_str()),
                "{ctx}: output `{key}` is not in the table"
            );
        }
        assert_eq!(p.name, str_field(outputs, "name", ctx), "{ctx}: name");
        assert_eq!(
            p.dns_suffix,
            str_field(outputs, "dnsSuffix", ctx),
            "{ctx}: dnsSuffix"
        );
        assert_eq!(
            p.dual_stack_dns_suffix,
            str_field(outputs, "dualStackDnsSuffix", ctx),
            "{ctx}: dualStackDnsSuffix"
        );
        assert_eq!(
            p.supports_fips,
            bool_field(outputs, "supportsFIPS", ctx),
            "{ctx}: supportsFIPS"
        );
        assert_eq!(
            p.supports_dual_stack,
            bool_field(outputs, "supportsDualStack", ctx),
            "{ctx}: supportsDualStack"
        );
        assert_eq!(
            p.implicit_global_region,
            str_field(outputs, "implicitGlobalRegion", ctx),
            "{ctx}: implicitGlobalRegion"
        );

        let regions = json["regions"].as_object().expect("regions object");
        let mut want: Vec<(&str, Option<&str>)> = regions
            .iter()
            .map(|(name, r)| {
                for key in r.as_object().expect("region object").keys() {
                    assert_eq!(
                        key, "description",
                        "{ctx}/{name}: region override `{key}` not in the table"
                    );
                }
                (name.as_str(), r.get("description").and_then(Json::as_str))
            })
            .collect();
        let mut have: Vec<(&str, Option<&str>)> = p.regions.to_vec();
        want.sort();
        have.sort();
        assert_eq!(have, want, "{ctx}: regions");

        // Every listed region resolves to its own partition, not inferred.
        for (name, _) in p.regions {
            let (found, inferred) = partitions::partition_for(name);
            assert_eq!((found.id, inferred), (p.id, false), "{name}");
        }
    }
}

#[test]
fn resolve_is_fast() {
    let dir = PathBuf::from(SHARED).join("aws-models/mpa-2022-07-26.json");
    let model = read_json(&dir);
    let (rule_set, _) = service_rules(&model).expect("mpa rule set");
    let text = rule_set.to_string();
    let start = Instant::now();
    let rules = RuleSet::from_json(&text).expect("parse");
    let parse_time = start.elapsed();
    let mut params = Params::new();
    params
        .set("Region", Value::from("eu-west-1"))
        .set("UseFIPS", Value::from(true));
    let n = 10_000u32;
    let start = Instant::now();
    for _ in 0..n {
        let e = rules.resolve(&params).expect("resolve");
        assert_eq!(e.url, "https://mpa-fips.eu-west-1.api.aws");
    }
    let per = start.elapsed() / n;
    println!("parse: {parse_time:?}, resolve: {per:?} per call");
    // Generous even for unoptimized builds; catches pathological regressions.
    assert!(per.as_micros() < 200, "resolve took {per:?}");
}
