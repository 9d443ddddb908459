//! Semantic checks: trait values as written, and the merged, flattened model.
//!
//! Every check reports and carries on, so one run lists every problem. Each diagnostic has the
//! span of the offending value, the shape or member id, a one-line message and a help line.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

use super::loader::{Body, LMember, LShape, Ref};
use super::{Diagnostic, Node, NodeValue, ShapeId, ShapeKind, Span, prelude};

/// `a string`, `an operation`: the type name with its indefinite article.
pub(crate) fn article(type_name: &str) -> String {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

/// Edit distance between two strings, compared case-insensitively.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(cost);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        let d = distance(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Builds "did you mean" help for unknown shape ids, with a budget so that a model full of
/// broken references stays fast.
#[derive(Default)]
pub(crate) struct Suggester {
    ids: Option<Vec<String>>,
    spent: usize,
}

const SUGGESTION_BUDGET: usize = 200;

impl Suggester {
    /// Help text for a reference to `missing`, which is not in `shapes`.
    pub(crate) fn unknown_shape_help(
        &mut self,
        missing: &ShapeId,
        shapes: &BTreeMap<ShapeId, LShape>,
    ) -> String {
        const GENERIC: &str = "define the shape, or correct the id (shape ids are absolute and case-sensitive: `namespace#Name`)";
        if self.spent >= SUGGESTION_BUDGET {
            return GENERIC.to_string();
        }
        self.spent += 1;
        let ids = self
            .ids
            .get_or_insert_with(|| shapes.keys().map(ShapeId::to_string).collect());
        let text = missing.to_string();
        let close = suggest(&text, ids.iter().map(String::as_str)).or_else(|| {
            // Same name in another namespace (e.g. `com.example#String` for `smithy.api#String`).
            shapes
                .keys()
                .find(|id| id.name().eq_ignore_ascii_case(missing.name()))
                .map(ShapeId::to_string)
        });
        match close {
            Some(c) => format!("did you mean `{c}`?"),
            None => GENERIC.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Trait values
// ---------------------------------------------------------------------------------------------

/// Traits that take an empty object.
const ANNOTATIONS: &[&str] = &[
    "addedDefault",
    "box",
    "clientOptional",
    "enumDefault",
    "eventHeader",
    "eventPayload",
    "hostLabel",
    "httpBasicAuth",
    "httpBearerAuth",
    "httpChecksumRequired",
    "httpDigestAuth",
    "httpLabel",
    "httpPayload",
    "httpQueryParams",
    "httpResponseCode",
    "idempotencyToken",
    "idempotent",
    "input",
    "internal",
    "nestedProperties",
    "noReplace",
    "notProperty",
    "optionalAuth",
    "output",
    "private",
    "readonly",
    "required",
    "requiresLength",
    "sensitive",
    "sparse",
    "streaming",
    "uniqueItems",
    "unitType",
    "unstable",
    "xmlAttribute",
    "xmlFlattened",
];

/// Traits whose value is a string.
const STRINGS: &[&str] = &[
    "documentation",
    "httpPrefixHeaders",
    "jsonName",
    "mediaType",
    "pattern",
    "resourceIdentifier",
    "since",
    "title",
    "xmlName",
];

/// Traits whose value is a non-empty string.
const NON_EMPTY_STRINGS: &[&str] = &["httpHeader", "httpQuery"];

struct TraitCx<'a> {
    trait_id: &'a ShapeId,
    owner: &'a dyn fmt::Display,
    diags: &'a mut Vec<Diagnostic>,
}

impl TraitCx<'_> {
    fn error(&mut self, span: &Span, message: impl fmt::Display, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::error(format!("trait `{}`: {message}", self.trait_id))
                .at(span)
                .shape(self.owner)
                .help(help),
        );
    }

    fn warning(&mut self, span: &Span, message: impl fmt::Display, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::warning(format!("trait `{}`: {message}", self.trait_id))
                .at(span)
                .shape(self.owner)
                .help(help),
        );
    }

    fn expect_string<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        match node.as_str() {
            Some(s) => Some(s),
            None => {
                self.error(
                    &node.span,
                    format!("{what} must be a string, found {}", kind(node)),
                    format!("write {what} as a JSON string"),
                );
                None
            }
        }
    }

    /// Checks an object and its property names; returns the entries.
    fn expect_object<'n>(
        &mut self,
        node: &'n Node,
        allowed: &[&str],
        example: &str,
    ) -> Option<&'n [(String, Node)]> {
        let Some(entries) = node.as_object() else {
            self.error(
                &node.span,
                format!("value must be an object, found {}", kind(node)),
                format!("write the value as an object, e.g. {example}"),
            );
            return None;
        };
        for (key, value) in entries {
            if !allowed.contains(&key.as_str()) {
                let help = if allowed.is_empty() {
                    format!("this trait takes no properties; write {example}")
                } else {
                    let hint = suggest(key, allowed.iter().copied())
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    format!("{hint}valid properties: {}", allowed.join(", "))
                };
                // Smithy's node validation reports members a structure does not define as
                // warnings (NodeValidationVisitor), not errors: the value is still usable.
                self.warning(&value.span, format!("unknown property `{key}`"), help);
            }
        }
        Some(entries)
    }

    fn optional_strings(&mut self, node: &Node, props: &[&str], example: &str) {
        if let Some(entries) = self.expect_object(node, props, example) {
            for (key, value) in entries {
                self.expect_string(value, &format!("`{key}`"));
            }
        }
    }

    fn string_array(&mut self, node: &Node) {
        match node.as_array() {
            Some(items) => {
                for item in items {
                    self.expect_string(item, "each element");
                }
            }
            None => self.error(
                &node.span,
                format!("value must be an array of strings, found {}", kind(node)),
                "write the value as [\"a\", \"b\"]",
            ),
        }
    }

    fn integer_in(&mut self, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
        let value = node
            .as_number()
            .filter(|n| n.is_integer())
            .and_then(|n| n.as_i64());
        match value {
            Some(v) if (min..=max).contains(&v) => Some(v),
            _ => {
                self.error(
                    &node.span,
                    format!(
                        "{what} must be an integer from {min} to {max}, found {}",
                        show(node)
                    ),
                    format!("write {what} as an integer between {min} and {max}"),
                );
                None
            }
        }
    }
}

