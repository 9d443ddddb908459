//! The Smithy endpoint rules engine: an interpreter for `smithy.rules#endpointRuleSet`.
//!
//! A generated client embeds its service's rule set as JSON, parses it once with
//! [`RuleSet::from_json`], and for every request binds [`Params`] (built-ins such as the
//! region, plus operation context values) and calls [`RuleSet::resolve`], which returns the
//! [`Endpoint`] (URL, headers, properties such as `authSchemes`) or the rule set's error.
//!
//! Supported: parameters of type `String`, `Boolean` and `StringArray` with `default` and
//! `required`; endpoint, error and tree rules; conditions with `assign`; template strings with
//! `{name}` and `{name#path}` placeholders (and `{{`/`}}` escapes) in URLs, headers, error
//! messages, function arguments and properties; the standard library (`isSet`, `not`,
//! `booleanEquals`, `stringEquals`, `getAttr`, `substring`, `uriEncode`, `parseURL`,
//! `isValidHostLabel`, `coalesce`, `ite`, `split`) and the AWS functions (`aws.partition`,
//! `aws.parseArn`, `aws.isVirtualHostableS3Bucket`). The partition table is built in
//! ([`partitions`]).
//!
//! Evaluation never panics: malformed rule sets are rejected by `from_json`, and type
//! mismatches the Smithy validator would have caught surface as [`EndpointError`]s.

use std::collections::BTreeMap;
use std::fmt;

pub mod arn;
pub mod auth;
pub mod context;
mod eval;
pub mod functions;
pub mod partitions;
mod rules;
pub mod url;

pub use auth::AuthScheme;
pub use context::{AccountIdEndpointMode, OperationParams, PathExpr, StaticParam};

/// A parsed endpoint rule set, ready to resolve endpoints. Parse once per client; `resolve`
/// only reads it, so it can be shared between threads.
#[derive(Debug)]
pub struct RuleSet {
    parsed: rules::Parsed,
}

/// The type of an endpoint parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterType {
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `StringArray`.
    StringArray,
}

/// A parameter declared by a rule set.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The parameter name, e.g. `Region`.
    pub name: String,
    /// The parameter type.
    pub ty: ParameterType,
    /// Whether resolution fails when the parameter is unset and has no default.
    pub required: bool,
    /// The value used when the caller does not set one.
    pub default: Option<Value>,
    /// The built-in the client binds it to, e.g. `AWS::Region`.
    pub built_in: Option<String>,
    /// The parameter's documentation.
    pub documentation: Option<String>,
}

impl RuleSet {
    /// Parses the JSON text of a `smithy.rules#endpointRuleSet` trait value.
    pub fn from_json(text: &str) -> Result<RuleSet, EndpointError> {
        let doc: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| EndpointError::new(format!("invalid endpoint rule set JSON: {e}")))?;
        RuleSet::from_value(&doc)
    }

    /// Parses an already-decoded `smithy.rules#endpointRuleSet` trait value.
    pub fn from_value(doc: &serde_json::Value) -> Result<RuleSet, EndpointError> {
        Ok(RuleSet {
            parsed: rules::parse(doc)?,
        })
    }

    /// (parameter name, builtIn id) for each parameter with a `builtIn`, e.g.
    /// `("Region", "AWS::Region")`.
    pub fn builtin_params(&self) -> Vec<(String, String)> {
        self.parsed
            .parameters
            .iter()
            .filter_map(|p| p.built_in.as_ref().map(|b| (p.name.clone(), b.clone())))
            .collect()
    }

    /// The declared parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parsed.parameters
    }

    /// Resolves the endpoint for `params`. Parameters the rule set does not declare are
    /// ignored; unset ones take their default. Errors: a required parameter is missing, a
    /// parameter has the wrong type, an error rule matched (its message), or no rule matched.
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, EndpointError> {
        let mut bound = Vec::with_capacity(self.parsed.slot_count);
        for p in &self.parsed.parameters {
            let value = match params.get(&p.name).or(p.default.as_ref()) {
                Some(v) => {
                    let ok = matches!(
                        (p.ty, v),
                        (ParameterType::String, Value::String(_))
                            | (ParameterType::Boolean, Value::Bool(_))
                            | (ParameterType::StringArray, Value::StringArray(_))
                    );
                    if !ok {
                        return Err(EndpointError::new(format!(
                            "endpoint parameter `{}` must be a {}",
                            p.name,
                            match p.ty {
                                ParameterType::String => "string",
                                ParameterType::Boolean => "boolean",
                                ParameterType::StringArray => "string array",
                            }
                        )));
                    }
                    Some(eval::param_val(v))
                }
                None if p.required => {
                    return Err(EndpointError::new(format!(
                        "missing required endpoint parameter `{}`",
                        p.name
                    )));
                }
                None => None,
            };
            bound.push(value);
        }
        let mut evaluator = eval::Evaluator::new(bound, self.parsed.slot_count);
        evaluator.rules(&self.parsed.rules)?.ok_or_else(|| {
            EndpointError::new("endpoint rules exhausted: no rule matched these parameters")
        })
    }
}

