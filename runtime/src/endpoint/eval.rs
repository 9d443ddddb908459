//! Evaluating a parsed rule set against parameter values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::partitions::{self, Partition};
use super::rules::{
    Condition, EndpointDef, Expr, Func, PathPart, Rule, RuleKind, Template, TemplatePart,
};
use super::{Endpoint, EndpointError, Value, arn, functions, url};

/// A value during evaluation. Strings borrow from the rule set or the parameters when they
/// can; `None` (an `Option<Val>`) is the rules engine's unset value.
#[derive(Clone, Debug)]
pub(crate) enum Val<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Array(Vec<Val<'a>>),
    Record(Vec<(Cow<'a, str>, Val<'a>)>),
    /// The result of `aws.partition`: the table entry and whether it was inferred.
    Partition(&'static Partition, bool),
}

impl Val<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Bool(_) => "a boolean",
            Val::Int(_) => "an integer",
            Val::Array(_) => "an array",
            Val::Record(_) | Val::Partition(..) => "an object",
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Val::Str(s) => Json::String(s.to_string()),
            Val::Bool(b) => Json::Bool(*b),
            Val::Int(i) => Json::from(*i),
            Val::Array(items) => Json::Array(items.iter().map(Val::to_json).collect()),
            Val::Record(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Val::Partition(p, inferred) => Json::Object(
                PARTITION_ATTRS
                    .iter()
                    .filter_map(|k| {
                        partition_attr(p, *inferred, k).map(|v| ((*k).to_owned(), v.to_json()))
                    })
                    .collect(),
            ),
        }
    }
}

const PARTITION_ATTRS: [&str; 7] = [
    "name",
    "dnsSuffix",
    "dualStackDnsSuffix",
    "supportsFIPS",
    "supportsDualStack",
    "implicitGlobalRegion",
    "inferred",
];

fn partition_attr(p: &'static Partition, inferred: bool, key: &str) -> Option<Val<'static>> {
    let s = |s: &'static str| Some(Val::Str(Cow::Borrowed(s)));
    match key {
        "name" => s(p.name),
        "dnsSuffix" => s(p.dns_suffix),
        "dualStackDnsSuffix" => s(p.dual_stack_dns_suffix),
        "supportsFIPS" => Some(Val::Bool(p.supports_fips)),
        "supportsDualStack" => Some(Val::Bool(p.supports_dual_stack)),
        "implicitGlobalRegion" => s(p.implicit_global_region),
        "inferred" => Some(Val::Bool(inferred)),
        _ => None,
    }
}

/// Converts a parameter value for evaluation, borrowing its strings.
pub(crate) fn param_val(v: &Value) -> Val<'_> {
    match v {
        Value::String(s) => Val::Str(Cow::Borrowed(s)),
        Value::Bool(b) => Val::Bool(*b),
        Value::StringArray(items) => {
            Val::Array(items.iter().map(|s| Val::Str(Cow::Borrowed(s))).collect())
        }
    }
}

fn type_error(func: &str, expected: &str, got: &Val<'_>) -> EndpointError {
    EndpointError::new(format!(
        "endpoint rules type error: `{func}` expected {expected}, got {}",
        got.kind()
    ))
}

type Res<T> = Result<T, EndpointError>;

