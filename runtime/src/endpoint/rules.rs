//! Parsing a `smithy.rules#endpointRuleSet` document into the interpreter's tree.
//!
//! Parsing does the work that does not depend on parameter values, once per client: every
//! parameter and `assign` variable gets a slot number (so evaluation indexes a vector instead
//! of looking names up), template strings are split into literal and reference parts,
//! `getAttr` paths are parsed, function names and arities are checked.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::{EndpointError, Parameter, ParameterType, Value};

/// Maximum nesting depth: each tree rule, function call, array or object adds a level, and a
/// rule's expressions start at the rule's own depth. Real rule sets stay far below it; it
/// bounds the recursion of both parsing and evaluation.
const MAX_DEPTH: usize = 128;

/// Maximum number of parts in a `getAttr` path.
const MAX_PATH_PARTS: usize = 32;

/// An expression: a function argument, URL, header value, error message or property value.
#[derive(Debug)]
pub(crate) enum Expr {
    /// A string literal, possibly a template.
    Str(Template),
    /// A boolean literal.
    Bool(bool),
    /// An integer literal (`substring` indexes, `split` limits, property values).
    Int(i64),
    /// An array literal.
    Array(Vec<Expr>),
    /// An object literal (only in endpoint properties).
    Object(Vec<(String, Expr)>),
    /// A reference to a parameter or assigned variable, by slot.
    Ref(usize),
    /// `getAttr(target, path)` with the path parsed.
    GetAttr(Box<Expr>, Vec<PathPart>),
    /// Any other library function.
    Call(Func, Vec<Expr>),
}

/// One step of a `getAttr` path.
#[derive(Debug)]
pub(crate) enum PathPart {
    /// A record field.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A string literal, split at its `{...}` placeholders.
#[derive(Debug)]
pub(crate) enum Template {
    /// No placeholders (`{{`/`}}` escapes already resolved).
    Plain(String),
    /// Literal text and placeholder expressions, in order.
    Parts(Vec<TemplatePart>),
}

/// A piece of a template string.
#[derive(Debug)]
pub(crate) enum TemplatePart {
    /// Literal text.
    Lit(String),
    /// A placeholder: a reference, possibly with a `#path`.
    Expr(Expr),
}

/// The library functions the interpreter implements (`getAttr` is [`Expr::GetAttr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
    Coalesce,
    Ite,
    Split,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "isSet" => Func::IsSet,
            "not" => Func::Not,
            "booleanEquals" => Func::BooleanEquals,
            "stringEquals" => Func::StringEquals,
            "substring" => Func::Substring,
            "uriEncode" => Func::UriEncode,
            "parseURL" => Func::ParseUrl,
            "isValidHostLabel" => Func::IsValidHostLabel,
            "aws.partition" => Func::Partition,
            "aws.parseArn" => Func::ParseArn,
            "aws.isVirtualHostableS3Bucket" => Func::IsVirtualHostableS3Bucket,
            "coalesce" => Func::Coalesce,
            "ite" => Func::Ite,
            "split" => Func::Split,
            _ => return None,
        })
    }

    /// The function's name in rule sets.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::IsSet => "isSet",
            Func::Not => "not",
            Func::BooleanEquals => "booleanEquals",
            Func::StringEquals => "stringEquals",
            Func::Substring => "substring",
            Func::UriEncode => "uriEncode",
            Func::ParseUrl => "parseURL",
            Func::IsValidHostLabel => "isValidHostLabel",
            Func::Partition => "aws.partition",
            Func::ParseArn => "aws.parseArn",
            Func::IsVirtualHostableS3Bucket => "aws.isVirtualHostableS3Bucket",
            Func::Coalesce => "coalesce",
            Func::Ite => "ite",
            Func::Split => "split",
        }
    }

    /// Whether `n` arguments are accepted.
    fn arity_ok(self, n: usize) -> bool {
        match self {
            Func::IsSet
            | Func::Not
            | Func::UriEncode
            | Func::ParseUrl
            | Func::Partition
            | Func::ParseArn => n == 1,
            Func::BooleanEquals
            | Func::StringEquals
            | Func::IsValidHostLabel
            | Func::IsVirtualHostableS3Bucket => n == 2,
            Func::Ite | Func::Split => n == 3,
            Func::Substring => n == 4,
            Func::Coalesce => n >= 2,
        }
    }
}