/// Endpoint parameter values by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No parameters set.
    pub fn new() -> Self {
        Params::default()
    }

    /// Sets parameter `name`.
    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        self.values.insert(name.to_owned(), value);
        self
    }

    /// The value of parameter `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Unsets parameter `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.remove(name)
    }

    /// The set parameters, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// An endpoint parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A `String` parameter.
    String(String),
    /// A `Boolean` parameter.
    Bool(bool),
    /// A `StringArray` parameter.
    StringArray(Vec<String>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::StringArray(v)
    }
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// The endpoint URL, e.g. `https://mpa.us-east-1.api.aws`.
    pub url: String,
    /// Headers to add to the request.
    pub headers: BTreeMap<String, Vec<String>>,
    /// Endpoint properties, e.g. `authSchemes`.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Why an endpoint could not be resolved (or a rule set could not be parsed).
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointError {
    message: String,
}

impl EndpointError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        EndpointError {
            message: message.into(),
        }
    }

    /// The message: for an error rule, exactly the rule's (evaluated) message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(json: &str) -> RuleSet {
        RuleSet::from_json(json).unwrap()
    }

    fn resolve(r: &RuleSet, params: &[(&str, Value)]) -> Result<Endpoint, EndpointError> {
        let mut p = Params::new();
        for (k, v) in params {
            p.set(k, v.clone());
        }
        r.resolve(&p)
    }

    const PARAMS: &str = r#""parameters": {
        "Region": {"type": "String", "builtIn": "AWS::Region"},
        "UseFIPS": {"type": "Boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
        "Bucket": {"type": "string"},
        "Arn": {"type": "string"},
        "Names": {"type": "stringArray", "required": true, "default": ["a", "b"]}
    }"#;

    fn with_rules(rules: &str) -> RuleSet {
        rs(&format!(
            r#"{{"version": "1.0", {PARAMS}, "rules": {rules}}}"#
        ))
    }

    #[test]
    fn builtins_and_parameters() {
        let r = with_rules("[]");
        let mut b = r.builtin_params();
        b.sort();
        assert_eq!(
            b,
            vec![
                ("Region".to_owned(), "AWS::Region".to_owned()),
                ("UseFIPS".to_owned(), "AWS::UseFIPS".to_owned())
            ]
        );
        let names = r.parameters().iter().find(|p| p.name == "Names").unwrap();
        assert_eq!(names.ty, ParameterType::StringArray);
        assert_eq!(
            names.default,
            Some(Value::StringArray(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            resolve(&r, &[]).unwrap_err().message(),
            "endpoint rules exhausted: no rule matched these parameters"
        );
    }

    #[test]
    fn templates_assign_and_properties() {
        let r = with_rules(
            r#"[{"type": "tree", "conditions": [
                    {"fn": "isSet", "argv": [{"ref": "Region"}]},
                    {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
                 "rules": [
                    {"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]},
                        {"fn": "booleanEquals", "argv": [false, {"fn": "getAttr", "argv": [{"ref": "P"}, "supportsFIPS"]}]}],
                     "error": "no FIPS in {P#name}"},
                    {"type": "endpoint", "conditions": [],
                     "endpoint": {"url": "https://svc.{Region}.{P#dnsSuffix}",
                        "headers": {"x-a": ["{Region}", "lit"]},
                        "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{P#implicitGlobalRegion}",
                            "disableDoubleEncoding": true, "n": 3}], "names": "{Names#[1]}{{x}}"}}}]},
                {"type": "error", "conditions": [], "error": "Region missing"}]"#,
        );
        let e = resolve(&r, &[("Region", "cn-north-1".into())]).unwrap();
        assert_eq!(e.url, "https://svc.cn-north-1.amazonaws.com.cn");
        assert_eq!(
            e.headers["x-a"],
            vec!["cn-north-1".to_owned(), "lit".to_owned()]
        );
        assert_eq!(
            serde_json::Value::Object(e.properties),
            serde_json::json!({"authSchemes": [{"name": "sigv4", "signingRegion": "cn-northwest-1",
                "disableDoubleEncoding": true, "n": 3}], "names": "b{x}"})
        );
        assert_eq!(resolve(&r, &[]).unwrap_err().message(), "Region missing");
        // FIPS is supported everywhere in the table, so the error rule does not fire.
        assert!(
            resolve(
                &r,
                &[("Region", "us-iso-east-1".into()), ("UseFIPS", true.into())]
            )
            .is_ok()
        );
    }

    #[test]
    fn variables_go_out_of_scope() {
        // `X` is assigned in the first rule (which then fails); the second rule must not see it.
        let r = with_rules(
            r#"[{"type": "endpoint", "conditions": [
                    {"fn": "aws.parseArn", "argv": ["arn:aws:s3:::b"], "assign": "X"},
                    {"fn": "booleanEquals", "argv": [true, false]}],
                  "endpoint": {"url": "https://never"}},
                {"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "X"}]}],
                  "endpoint": {"url": "https://leaked"}},
                {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://ok"}}]"#,
        );
        assert_eq!(resolve(&r, &[]).unwrap().url, "https://ok");
    }

    #[test]
    fn tree_exhaustion_is_an_error() {
        let r = with_rules(
            r#"[{"type": "tree", "conditions": [], "rules": [
                    {"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Bucket"}]}],
                     "endpoint": {"url": "https://b"}}]},
                {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://unreachable"}}]"#,
        );
        assert!(
            resolve(&r, &[])
                .unwrap_err()
                .message()
                .contains("exhausted")
        );
        assert_eq!(
            resolve(&r, &[("Bucket", "x".into())]).unwrap().url,
            "https://b"
        );
    }

    #[test]
    fn library_through_the_interpreter() {
        let r = with_rules(
            r#"[{"type": "endpoint", "conditions": [
                    {"fn": "aws.parseArn", "argv": [{"ref": "Arn"}], "assign": "A"},
                    {"fn": "getAttr", "argv": [{"ref": "A"}, "resourceId[1]"], "assign": "Name"},
                    {"fn": "substring", "argv": [{"ref": "Name"}, 0, 3, true], "assign": "Tail"},
                    {"fn": "parseURL", "argv": ["https://h.example.com:8443/base"], "assign": "U"},
                    {"fn": "aws.isVirtualHostableS3Bucket", "argv": [{"ref": "Name"}, false]},
                    {"fn": "not", "argv": [{"fn": "isValidHostLabel", "argv": ["a.b", false]}]},
                    {"fn": "split", "argv": ["x--y--z", "--", 2], "assign": "S"},
                    {"fn": "coalesce", "argv": [{"ref": "Bucket"}, "{A#region}"], "assign": "C"},
                    {"fn": "ite", "argv": [{"ref": "UseFIPS"}, "-fips", ""], "assign": "F"}],
                  "endpoint": {"url": "{U#scheme}://{Name}{F}.{U#authority}{U#normalizedPath}{Tail}/{S#[1]}/{C}",
                     "headers": {"enc": [{"fn": "uriEncode", "argv": ["{A#accountId}/x y"]}]}}}]"#,
        );
        let e = resolve(
            &r,
            &[("Arn", "arn:aws:s3:us-west-2:123:bucket/my-bucket".into())],
        )
        .unwrap();
        assert_eq!(
            e.url,
            "https://my-bucket.h.example.com:8443/base/ket/y--z/us-west-2"
        );
        assert_eq!(e.headers["enc"], vec!["123%2Fx%20y".to_owned()]);
        let e = resolve(
            &r,
            &[
                ("Arn", "arn:aws:s3:us-west-2:123:bucket/my-bucket".into()),
                ("UseFIPS", true.into()),
                ("Bucket", "bk".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            e.url,
            "https://my-bucket-fips.h.example.com:8443/base/ket/y--z/bk"
        );
        // An index past the end is unset, so the condition fails and no rule matches.
        assert!(resolve(&r, &[("Arn", "arn:aws:s3:us-west-2:123:bucket".into())]).is_err());
    }

    #[test]
    fn parameter_errors() {
        let r = rs(
            r#"{"version": "1.0", "parameters": {"R": {"type": "String", "required": true}},
            "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{R}"}}]}"#,
        );
        assert!(
            resolve(&r, &[])
                .unwrap_err()
                .message()
                .contains("missing required")
        );
        assert!(
            resolve(&r, &[("R", true.into())])
                .unwrap_err()
                .message()
                .contains("must be a string")
        );
        assert_eq!(
            resolve(&r, &[("R", "x".into()), ("Other", true.into())])
                .unwrap()
                .url,
            "https://x"
        );
    }

    #[test]
    fn malformed_rule_sets_are_errors_not_panics() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"version": "2.0", "parameters": {}, "rules": []}"#,
            r#"{"version": "1.0", "parameters": {"A": {"type": "int"}}, "rules": []}"#,
            r#"{"version": "1.0", "parameters": {"A": {"type": "string", "default": true}}, "rules": []}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "nope", "conditions": []}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "endpoint", "conditions": []}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "error", "conditions": [], "error": "{Undef}"}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "error", "conditions": [{"fn": "frob", "argv": []}], "error": "x"}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "error", "conditions": [{"fn": "not", "argv": []}], "error": "x"}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "error", "conditions": [{"ref": "x"}], "error": "x"}]}"#,
            r#"{"version": "1.0", "parameters": {}, "rules": [{"type": "error", "conditions": [{"fn": "getAttr", "argv": ["a", "b[x]"]}], "error": "x"}]}"#,
        ] {
            assert!(RuleSet::from_json(bad).is_err(), "{bad}");
        }
        let deep = format!(
            r#"{{"version": "1.0", "parameters": {{}}, "rules": [{}"x"{}]}}"#,
            r#"{"type": "tree", "conditions": [], "rules": ["#.repeat(200),
            "]}".repeat(200)
        );
        assert!(RuleSet::from_json(&deep).is_err());
    }

    #[test]
    fn rule_sets_are_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RuleSet>();
        assert_send_sync::<Endpoint>();
        assert_send_sync::<EndpointError>();
    }

    #[test]
    fn deep_nesting_is_bounded() {
        // An expression nested 90 deep inside trees nested 30 deep (built as a value, so
        // serde_json's text recursion limit does not apply) still evaluates.
        let mut cond = serde_json::json!(true);
        for _ in 0..45 {
            cond = serde_json::json!({"fn": "not", "argv": [{"fn": "not", "argv": [cond]}]});
        }
        let mut rule = serde_json::json!({"type": "endpoint", "conditions": [
            {"fn": "booleanEquals", "argv": [true, cond]}], "endpoint": {"url": "https://deep"}});
        for _ in 0..30 {
            rule = serde_json::json!({"type": "tree", "conditions": [], "rules": [rule]});
        }
        let doc = serde_json::json!({"version": "1.0", "parameters": {}, "rules": [rule]});
        let r = RuleSet::from_value(&doc).unwrap();
        assert_eq!(r.resolve(&Params::new()).unwrap().url, "https://deep");
        // One level deeper than the limit is rejected rather than recursing without bound.
        let mut rule = serde_json::json!({"type": "error", "conditions": [], "error": "x"});
        for _ in 0..150 {
            rule = serde_json::json!({"type": "tree", "conditions": [], "rules": [rule]});
        }
        let doc = serde_json::json!({"version": "1.0", "parameters": {}, "rules": [rule]});
        assert!(
            RuleSet::from_value(&doc)
                .unwrap_err()
                .message()
                .contains("too deeply")
        );
    }

    #[test]
    fn runtime_type_errors_are_errors() {
        let r = with_rules(
            r#"[{"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Region"}, true]}],
                 "endpoint": {"url": "https://x"}}]"#,
        );
        assert!(
            resolve(&r, &[("Region", "us-east-1".into())])
                .unwrap_err()
                .message()
                .contains("type error")
        );
        // Unset arguments make the condition fail rather than erroring.
        assert!(
            resolve(&r, &[])
                .unwrap_err()
                .message()
                .contains("exhausted")
        );
        let r = with_rules(
            r#"[{"type": "endpoint", "conditions": [{"fn": "aws.partition", "argv": ["us-east-1"], "assign": "P"}],
                 "endpoint": {"url": "https://{P#nope}"}}]"#,
        );
        assert!(
            resolve(&r, &[])
                .unwrap_err()
                .message()
                .contains("no attribute")
        );
        let r = with_rules(
            r#"[{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Bucket}"}}]"#,
        );
        assert!(resolve(&r, &[]).unwrap_err().message().contains("unset"));
    }
}