fn kind(node: &Node) -> &'static str {
    match node.value {
        NodeValue::Null => "null",
        NodeValue::Bool(_) => "a boolean",
        NodeValue::Number(_) => "a number",
        NodeValue::String(_) => "a string",
        NodeValue::Array(_) => "an array",
        NodeValue::Object(_) => "an object",
    }
}

/// A short rendering of a scalar for messages.
fn show(node: &Node) -> String {
    match &node.value {
        NodeValue::Number(n) => n.as_text().to_string(),
        NodeValue::String(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        NodeValue::Bool(b) => b.to_string(),
        _ => kind(node).to_string(),
    }
}

/// Checks one trait as written: its id must be known if in `smithy.api`, and its value must
/// have the right shape for the prelude traits the generator relies on.
pub(crate) fn check_trait(
    trait_id: &ShapeId,
    value: &Node,
    key_span: &Span,
    owner: &dyn fmt::Display,
    v1: bool,
    diags: &mut Vec<Diagnostic>,
) {
    if trait_id.namespace() != prelude::NAMESPACE {
        return;
    }
    let name = trait_id.name();
    if !prelude::is_prelude_trait(name) {
        let hint = suggest(name, prelude::TRAITS.iter().copied())
            .map(|s| format!("did you mean `smithy.api#{s}`? "))
            .unwrap_or_default();
        diags.push(
            Diagnostic::error(format!("unknown trait `{trait_id}`"))
                .at(key_span)
                .shape(owner)
                .help(format!(
                    "{hint}`smithy.api` has no such trait; custom traits live in your own namespace"
                )),
        );
        return;
    }
    let mut cx = TraitCx {
        trait_id,
        owner,
        diags,
    };
    if ANNOTATIONS.binary_search(&name).is_ok() {
        if value.as_bool() == Some(true) {
            cx.warning(
                &value.span,
                "annotation trait written as `true`",
                "write annotation traits as {}",
            );
        } else {
            cx.expect_object(value, &[], "{}");
        }
        if name == "box" && !v1 {
            cx.warning(
                &value.span,
                "the Smithy 1.0 `box` trait is ignored in Smithy 2.0 models",
                "remove it; use `smithy.api#default` / `smithy.api#required` to control optionality",
            );
        }
        return;
    }
    if STRINGS.binary_search(&name).is_ok() {
        cx.expect_string(value, "the value");
        return;
    }
    if NON_EMPTY_STRINGS.contains(&name) {
        if cx.expect_string(value, "the value") == Some("") {
            cx.error(
                &value.span,
                "value must not be empty",
                "give the name to bind to",
            );
        }
        return;
    }
    match name {
        "mixin" => {
            if let Some(entries) = cx.expect_object(value, &["localTraits"], "{}") {
                for (_, list) in entries {
                    match list.as_array() {
                        Some(items) => {
                            for item in items {
                                if let Some(s) = cx.expect_string(item, "each local trait")
                                    && s.parse::<ShapeId>().is_err()
                                {
                                    cx.error(
                                        &item.span,
                                        format!("`{s}` is not an absolute trait id"),
                                        "list trait ids such as \"smithy.api#private\"",
                                    );
                                }
                            }
                        }
                        None => cx.error(
                            &list.span,
                            "`localTraits` must be an array of trait ids",
                            "write [\"smithy.api#private\"]",
                        ),
                    }
                }
            }
        }
        "retryable" => {
            if let Some(entries) =
                cx.expect_object(value, &["throttling"], "{\"throttling\": true}")
            {
                for (_, v) in entries {
                    if v.as_bool().is_none() {
                        cx.error(
                            &v.span,
                            format!("`throttling` must be a boolean, found {}", kind(v)),
                            "write `throttling` as true or false",
                        );
                    }
                }
            }
        }
        "deprecated" => cx.optional_strings(value, &["message", "since"], "{\"message\": \"...\"}"),
        "recommended" => cx.optional_strings(value, &["reason"], "{\"reason\": \"...\"}"),
        "error" => {
            if let Some(s) = cx.expect_string(value, "the value")
                && s != "client"
                && s != "server"
            {
                cx.error(
                    &value.span,
                    format!("value must be \"client\" or \"server\", found \"{s}\""),
                    "use \"client\" for caller mistakes and \"server\" for service faults",
                );
            }
        }
        "httpError" => {
            cx.integer_in(value, "the status code", 100, 599);
        }
        "length" => {
            if let Some(entries) =
                cx.expect_object(value, &["min", "max"], "{\"min\": 1, \"max\": 128}")
            {
                let mut bounds = [None, None];
                for (key, v) in entries {
                    let n = v
                        .as_number()
                        .filter(|n| n.is_integer() && !n.as_text().starts_with('-'));
                    match n {
                        Some(n) => {
                            let slot = usize::from(key == "max");
                            if let Some(b) = bounds.get_mut(slot) {
                                *b = Some((n.as_text().parse::<u128>().unwrap_or(u128::MAX), v));
                            }
                        }
                        None => cx.error(
                            &v.span,
                            format!("`{key}` must be a non-negative integer, found {}", show(v)),
                            format!("write `{key}` as an integer >= 0"),
                        ),
                    }
                }
                if let [Some((min, _)), Some((max, max_node))] = bounds
                    && min > max
                {
                    cx.error(
                        &max_node.span,
                        format!("`min` ({min}) is greater than `max` ({max})"),
                        "make `min` less than or equal to `max`",
                    );
                }
            }
        }
        "range" => {
            if let Some(entries) =
                cx.expect_object(value, &["min", "max"], "{\"min\": 0, \"max\": 100}")
            {
                let mut bounds: [Option<(f64, &Node)>; 2] = [None, None];
                for (key, v) in entries {
                    match v.as_number().and_then(|n| n.as_f64()) {
                        Some(f) => {
                            let slot = usize::from(key == "max");
                            if let Some(b) = bounds.get_mut(slot) {
                                *b = Some((f, v));
                            }
                        }
                        None => cx.error(
                            &v.span,
                            format!("`{key}` must be a number, found {}", show(v)),
                            format!("write `{key}` as a JSON number"),
                        ),
                    }
                }
                if let [Some((min, min_node)), Some((max, max_node))] = bounds
                    && min > max
                {
                    cx.error(
                        &max_node.span,
                        format!(
                            "`min` ({}) is greater than `max` ({})",
                            show(min_node),
                            show(max_node)
                        ),
                        "make `min` less than or equal to `max`",
                    );
                }
            }
        }
        "enumValue" => match &value.value {
            NodeValue::String(_) => {}
            NodeValue::Number(n) if n.is_integer() && n.as_i64().is_some() => {}
            _ => cx.error(
                &value.span,
                format!(
                    "value must be a string or an integer, found {}",
                    show(value)
                ),
                "use a string for `enum` members and an integer for `intEnum` members",
            ),
        },
        "enum" => check_enum_trait(&mut cx, value),
        "http" => {
            if let Some(entries) = cx.expect_object(
                value,
                &["method", "uri", "code"],
                "{\"method\": \"GET\", \"uri\": \"/things/{id}\"}",
            ) {
                for required in ["method", "uri"] {
                    if !entries.iter().any(|(k, _)| k == required) {
                        cx.error(
                            &value.span,
                            format!("missing required property `{required}`"),
                            "the http trait needs `method` and `uri`, e.g. {\"method\": \"GET\", \"uri\": \"/things/{id}\"}",
                        );
                    }
                }
                for (key, v) in entries {
                    match key.as_str() {
                        "method" => {
                            if cx.expect_string(v, "`method`") == Some("") {
                                cx.error(
                                    &v.span,
                                    "`method` must not be empty",
                                    "write an HTTP method such as \"GET\"",
                                );
                            }
                        }
                        "uri" => {
                            if let Some(uri) = cx.expect_string(v, "`uri`")
                                && !uri.starts_with('/')
                            {
                                cx.error(
                                        &v.span,
                                        format!("`uri` must start with `/`, found \"{uri}\""),
                                        "write the path pattern starting with `/`, e.g. \"/things/{id}\"",
                                    );
                            }
                        }
                        _ => {
                            cx.integer_in(v, "`code`", 100, 999);
                        }
                    }
                }
            }
        }
        "timestampFormat" => {
            if let Some(s) = cx.expect_string(value, "the value")
                && !matches!(s, "date-time" | "epoch-seconds" | "http-date")
            {
                cx.error(
                    &value.span,
                    format!("unknown timestamp format \"{s}\""),
                    "use \"date-time\", \"epoch-seconds\" or \"http-date\"",
                );
            }
        }
        "paginated" => cx.optional_strings(
            value,
            &["inputToken", "outputToken", "items", "pageSize"],
            "{\"inputToken\": \"nextToken\", \"outputToken\": \"nextToken\"}",
        ),
        "endpoint" => {
            if let Some(entries) =
                cx.expect_object(value, &["hostPrefix"], "{\"hostPrefix\": \"{foo}.data.\"}")
            {
                match entries.iter().find(|(k, _)| k == "hostPrefix") {
                    Some((_, v)) => {
                        cx.expect_string(v, "`hostPrefix`");
                    }
                    None => cx.error(
                        &value.span,
                        "missing required property `hostPrefix`",
                        "write {\"hostPrefix\": \"{foo}.data.\"}",
                    ),
                }
            }
        }
        "tags" | "suppress" | "auth" => cx.string_array(value),
        "externalDocumentation" => match value.as_object() {
            Some(entries) => {
                for (key, v) in entries {
                    cx.expect_string(v, &format!("the link `{key}`"));
                }
            }
            None => cx.error(
                &value.span,
                format!("value must be an object of strings, found {}", kind(value)),
                "write {\"Homepage\": \"https://example.com\"}",
            ),
        },
        // `default` takes any value; the remaining prelude traits are not used by the
        // generator and are accepted as written.
        _ => {}
    }
}

fn check_enum_trait(cx: &mut TraitCx<'_>, value: &Node) {
    let Some(entries) = value.as_array() else {
        cx.error(
            &value.span,
            format!(
                "value must be an array of enum definitions, found {}",
                kind(value)
            ),
            "write [{\"value\": \"a\", \"name\": \"A\"}, ...], or better, use an `enum` shape",
        );
        return;
    };
    if entries.is_empty() {
        cx.error(
            &value.span,
            "the list of values is empty",
            "list at least one {\"value\": ...}",
        );
    }
    for entry in entries {
        let Some(props) = cx.expect_object(
            entry,
            &["value", "name", "documentation", "tags", "deprecated"],
            "{\"value\": \"a\", \"name\": \"A\"}",
        ) else {
            continue;
        };
        if !props.iter().any(|(k, _)| k == "value") {
            cx.error(
                &entry.span,
                "enum definition has no `value`",
                "give every enum definition a string `value`",
            );
        }
        for (key, v) in props {
            match key.as_str() {
                "value" => {
                    if cx.expect_string(v, "`value`") == Some("") {
                        cx.error(
                            &v.span,
                            "`value` must not be empty",
                            "give the enum value text",
                        );
                    }
                }
                "name" => {
                    if let Some(n) = cx.expect_string(v, "`name`") {
                        let valid = n
                            .trim_start_matches('_')
                            .starts_with(|c: char| c.is_ascii_alphabetic())
                            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                        if !valid {
                            cx.error(
                                &v.span,
                                format!("`name` \"{n}\" is not a valid enum name"),
                                "names match ^[a-zA-Z_]+[a-zA-Z_0-9]*$",
                            );
                        }
                    }
                }
                "documentation" => {
                    cx.expect_string(v, "`documentation`");
                }
                "tags" => cx.string_array(v),
                _ => {
                    if v.as_bool().is_none() {
                        cx.error(
                            &v.span,
                            format!("`deprecated` must be a boolean, found {}", kind(v)),
                            "write true or false",
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Model checks
// ---------------------------------------------------------------------------------------------

struct ModelCx<'a> {
    shapes: &'a BTreeMap<ShapeId, LShape>,
    suggester: &'a mut Suggester,
    diags: &'a mut Vec<Diagnostic>,
}

fn is_mixin(shape: &LShape) -> bool {
    shape
        .traits
        .iter()
        .any(|(id, _)| id.namespace() == prelude::NAMESPACE && id.name() == "mixin")
}

fn has_trait(traits: &super::Traits, name: &str) -> bool {
    traits
        .iter()
        .any(|(id, _)| id.namespace() == prelude::NAMESPACE && id.name() == name)
}

impl<'a> ModelCx<'a> {
    /// Resolves a reference, reporting unknown shapes.
    fn resolve(&mut self, r: &Ref, owner: &dyn fmt::Display, what: &str) -> Option<&'a LShape> {
        let shapes: &'a BTreeMap<ShapeId, LShape> = self.shapes;
        match shapes.get(&r.id) {
            Some(s) => Some(s),
            None => {
                let help = self.suggester.unknown_shape_help(&r.id, self.shapes);
                self.diags.push(
                    Diagnostic::error(format!("{what} targets unknown shape `{}`", r.id))
                        .at(&r.span)
                        .shape(owner)
                        .help(help),
                );
                None
            }
        }
    }

    fn error(
        &mut self,
        span: &Span,
        owner: &dyn fmt::Display,
        message: String,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(message).at(span).shape(owner).help(help));
    }

    /// A reference that must be a structure (operation input/output), not a mixin.
    fn expect_structure(&mut self, r: &Ref, owner: &ShapeId, what: &str, error_trait: bool) {
        let Some(target) = self.resolve(r, owner, what) else {
            return;
        };
        if !matches!(target.body, Body::Structure(_)) {
            self.error(
                &r.span,
                owner,
                format!(
                    "{what} `{}` is {}, expected a structure",
                    r.id,
                    article(target.body.type_name())
                ),
                format!("{what} must target a structure shape"),
            );
        } else if is_mixin(target) {
            self.error(
                &r.span,
                owner,
                format!("{what} `{}` is a mixin", r.id),
                "mixins can only be mixed into other shapes; target a structure that uses the mixin",
            );
        } else if error_trait && !has_trait(&target.traits, "error") {
            self.error(
                &r.span,
                owner,
                format!("{what} `{}` is not marked with `smithy.api#error`", r.id),
                format!(
                    "add \"smithy.api#error\": \"client\" (or \"server\") to the traits of `{}`",
                    r.id
                ),
            );
        }
    }

    fn expect_kind(&mut self, r: &Ref, owner: &ShapeId, what: &str, kind: &str) {
        let Some(target) = self.resolve(r, owner, what) else {
            return;
        };
        if target.body.type_name() != kind {
            self.error(
                &r.span,
                owner,
                format!(
                    "{what} `{}` is {}, expected {}",
                    r.id,
                    article(target.body.type_name()),
                    article(kind)
                ),
                format!("{what} must reference {kind} shapes"),
            );
        }
    }

    fn check_member_target(&mut self, shape: &LShape, member: &LMember) {
        if member.inherited {
            return;
        }
        let member_id = shape.id.with_member(member.name.clone());
        let Some(r) = &member.target else { return };
        if matches!(shape.body, Body::Enum(_) | Body::IntEnum(_)) {
            if r.id != super::loader::api("Unit") {
                self.error(
                    &r.span,
                    &member_id,
                    format!("enum member targets `{}`", r.id),
                    "enum and intEnum members target smithy.api#Unit; give the value with `smithy.api#enumValue`",
                );
            }
            return;
        }
        let Some(target) = self.resolve(r, &member_id, "member") else {
            return;
        };
        match &target.body {
            Body::Service(_) | Body::Operation(_) | Body::Resource(_) => self.error(
                &r.span,
                &member_id,
                format!("member targets `{}`, {} shape", r.id, article(target.body.type_name())),
                "members must target data shapes (simple types, lists, maps, structures, unions, enums)",
            ),
            _ if is_mixin(target) => self.error(
                &r.span,
                &member_id,
                format!("member targets mixin `{}`", r.id),
                "mixins cannot be targeted; target a shape that uses the mixin",
            ),
            _ => {}
        }
        if matches!(shape.body, Body::Map(..)) && member.name == "key" {
            let ok = matches!(target.body, Body::Simple(ShapeKind::String) | Body::Enum(_));
            if !ok {
                self.error(
                    &r.span,
                    &member_id,
                    format!(
                        "map key targets `{}`, {} shape",
                        r.id,
                        article(target.body.type_name())
                    ),
                    "map keys must target a string or enum shape",
                );
            }
        }
    }

    fn check_members(&mut self, shape: &LShape) {
        let members = shape.body.members();
        for m in &members {
            self.check_member_target(shape, m);
        }
        if !matches!(
            shape.body,
            Body::Structure(_) | Body::Union(_) | Body::Enum(_) | Body::IntEnum(_)
        ) {
            return;
        }
        // Case-insensitive name clashes.
        let mut seen: HashMap<String, &LMember> = HashMap::new();
        for m in &members {
            let key = m.name.to_ascii_lowercase();
            match seen.get(&key) {
                Some(first) if !(first.inherited && m.inherited) => {
                    let message = format!(
                        "member `{}` conflicts with member `{}` defined at {} (member names are compared case-insensitively)",
                        m.name, first.name, first.span
                    );
                    self.error(
                        &m.span,
                        &shape.id.with_member(m.name.clone()),
                        message,
                        "rename one of the members so the names differ by more than case",
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(key, m);
                }
            }
        }
        // Enum values.
        let is_int = matches!(shape.body, Body::IntEnum(_));
        if !matches!(shape.body, Body::Enum(_) | Body::IntEnum(_)) {
            return;
        }
        let mut values: HashMap<String, &LMember> = HashMap::new();
        for m in &members {
            let member_id = shape.id.with_member(m.name.clone());
            let value = m
                .traits
                .iter()
                .find(|(id, _)| id.namespace() == prelude::NAMESPACE && id.name() == "enumValue")
                .map(|(_, v)| v);
            let key = match (value, is_int) {
                (Some(v), false) => match v.as_str() {
                    Some("") if !m.inherited => {
                        self.error(
                            &v.span,
                            &member_id,
                            "enum value is empty".to_string(),
                            "give the member a non-empty `smithy.api#enumValue` string",
                        );
                        continue;
                    }
                    Some(s) => s.to_string(),
                    None => {
                        if !m.inherited {
                            self.error(
                                &v.span,
                                &member_id,
                                format!("enum value must be a string, found {}", kind(v)),
                                "`enum` members take string values; use an `intEnum` for integers",
                            );
                        }
                        continue;
                    }
                },
                (Some(v), true) => match v
                    .as_number()
                    .filter(|n| n.is_integer())
                    .and_then(|n| n.as_i64())
                {
                    Some(i) if i32::try_from(i).is_ok() => i.to_string(),
                    _ => {
                        if !m.inherited {
                            self.error(
                                &v.span,
                                &member_id,
                                format!(
                                    "intEnum value must be a 32-bit integer, found {}",
                                    show(v)
                                ),
                                "give the member an integer `smithy.api#enumValue`",
                            );
                        }
                        continue;
                    }
                },
                (None, true) => {
                    if !m.inherited {
                        self.error(
                            &m.span,
                            &member_id,
                            "intEnum member has no `smithy.api#enumValue`".to_string(),
                            "add \"traits\": {\"smithy.api#enumValue\": 1} with the member's integer value",
                        );
                    }
                    continue;
                }
                (None, false) => m.name.clone(),
            };
            match values.get(&key) {
                Some(first) if !(first.inherited && m.inherited) => {
                    let span = value.map_or(&m.span, |v| &v.span);
                    let message = format!(
                        "duplicate enum value `{key}`: member `{}` (at {}) has the same value",
                        first.name, first.span
                    );
                    self.error(
                        span,
                        &member_id,
                        message,
                        "every enum member needs a distinct value",
                    );
                }
                Some(_) => {}
                None => {
                    values.insert(key, m);
                }
            }
        }
    }

    /// Shape ids reachable from a service (operations, resources, errors, members' targets).
    fn closure(&self, service: &LShape) -> HashSet<ShapeId> {
        let mut seen: HashSet<ShapeId> = HashSet::new();
        let mut queue: VecDeque<&ShapeId> = VecDeque::new();
        seen.insert(service.id.clone());
        queue.push_back(&service.id);
        while let Some(id) = queue.pop_front() {
            let Some(shape) = self.shapes.get(id) else {
                continue;
            };
            let mut next: Vec<&ShapeId> = Vec::new();
            match &shape.body {
                Body::Service(s) => {
                    next.extend(
                        s.operations
                            .iter()
                            .chain(&s.resources)
                            .chain(&s.errors)
                            .map(|r| &r.id),
                    );
                }
                Body::Operation(o) => {
                    next.extend(
                        o.input
                            .iter()
                            .chain(&o.output)
                            .chain(&o.errors)
                            .map(|r| &r.id),
                    );
                }
                Body::Resource(r) => {
                    next.extend(
                        r.identifiers
                            .iter()
                            .chain(&r.properties)
                            .chain(&r.lifecycle)
                            .map(|(_, r)| &r.id),
                    );
                    next.extend(
                        r.operations
                            .iter()
                            .chain(&r.collection_operations)
                            .chain(&r.resources)
                            .map(|r| &r.id),
                    );
                }
                body => next.extend(
                    body.members()
                        .into_iter()
                        .filter_map(|m| m.target.as_ref().map(|r| &r.id)),
                ),
            }
            for n in next {
                if !seen.contains(n) {
                    seen.insert(n.clone());
                    queue.push_back(n);
                }
            }
        }
        seen
    }

    fn check_service(&mut self, shape: &LShape, service: &super::loader::LService) {
        let id = &shape.id;
        for r in &service.operations {
            self.expect_kind(r, id, "service operation", "operation");
        }
        for r in &service.resources {
            self.expect_kind(r, id, "service resource", "resource");
        }
        for r in &service.errors {
            self.expect_structure(r, id, "service error", true);
        }
        if is_mixin(shape) {
            return;
        }
        let closure = self.closure(shape);
        for (r, _, _) in &service.rename {
            if !closure.contains(&r.id) {
                self.error(
                    &r.span,
                    id,
                    format!("`rename` names `{}`, which is not in the service's closure", r.id),
                    "only shapes reachable from the service's operations and resources can be renamed; remove the entry",
                );
            }
        }
        // Shape names must be unique in the closure (case-insensitively) after renames.
        let renames: HashMap<&ShapeId, &str> = service
            .rename
            .iter()
            .map(|(r, n, _)| (&r.id, n.as_str()))
            .collect();
        let mut names: HashMap<String, &ShapeId> = HashMap::new();
        let mut sorted: Vec<&ShapeId> = closure.iter().filter(|i| !i.is_prelude()).collect();
        sorted.sort();
        for sid in sorted {
            let Some(s) = self.shapes.get(sid) else {
                continue;
            };
            if matches!(s.body, Body::Service(_)) {
                continue;
            }
            let name = renames.get(sid).copied().unwrap_or(sid.name());
            match names.get(&name.to_ascii_lowercase()) {
                Some(other) => {
                    let message = format!(
                        "shapes `{other}` and `{sid}` have the same name `{name}` in the closure of service `{id}`"
                    );
                    let help = format!("add a `rename` entry to service `{id}` for one of them");
                    self.diags.push(
                        Diagnostic::error(message)
                            .at_opt(s.span.as_ref().or(shape.span.as_ref()))
                            .shape(sid)
                            .help(help),
                    );
                }
                None => {
                    names.insert(name.to_ascii_lowercase(), sid);
                }
            }
        }
    }
}

/// Checks the merged, flattened and converted model.
pub(crate) fn check_model(
    shapes: &BTreeMap<ShapeId, LShape>,
    suggester: &mut Suggester,
    diags: &mut Vec<Diagnostic>,
) {
    let mut cx = ModelCx {
        shapes,
        suggester,
        diags,
    };
    for shape in shapes.values() {
        if shape.span.is_none() {
            continue;
        }
        cx.check_members(shape);
        let id = &shape.id;
        match &shape.body {
            Body::Operation(op) => {
                if let Some(r) = &op.input {
                    cx.expect_structure(r, id, "operation input", false);
                }
                if let Some(r) = &op.output {
                    cx.expect_structure(r, id, "operation output", false);
                }
                for r in &op.errors {
                    cx.expect_structure(r, id, "operation error", true);
                }
            }
            Body::Service(s) => cx.check_service(shape, s),
            Body::Resource(r) => {
                for (name, target) in &r.identifiers {
                    if let Some(t) = cx.resolve(target, id, &format!("identifier `{name}`"))
                        && !matches!(t.body, Body::Simple(ShapeKind::String) | Body::Enum(_))
                    {
                        cx.error(
                            &target.span,
                            id,
                            format!(
                                "identifier `{name}` targets `{}`, {} shape",
                                target.id,
                                article(t.body.type_name())
                            ),
                            "resource identifiers must target string or enum shapes",
                        );
                    }
                }
                for (name, target) in &r.properties {
                    cx.resolve(target, id, &format!("property `{name}`"));
                }
                for (name, target) in &r.lifecycle {
                    cx.expect_kind(target, id, &format!("`{name}`"), "operation");
                }
                for target in r.operations.iter().chain(&r.collection_operations) {
                    cx.expect_kind(target, id, "resource operation", "operation");
                }
                for target in &r.resources {
                    cx.expect_kind(target, id, "child resource", "resource");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("Required", "required"), 0);
        assert_eq!(distance("requird", "required"), 1);
    }

    #[test]
    fn suggestions() {
        let list = ["required", "readonly", "retryable"];
        assert_eq!(
            suggest("requird", list.iter().copied()),
            Some("required".to_string())
        );
        assert_eq!(suggest("zzz", list.iter().copied()), None);
        assert!(ANNOTATIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(STRINGS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ANNOTATIONS
                .iter()
                .chain(STRINGS)
                .chain(NON_EMPTY_STRINGS)
                .all(|t| prelude::is_prelude_trait(t))
        );
    }
}