/// A condition: a function call whose result must be set and not `false`, optionally
/// assigned to a variable slot.
#[derive(Debug)]
pub(crate) struct Condition {
    pub(crate) expr: Expr,
    pub(crate) assign: Option<usize>,
}

/// A rule with its conditions.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) kind: RuleKind,
}

/// What a rule yields when its conditions hold.
#[derive(Debug)]
pub(crate) enum RuleKind {
    Endpoint(Box<EndpointDef>),
    Error(Expr),
    Tree(Vec<Rule>),
}

/// An endpoint rule's `endpoint` object.
#[derive(Debug)]
pub(crate) struct EndpointDef {
    pub(crate) url: Expr,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
    pub(crate) properties: Vec<(String, Expr)>,
}

/// The parsed rule set body (parameters are slots `0..parameters.len()`).
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) slot_count: usize,
}

fn err(message: impl Into<String>) -> EndpointError {
    EndpointError::new(format!("invalid endpoint rule set: {}", message.into()))
}

/// Parses a rule set document.
pub(crate) fn parse(doc: &Json) -> Result<Parsed, EndpointError> {
    let obj = doc
        .as_object()
        .ok_or_else(|| err("expected a JSON object"))?;
    match obj.get("version") {
        Some(Json::String(v)) if v.starts_with("1.") => {}
        Some(Json::String(v)) => return Err(err(format!("unsupported version `{v}`"))),
        _ => return Err(err("missing `version`")),
    }
    let mut parser = Parser {
        slots: HashMap::new(),
        slot_count: 0,
    };
    let mut parameters = Vec::new();
    if let Some(params) = obj.get("parameters") {
        let params = params
            .as_object()
            .ok_or_else(|| err("`parameters` must be an object"))?;
        for (name, def) in params {
            let param = parse_parameter(name, def)?;
            parser.declare(name);
            parameters.push(param);
        }
    }
    let rules = obj
        .get("rules")
        .and_then(Json::as_array)
        .ok_or_else(|| err("`rules` must be an array"))?;
    let rules = parser.rules(rules, 0)?;
    Ok(Parsed {
        parameters,
        rules,
        slot_count: parser.slot_count,
    })
}

fn parse_parameter(name: &str, def: &Json) -> Result<Parameter, EndpointError> {
    let def = def
        .as_object()
        .ok_or_else(|| err(format!("parameter `{name}` must be an object")))?;
    let ty = match def.get("type").and_then(Json::as_str) {
        Some(t) if t.eq_ignore_ascii_case("string") => ParameterType::String,
        Some(t) if t.eq_ignore_ascii_case("boolean") => ParameterType::Boolean,
        Some(t) if t.eq_ignore_ascii_case("stringArray") => ParameterType::StringArray,
        Some(t) => return Err(err(format!("parameter `{name}` has unknown type `{t}`"))),
        None => return Err(err(format!("parameter `{name}` has no `type`"))),
    };
    let required = match def.get("required") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => {
            return Err(err(format!(
                "parameter `{name}`: `required` must be a boolean"
            )));
        }
    };
    let default = match def.get("default") {
        None | Some(Json::Null) => None,
        Some(v) => Some(json_to_value(v, ty).ok_or_else(|| {
            err(format!(
                "parameter `{name}`: `default` does not match its type"
            ))
        })?),
    };
    let text = |key: &str| def.get(key).and_then(Json::as_str).map(str::to_owned);
    Ok(Parameter {
        name: name.to_owned(),
        ty,
        required,
        default,
        built_in: text("builtIn"),
        documentation: text("documentation"),
    })
}