/// The variable slots of one evaluation, with an undo log so variables assigned by a rule's
/// conditions go out of scope when the rule ends.
pub(crate) struct Evaluator<'a> {
    slots: Vec<Option<Val<'a>>>,
    undo: Vec<(usize, Option<Val<'a>>)>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator whose first slots hold the bound parameters.
    pub(crate) fn new(mut params: Vec<Option<Val<'a>>>, slot_count: usize) -> Self {
        params.resize(slot_count.max(params.len()), None);
        Evaluator {
            slots: params,
            undo: Vec::new(),
        }
    }

    /// Evaluates `rules` in order: the first rule whose conditions hold decides. `Ok(None)`
    /// when no rule matched.
    pub(crate) fn rules(&mut self, rules: &'a [Rule]) -> Res<Option<Endpoint>> {
        for rule in rules {
            let mark = self.undo.len();
            let result = self.rule(rule);
            self.restore(mark);
            if let Some(endpoint) = result? {
                return Ok(Some(endpoint));
            }
        }
        Ok(None)
    }

    fn restore(&mut self, mark: usize) {
        while self.undo.len() > mark {
            if let Some((slot, old)) = self.undo.pop()
                && let Some(s) = self.slots.get_mut(slot)
            {
                *s = old;
            }
        }
    }

    fn rule(&mut self, rule: &'a Rule) -> Res<Option<Endpoint>> {
        if !self.conditions(&rule.conditions)? {
            return Ok(None);
        }
        match &rule.kind {
            RuleKind::Endpoint(def) => self.endpoint(def).map(Some),
            RuleKind::Error(message) => {
                Err(EndpointError::new(self.string(message, "error message")?))
            }
            RuleKind::Tree(rules) => match self.rules(rules)? {
                Some(endpoint) => Ok(Some(endpoint)),
                None => Err(EndpointError::new(
                    "endpoint rules exhausted: no rule of a matching tree rule matched these parameters",
                )),
            },
        }
    }

    fn conditions(&mut self, conditions: &'a [Condition]) -> Res<bool> {
        for c in conditions {
            let v = self.eval(&c.expr)?;
            if matches!(v, None | Some(Val::Bool(false))) {
                return Ok(false);
            }
            if let Some(slot) = c.assign
                && let Some(s) = self.slots.get_mut(slot)
            {
                let old = std::mem::replace(s, v);
                self.undo.push((slot, old));
            }
        }
        Ok(true)
    }

    fn endpoint(&self, def: &'a EndpointDef) -> Res<Endpoint> {
        let url = self.string(&def.url, "endpoint url")?;
        let mut headers = BTreeMap::new();
        for (name, values) in &def.headers {
            let values = values
                .iter()
                .map(|v| self.string(v, "header value"))
                .collect::<Res<Vec<_>>>()?;
            headers.insert(name.clone(), values);
        }
        let mut properties = serde_json::Map::new();
        for (name, value) in &def.properties {
            let v = self.eval(value)?.ok_or_else(|| {
                EndpointError::new(format!("endpoint property `{name}` has no value"))
            })?;
            properties.insert(name.clone(), v.to_json());
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    /// Evaluates an expression that must produce a string (URL, header, error message).
    fn string(&self, expr: &'a Expr, what: &str) -> Res<String> {
        match self.eval(expr)? {
            Some(Val::Str(s)) => Ok(s.into_owned()),
            Some(other) => Err(EndpointError::new(format!(
                "endpoint rules type error: {what} evaluated to {}",
                other.kind()
            ))),
            None => Err(EndpointError::new(format!(
                "endpoint rules error: {what} has no value"
            ))),
        }
    }

    fn eval(&self, expr: &'a Expr) -> Res<Option<Val<'a>>> {
        match expr {
            Expr::Str(t) => self.template(t).map(Some),
            Expr::Bool(b) => Ok(Some(Val::Bool(*b))),
            Expr::Int(i) => Ok(Some(Val::Int(*i))),
            Expr::Ref(slot) => Ok(self.slots.get(*slot).cloned().flatten()),
            Expr::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.required(item, "array element")?);
                }
                Ok(Some(Val::Array(out)))
            }
            Expr::Object(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for (k, v) in fields {
                    out.push((Cow::Borrowed(k.as_str()), self.required(v, "object field")?));
                }
                Ok(Some(Val::Record(out)))
            }
            Expr::GetAttr(target, path) => match &**target {
                // Navigate a variable in place; clone only what the path selects.
                Expr::Ref(slot) => match self.slots.get(*slot) {
                    Some(Some(v)) => get_path(v, path),
                    _ => Ok(None),
                },
                other => match self.eval(other)? {
                    Some(v) => get_path(&v, path),
                    None => Ok(None),
                },
            },
            Expr::Call(func, args) => self.call(*func, args),
        }
    }

    fn required(&self, expr: &'a Expr, what: &str) -> Res<Val<'a>> {
        self.eval(expr)?
            .ok_or_else(|| EndpointError::new(format!("endpoint rules error: {what} has no value")))
    }

    fn template(&self, t: &'a Template) -> Res<Val<'a>> {
        let parts = match t {
            Template::Plain(s) => return Ok(Val::Str(Cow::Borrowed(s))),
            Template::Parts(parts) => parts,
        };
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Lit(s) => out.push_str(s),
                TemplatePart::Expr(e) => match self.eval(e)? {
                    Some(Val::Str(s)) => out.push_str(&s),
                    Some(Val::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
                    Some(Val::Int(i)) => out.push_str(&i.to_string()),
                    Some(other) => {
                        return Err(EndpointError::new(format!(
                            "endpoint rules type error: template placeholder evaluated to {}",
                            other.kind()
                        )));
                    }
                    None => {
                        return Err(EndpointError::new(
                            "endpoint rules error: template placeholder refers to an unset value",
                        ));
                    }
                },
            }
        }
        Ok(Val::Str(Cow::Owned(out)))
    }

    /// A string argument; `Ok(None)` when unset.
    fn str_arg(&self, func: Func, e: &'a Expr) -> Res<Option<Cow<'a, str>>> {
        match self.eval(e)? {
            None => Ok(None),
            Some(Val::Str(s)) => Ok(Some(s)),
            Some(other) => Err(type_error(func.name(), "a string", &other)),
        }
    }

    fn bool_arg(&self, func: Func, e: &'a Expr) -> Res<Option<bool>> {
        match self.eval(e)? {
            None => Ok(None),
            Some(Val::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(type_error(func.name(), "a boolean", &other)),
        }
    }

    fn int_arg(&self, func: Func, e: &'a Expr) -> Res<Option<i64>> {
        match self.eval(e)? {
            None => Ok(None),
            Some(Val::Int(i)) => Ok(Some(i)),
            Some(other) => Err(type_error(func.name(), "an integer", &other)),
        }
    }

    /// Calls a library function. Functions other than `isSet` and `coalesce` propagate an
    /// unset argument as an unset result (so a condition using one simply does not match).
    fn call(&self, func: Func, args: &'a [Expr]) -> Res<Option<Val<'a>>> {
        macro_rules! arg {
            ($kind:ident, $e:expr) => {
                match self.$kind(func, $e)? {
                    Some(v) => v,
                    None => return Ok(None),
                }
            };
        }
        let bool_val = |b: bool| Ok(Some(Val::Bool(b)));
        match (func, args) {
            (Func::IsSet, [a]) => bool_val(self.eval(a)?.is_some()),
            (Func::Not, [a]) => bool_val(!arg!(bool_arg, a)),
            (Func::BooleanEquals, [a, b]) => {
                let a = arg!(bool_arg, a);
                bool_val(a == arg!(bool_arg, b))
            }
            (Func::StringEquals, [a, b]) => {
                let a = arg!(str_arg, a);
                bool_val(a == arg!(str_arg, b))
            }
            (Func::Substring, [s, start, stop, reverse]) => {
                let s = arg!(str_arg, s);
                let (start, stop) = (arg!(int_arg, start), arg!(int_arg, stop));
                let reverse = arg!(bool_arg, reverse);
                Ok(match s {
                    Cow::Borrowed(b) => functions::substring(b, start, stop, reverse)
                        .map(|x| Val::Str(Cow::Borrowed(x))),
                    Cow::Owned(o) => functions::substring(&o, start, stop, reverse)
                        .map(|x| Val::Str(Cow::Owned(x.to_owned()))),
                })
            }
            (Func::UriEncode, [s]) => Ok(Some(Val::Str(Cow::Owned(functions::uri_encode(&arg!(
                str_arg, s
            )))))),
            (Func::ParseUrl, [s]) => Ok(url::parse_url(&arg!(str_arg, s)).map(|u| {
                Val::Record(vec![
                    (Cow::Borrowed("scheme"), Val::Str(Cow::Owned(u.scheme))),
                    (
                        Cow::Borrowed("authority"),
                        Val::Str(Cow::Owned(u.authority)),
                    ),
                    (Cow::Borrowed("path"), Val::Str(Cow::Owned(u.path))),
                    (
                        Cow::Borrowed("normalizedPath"),
                        Val::Str(Cow::Owned(u.normalized_path)),
                    ),
                    (Cow::Borrowed("isIp"), Val::Bool(u.is_ip)),
                ])
            })),
            (Func::IsValidHostLabel, [s, sub]) => {
                let s = arg!(str_arg, s);
                bool_val(functions::is_valid_host_label(&s, arg!(bool_arg, sub)))
            }
            (Func::IsVirtualHostableS3Bucket, [s, sub]) => {
                let s = arg!(str_arg, s);
                bool_val(functions::is_virtual_hostable_s3_bucket(
                    &s,
                    arg!(bool_arg, sub),
                ))
            }
            (Func::Partition, [region]) => {
                let (p, inferred) = partitions::partition_for(&arg!(str_arg, region));
                Ok(Some(Val::Partition(p, inferred)))
            }
            (Func::ParseArn, [s]) => {
                let s = arg!(str_arg, s);
                let owned = |x: &str| Val::Str(Cow::Owned(x.to_owned()));
                Ok(arn::parse_arn(&s).map(|a| {
                    Val::Record(vec![
                        (Cow::Borrowed("partition"), owned(a.partition)),
                        (Cow::Borrowed("service"), owned(a.service)),
                        (Cow::Borrowed("region"), owned(a.region)),
                        (Cow::Borrowed("accountId"), owned(a.account_id)),
                        (
                            Cow::Borrowed("resourceId"),
                            Val::Array(a.resource_id.iter().map(|r| owned(r)).collect()),
                        ),
                    ])
                }))
            }
            (Func::Coalesce, args) => {
                for a in args {
                    if let Some(v) = self.eval(a)? {
                        return Ok(Some(v));
                    }
                }
                Ok(None)
            }
            (Func::Ite, [cond, then, otherwise]) => {
                if arg!(bool_arg, cond) {
                    self.eval(then)
                } else {
                    self.eval(otherwise)
                }
            }
            (Func::Split, [s, delimiter, limit]) => {
                let s = arg!(str_arg, s);
                let delimiter = arg!(str_arg, delimiter);
                let limit = arg!(int_arg, limit);
                Ok(functions::split(&s, &delimiter, limit).map(|parts| {
                    Val::Array(
                        parts
                            .into_iter()
                            .map(|p| Val::Str(Cow::Owned(p.to_owned())))
                            .collect(),
                    )
                }))
            }
            (func, args) => Err(EndpointError::new(format!(
                "endpoint rules error: `{}` called with {} arguments",
                func.name(),
                args.len()
            ))),
        }
    }
}

/// Follows a `getAttr` path. A missing array index is unset; a missing record field or a
/// path step that does not fit the value is a type error.
fn get_path<'a>(v: &Val<'a>, path: &[PathPart]) -> Res<Option<Val<'a>>> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(Some(v.clone()));
    };
    match (v, first) {
        (Val::Record(fields), PathPart::Key(k)) => {
            match fields.iter().find(|(name, _)| name == k) {
                Some((_, field)) => get_path(field, rest),
                None => Err(EndpointError::new(format!(
                    "endpoint rules error: `getAttr`: no attribute `{k}`"
                ))),
            }
        }
        (Val::Partition(p, inferred), PathPart::Key(k)) => match partition_attr(p, *inferred, k) {
            Some(field) => get_path(&field, rest),
            None => Err(EndpointError::new(format!(
                "endpoint rules error: `getAttr`: partitions have no attribute `{k}`"
            ))),
        },
        (Val::Array(items), PathPart::Index(i)) => match items.get(*i) {
            Some(item) => get_path(item, rest),
            None => Ok(None),
        },
        (other, PathPart::Key(_)) => Err(type_error("getAttr", "an object", other)),
        (other, PathPart::Index(_)) => Err(type_error("getAttr", "an array", other)),
    }
}