/// Converts a JSON value to a parameter value of type `ty`, if it has that type.
pub(crate) fn json_to_value(v: &Json, ty: ParameterType) -> Option<Value> {
    match (ty, v) {
        (ParameterType::String, Json::String(s)) => Some(Value::String(s.clone())),
        (ParameterType::Boolean, Json::Bool(b)) => Some(Value::Bool(*b)),
        (ParameterType::StringArray, Json::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Value::StringArray),
        _ => None,
    }
}

struct Parser {
    slots: HashMap<String, usize>,
    slot_count: usize,
}

impl Parser {
    /// The slot for `name`, allocating one when new. All uses of a name share a slot;
    /// evaluation restores a slot's previous value when the assigning rule ends.
    fn declare(&mut self, name: &str) -> usize {
        if let Some(slot) = self.slots.get(name) {
            return *slot;
        }
        let slot = self.slot_count;
        self.slot_count += 1;
        self.slots.insert(name.to_owned(), slot);
        slot
    }

    fn lookup(&self, name: &str) -> Result<usize, EndpointError> {
        self.slots.get(name).copied().ok_or_else(|| {
            err(format!(
                "reference to undefined parameter or variable `{name}`"
            ))
        })
    }

    fn rules(&mut self, rules: &[Json], depth: usize) -> Result<Vec<Rule>, EndpointError> {
        if depth > MAX_DEPTH {
            return Err(err("rules nested too deeply"));
        }
        rules.iter().map(|r| self.rule(r, depth)).collect()
    }

    fn rule(&mut self, rule: &Json, depth: usize) -> Result<Rule, EndpointError> {
        let obj = rule
            .as_object()
            .ok_or_else(|| err("a rule must be an object"))?;
        let mut conditions = Vec::new();
        match obj.get("conditions") {
            None => {}
            Some(Json::Array(items)) => {
                for c in items {
                    conditions.push(self.condition(c, depth)?);
                }
            }
            Some(_) => return Err(err("rule `conditions` must be an array")),
        }
        let kind = match obj.get("type").and_then(Json::as_str) {
            Some("endpoint") => {
                let ep = obj
                    .get("endpoint")
                    .ok_or_else(|| err("endpoint rule without `endpoint`"))?;
                RuleKind::Endpoint(Box::new(self.endpoint(ep, depth)?))
            }
            Some("error") => {
                let e = obj
                    .get("error")
                    .ok_or_else(|| err("error rule without `error`"))?;
                RuleKind::Error(self.expr(e, depth)?)
            }
            Some("tree") => {
                let rules = obj
                    .get("rules")
                    .and_then(Json::as_array)
                    .ok_or_else(|| err("tree rule without a `rules` array"))?;
                RuleKind::Tree(self.rules(rules, depth + 1)?)
            }
            Some(other) => return Err(err(format!("unknown rule type `{other}`"))),
            None => return Err(err("rule without `type`")),
        };
        Ok(Rule { conditions, kind })
    }

    fn condition(&mut self, c: &Json, depth: usize) -> Result<Condition, EndpointError> {
        let obj = c
            .as_object()
            .ok_or_else(|| err("a condition must be an object"))?;
        if !obj.contains_key("fn") {
            return Err(err("a condition must be a function call (`fn`)"));
        }
        let expr = self.expr(c, depth)?;
        let assign = match obj.get("assign") {
            None => None,
            Some(Json::String(name)) => Some(self.declare(name)),
            Some(_) => return Err(err("condition `assign` must be a string")),
        };
        Ok(Condition { expr, assign })
    }

    fn endpoint(&mut self, ep: &Json, depth: usize) -> Result<EndpointDef, EndpointError> {
        let obj = ep
            .as_object()
            .ok_or_else(|| err("`endpoint` must be an object"))?;
        let url = self.expr(
            obj.get("url")
                .ok_or_else(|| err("endpoint without `url`"))?,
            depth,
        )?;
        let mut headers = Vec::new();
        match obj.get("headers") {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (name, values) in map {
                    let values = values
                        .as_array()
                        .ok_or_else(|| err(format!("header `{name}` must be an array")))?;
                    let values = values
                        .iter()
                        .map(|v| self.expr(v, depth))
                        .collect::<Result<Vec<_>, _>>()?;
                    headers.push((name.clone(), values));
                }
            }
            Some(_) => return Err(err("endpoint `headers` must be an object")),
        }
        let mut properties = Vec::new();
        match obj.get("properties") {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (name, value) in map {
                    properties.push((name.clone(), self.property(value, depth)?));
                }
            }
            Some(_) => return Err(err("endpoint `properties` must be an object")),
        }
        Ok(EndpointDef {
            url,
            headers,
            properties,
        })
    }

    /// A property value: literals only (strings may be templates), arbitrarily nested.
    fn property(&mut self, v: &Json, depth: usize) -> Result<Expr, EndpointError> {
        if depth > MAX_DEPTH {
            return Err(err("endpoint property nested too deeply"));
        }
        Ok(match v {
            Json::Object(map) => Expr::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.property(v, depth + 1)?)))
                    .collect::<Result<_, EndpointError>>()?,
            ),
            Json::Array(items) => Expr::Array(
                items
                    .iter()
                    .map(|v| self.property(v, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            other => self.scalar(other)?,
        })
    }

    fn scalar(&mut self, v: &Json) -> Result<Expr, EndpointError> {
        match v {
            Json::String(s) => Ok(Expr::Str(self.template(s)?)),
            Json::Bool(b) => Ok(Expr::Bool(*b)),
            Json::Number(n) => n
                .as_i64()
                .map(Expr::Int)
                .ok_or_else(|| err(format!("unsupported number literal {n}"))),
            Json::Null => Err(err("unexpected null")),
            Json::Array(_) | Json::Object(_) => Err(err("expected a scalar")),
        }
    }

    /// A function argument, URL, header value or error message.
    fn expr(&mut self, v: &Json, depth: usize) -> Result<Expr, EndpointError> {
        if depth > MAX_DEPTH {
            return Err(err("expression nested too deeply"));
        }
        match v {
            Json::Array(items) => Ok(Expr::Array(
                items
                    .iter()
                    .map(|i| self.expr(i, depth + 1))
                    .collect::<Result<_, _>>()?,
            )),
            Json::Object(obj) => {
                if let Some(r) = obj.get("ref") {
                    let name = r.as_str().ok_or_else(|| err("`ref` must be a string"))?;
                    return Ok(Expr::Ref(self.lookup(name)?));
                }
                let name = obj
                    .get("fn")
                    .and_then(Json::as_str)
                    .ok_or_else(|| err("expected a `ref` or `fn` object"))?;
                let argv = obj
                    .get("argv")
                    .and_then(Json::as_array)
                    .ok_or_else(|| err(format!("function `{name}` without an `argv` array")))?;
                if name == "getAttr" {
                    let [target, path] = argv.as_slice() else {
                        return Err(err("`getAttr` takes 2 arguments"));
                    };
                    let path = path
                        .as_str()
                        .ok_or_else(|| err("`getAttr` path must be a string literal"))?;
                    return Ok(Expr::GetAttr(
                        Box::new(self.expr(target, depth + 1)?),
                        parse_path(path)?,
                    ));
                }
                let func = Func::from_name(name)
                    .ok_or_else(|| err(format!("unsupported function `{name}`")))?;
                if !func.arity_ok(argv.len()) {
                    return Err(err(format!(
                        "`{name}` called with {} arguments",
                        argv.len()
                    )));
                }
                let args = argv
                    .iter()
                    .map(|a| self.expr(a, depth + 1))
                    .collect::<Result<_, _>>()?;
                Ok(Expr::Call(func, args))
            }
            other => self.scalar(other),
        }
    }

    /// Splits a template string: `{name}` and `{name#path}` are placeholders, `{{` and `}}`
    /// are literal braces (a lone `}` is kept literally).
    fn template(&mut self, s: &str) -> Result<Template, EndpointError> {
        if !s.contains(['{', '}']) {
            return Ok(Template::Plain(s.to_owned()));
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(['{', '}']) {
            let (before, from) = rest
                .split_at_checked(i)
                .ok_or_else(|| err("bad template"))?;
            lit.push_str(before);
            if let Some(after) = from.strip_prefix("{{") {
                lit.push('{');
                rest = after;
            } else if let Some(after) = from.strip_prefix("}}") {
                lit.push('}');
                rest = after;
            } else if let Some(after) = from.strip_prefix('{') {
                let (inner, after) = after
                    .split_once('}')
                    .ok_or_else(|| err(format!("unterminated placeholder in template `{s}`")))?;
                if !lit.is_empty() {
                    parts.push(TemplatePart::Lit(std::mem::take(&mut lit)));
                }
                parts.push(TemplatePart::Expr(self.placeholder(inner)?));
                rest = after;
            } else {
                // A lone `}`.
                lit.push('}');
                rest = from.get(1..).unwrap_or("");
            }
        }
        lit.push_str(rest);
        if parts.is_empty() {
            return Ok(Template::Plain(lit));
        }
        if !lit.is_empty() {
            parts.push(TemplatePart::Lit(lit));
        }
        Ok(Template::Parts(parts))
    }

    fn placeholder(&self, inner: &str) -> Result<Expr, EndpointError> {
        match inner.split_once('#') {
            Some((name, path)) => Ok(Expr::GetAttr(
                Box::new(Expr::Ref(self.lookup(name.trim())?)),
                parse_path(path)?,
            )),
            None => Ok(Expr::Ref(self.lookup(inner.trim())?)),
        }
    }
}

/// Parses a `getAttr` path such as `resourceId[2]` or `a.b`.
fn parse_path(path: &str) -> Result<Vec<PathPart>, EndpointError> {
    let mut parts = Vec::new();
    for component in path.split('.') {
        match component.split_once('[') {
            Some((key, index)) => {
                if !key.is_empty() {
                    parts.push(PathPart::Key(key.to_owned()));
                }
                let index = index
                    .strip_suffix(']')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| err(format!("invalid index in `getAttr` path `{path}`")))?;
                parts.push(PathPart::Index(index));
            }
            None if component.is_empty() => {
                return Err(err(format!("empty component in `getAttr` path `{path}`")));
            }
            None => parts.push(PathPart::Key(component.to_owned())),
        }
    }
    if parts.len() > MAX_PATH_PARTS {
        return Err(err(format!("`getAttr` path `{path}` is too long")));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser() -> Parser {
        let mut p = Parser {
            slots: HashMap::new(),
            slot_count: 0,
        };
        p.declare("Region");
        p.declare("P");
        p
    }

    #[test]
    fn templates() {
        let mut p = parser();
        assert!(matches!(p.template("plain").unwrap(), Template::Plain(s) if s == "plain"));
        assert!(matches!(p.template("a{{b}}c}").unwrap(), Template::Plain(s) if s == "a{b}c}"));
        let Template::Parts(parts) = p.template("https://x.{Region}.{P#dnsSuffix}/{{").unwrap()
        else {
            panic!("expected parts")
        };
        assert_eq!(parts.len(), 5);
        assert!(matches!(&parts[0], TemplatePart::Lit(s) if s == "https://x."));
        assert!(matches!(&parts[1], TemplatePart::Expr(Expr::Ref(0))));
        assert!(
            matches!(&parts[3], TemplatePart::Expr(Expr::GetAttr(t, path))
            if matches!(**t, Expr::Ref(1)) && matches!(path.as_slice(), [PathPart::Key(k)] if k == "dnsSuffix"))
        );
        assert!(matches!(&parts[4], TemplatePart::Lit(s) if s == "/{"));
        assert!(p.template("{Region").is_err());
        assert!(p.template("{Nope}").is_err());
    }

    #[test]
    fn paths() {
        let parts = parse_path("a.b[3]").unwrap();
        assert!(matches!(parts.as_slice(),
            [PathPart::Key(a), PathPart::Key(b), PathPart::Index(3)] if a == "a" && b == "b"));
        assert!(matches!(
            parse_path("[0]").unwrap().as_slice(),
            [PathPart::Index(0)]
        ));
        assert!(parse_path("a[-1]").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a[1").is_err());
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a.".repeat(40).trim_end_matches('.')).is_err());
    }
}
