//! Endpoint parameters decided from the model: what each operation binds itself
//! (`smithy.rules#contextParam` members of its input, `smithy.rules#staticContextParams`,
//! `smithy.rules#operationContextParams` paths) and the service's
//! `smithy.rules#clientContextParams`.
//!
//! Only parameters the service's rule set declares are kept (the others could not change the
//! endpoint, and an operation that binds nothing keeps the client's cached endpoint), and each
//! binding is checked against the parameter's type. Paths are parsed here, the only parser of
//! the JMESPath subset the runtime evaluates (`anvil_runtime::endpoint::context`), and typed
//! against the input's shapes: a binding that does not check is left out with a located
//! warning, and one that does is kept as a [`PathExpr`] tree, which the descriptor embeds as
//! the runtime's static `PathExpr` (`emit/operation.rs`), so the runtime never parses.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::model::{Model, Node, NodeValue, Shape, ShapeId, ShapeKind, Traits};

const RULE_SET: &str = "smithy.rules#endpointRuleSet";
const CONTEXT_PARAM: &str = "smithy.rules#contextParam";
const STATIC_PARAMS: &str = "smithy.rules#staticContextParams";
const OPERATION_PARAMS: &str = "smithy.rules#operationContextParams";
const CLIENT_PARAMS: &str = "smithy.rules#clientContextParams";

/// The type of a rule-set parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `stringArray`
    StringArray,
}

impl ParamType {
    fn parse(text: &str) -> Option<ParamType> {
        match text.to_ascii_lowercase().as_str() {
            "string" => Some(ParamType::String),
            "boolean" => Some(ParamType::Boolean),
            "stringarray" => Some(ParamType::StringArray),
            _ => None,
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            ParamType::String => "a string",
            ParamType::Boolean => "a boolean",
            ParamType::StringArray => "a list of strings",
        }
    }
}

/// A `smithy.rules#staticContextParams` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticValue {
    /// A boolean.
    Bool(bool),
    /// A string.
    String(String),
    /// A list of strings.
    StringArray(Vec<String>),
}

/// The endpoint parameters an operation binds itself; each list is (parameter, source), in
/// the order the model writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointParamsIr {
    /// `smithy.rules#contextParam`: the top-level input member (model name).
    pub context: Vec<(String, String)>,
    /// `smithy.rules#staticContextParams`: the value.
    pub static_params: Vec<(String, StaticValue)>,
    /// `smithy.rules#operationContextParams`: the path into the input, parsed.
    pub operation: Vec<(String, PathExpr)>,
}

impl EndpointParamsIr {
    /// Whether the operation binds nothing (its endpoint is the client's).
    pub fn is_empty(&self) -> bool {
        self.context.is_empty() && self.static_params.is_empty() && self.operation.is_empty()
    }
}

/// A `smithy.rules#clientContextParams` entry: a parameter clients set in their
/// configuration (`ConfigBuilder::client_context_param`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientContextParamIr {
    /// The parameter name (`ForcePathStyle`).
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// Its documentation, as written.
    pub docs: Option<String>,
}

/// The parameters the service's rule set declares, by name (`None`: no rule set).
fn rule_params(service: &Traits) -> Option<BTreeMap<&str, ParamType>> {
    let params = service.get(RULE_SET)?.get("parameters")?.as_object()?;
    Some(
        params
            .iter()
            .filter_map(|(name, p)| {
                let ty = ParamType::parse(p.get("type")?.as_str()?)?;
                Some((name.as_str(), ty))
            })
            .collect(),
    )
}

/// The service's client context parameters that its rule set declares, in model order.
pub(super) fn client_context_params(
    service: &Shape,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ClientContextParamIr> {
    let Some(node) = service.traits.get(CLIENT_PARAMS) else {
        return Vec::new();
    };
    let declared = rule_params(&service.traits).unwrap_or_default();
    let mut out = Vec::new();
    for (name, p) in node.as_object().unwrap_or_default() {
        let ty = p
            .get("type")
            .and_then(Node::as_str)
            .and_then(ParamType::parse);
        match (ty, declared.get(name.as_str())) {
            (Some(ty), Some(want)) if ty == *want => out.push(ClientContextParamIr {
                name: name.clone(),
                ty,
                docs: p
                    .get("documentation")
                    .and_then(Node::as_str)
                    .map(str::to_string),
            }),
            (_, want) => diagnostics.push(
                Diagnostic::warning(format!(
                    "client context parameter `{name}` is ignored: {}",
                    match want {
                        None => "the endpoint rule set declares no such parameter".to_string(),
                        Some(t) => format!("the rule set declares it {}", t.phrase()),
                    }
                ))
                .at(&p.span)
                .shape(&service.id),
            ),
        }
    }
    out
}

/// What `operation` binds itself, checked against the rule set of `service` and the
/// operation's `input` structure.
pub(super) fn operation_params(
    model: &Model,
    service: &Traits,
    operation: &Shape,
    input: &ShapeId,
    diagnostics: &mut Vec<Diagnostic>,
) -> EndpointParamsIr {
    let mut out = EndpointParamsIr::default();
    let Some(declared) = rule_params(service) else {
        return out;
    };
    let mut warn = |node: &Node, message: String| {
        diagnostics.push(
            Diagnostic::warning(format!(
                "{message}; the operation does not bind this endpoint parameter"
            ))
            .at(&node.span)
            .shape(&operation.id),
        );
    };
    let input_members = match model.shape(input).map(|s| &s.kind) {
        Some(ShapeKind::Structure(members)) => members.as_slice(),
        _ => &[],
    };
    for m in input_members {
        let Some(node) = m.traits.get(CONTEXT_PARAM) else {
            continue;
        };
        let Some(param) = node.get("name").and_then(Node::as_str) else {
            continue;
        };
        let Some(want) = declared.get(param) else {
            continue;
        };
        let got = shape_type(model, &m.target);
        if got.fits(*want) {
            out.context.push((param.to_string(), m.name.clone()));
        } else {
            warn(
                node,
                format!(
                    "context parameter `{param}` is {} but member `{}` is {}",
                    want.phrase(),
                    m.name,
                    got.phrase()
                ),
            );
        }
    }
    for (param, node) in operation
        .traits
        .get(STATIC_PARAMS)
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let Some(want) = declared.get(param.as_str()) else {
            continue;
        };
        let value = node.get("value").and_then(static_value);
        match value {
            Some(v) if v.fits(*want) => out.static_params.push((param.clone(), v)),
            _ => warn(
                node,
                format!(
                    "static context parameter `{param}` must be {}",
                    want.phrase()
                ),
            ),
        }
    }
    for (param, node) in operation
        .traits
        .get(OPERATION_PARAMS)
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let Some(want) = declared.get(param.as_str()) else {
            continue;
        };
        let Some(path) = node.get("path").and_then(Node::as_str) else {
            warn(
                node,
                format!("operation context parameter `{param}` has no path"),
            );
            continue;
        };
        match checked_path(model, input, path, *want) {
            Ok(e) => out.operation.push((param.clone(), e)),
            Err(e) => warn(
                node,
                format!("operation context parameter `{param}`: path {path:?}: {e}"),
            ),
        }
    }
    out
}

/// `path` parsed, if what it selects from an `input` has the type `want`.
fn checked_path(
    model: &Model,
    input: &ShapeId,
    path: &str,
    want: ParamType,
) -> Result<PathExpr, String> {
    let e = parse(path)?;
    let got = e.ty(model, &Ty::Shape(input.clone()))?.simple(model);
    if got.fits(want) {
        Ok(e)
    } else {
        Err(format!(
            "it selects {} but the parameter is {}",
            got.phrase(),
            want.phrase()
        ))
    }
}

fn static_value(node: &Node) -> Option<StaticValue> {
    match &node.value {
        NodeValue::Bool(b) => Some(StaticValue::Bool(*b)),
        NodeValue::String(s) => Some(StaticValue::String(s.clone())),
        NodeValue::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(StaticValue::StringArray),
        _ => None,
    }
}

impl StaticValue {
    fn fits(&self, want: ParamType) -> bool {
        matches!(
            (self, want),
            (StaticValue::Bool(_), ParamType::Boolean)
                | (StaticValue::String(_), ParamType::String)
                | (StaticValue::StringArray(_), ParamType::StringArray)
        )
    }
}

/// The type of what a path selects.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    /// A value of this shape.
    Shape(ShapeId),
    /// A list made by a projection, `keys()` or a multi-select list.
    List(Box<Ty>),
    /// The items of a multi-select list that are not all of one type.
    Mixed,
}

/// What a [`Ty`] is as an endpoint parameter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simple {
    Str,
    Bool,
    Strings,
    Other,
}

impl Simple {
    fn fits(self, want: ParamType) -> bool {
        matches!(
            (self, want),
            (Simple::Str, ParamType::String)
                | (Simple::Bool, ParamType::Boolean)
                | (Simple::Strings, ParamType::StringArray)
        )
    }

    fn phrase(self) -> &'static str {
        match self {
            Simple::Str => "a string",
            Simple::Bool => "a boolean",
            Simple::Strings => "a list of strings",
            Simple::Other => "neither a string, a boolean nor a list of strings",
        }
    }
}

fn shape_type(model: &Model, id: &ShapeId) -> Simple {
    Ty::Shape(id.clone()).simple(model)
}

impl Ty {
    fn simple(&self, model: &Model) -> Simple {
        let kind = |id: &ShapeId| model.shape(id).map(|s| &s.kind);
        match self {
            Ty::Shape(id) => match kind(id) {
                Some(ShapeKind::String | ShapeKind::Enum(_)) => Simple::Str,
                Some(ShapeKind::Boolean) => Simple::Bool,
                Some(ShapeKind::List(m)) if shape_type(model, &m.target) == Simple::Str => {
                    Simple::Strings
                }
                _ => Simple::Other,
            },
            Ty::List(item) if item.simple(model) == Simple::Str => Simple::Strings,
            _ => Simple::Other,
        }
    }

    /// The item type, when this is a list.
    fn item(&self, model: &Model) -> Option<Ty> {
        match self {
            Ty::List(item) => Some((**item).clone()),
            Ty::Shape(id) => match model.shape(id).map(|s| &s.kind) {
                Some(ShapeKind::List(m)) => Some(Ty::Shape(m.target.clone())),
                _ => None,
            },
            Ty::Mixed => None,
        }
    }
}

/// A parsed `smithy.rules#operationContextParams` path: the variants of the runtime's
/// `anvil_runtime::endpoint::PathExpr`, which evaluates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathExpr {
    /// `@`: the current value (the right side of a projection with nothing after it).
    Identity,
    /// `name` (or `"name"`): a structure member or map entry.
    Field(String),
    /// `left.right`
    Sub(Box<PathExpr>, Box<PathExpr>),
    /// `left[*] right` (and `left[] right`, with a flattened left): `right` over each item.
    Project(Box<PathExpr>, Box<PathExpr>),
    /// `left.* right`: `right` over each value of a map.
    ValueProject(Box<PathExpr>, Box<PathExpr>),
    /// `left[]`: one level of nested lists merged.
    Flatten(Box<PathExpr>),
    /// `[a, b]`
    MultiList(Vec<PathExpr>),
    /// `keys(map)`
    Keys(Box<PathExpr>),
}

impl PathExpr {
    /// The type of what the path selects from a value of type `on`.
    fn ty(&self, model: &Model, on: &Ty) -> Result<Ty, String> {
        let kind = |t: &Ty| match t {
            Ty::Shape(id) => model.shape(id).map(|s| &s.kind),
            _ => None,
        };
        Ok(match self {
            PathExpr::Identity => on.clone(),
            PathExpr::Field(name) => match kind(on) {
                Some(ShapeKind::Structure(members) | ShapeKind::Union(members)) => members
                    .iter()
                    .find(|m| m.name == *name)
                    .map(|m| Ty::Shape(m.target.clone()))
                    .ok_or_else(|| format!("`{}` has no member `{name}`", describe(on)))?,
                Some(ShapeKind::Map(_, v)) => Ty::Shape(v.target.clone()),
                _ => return Err(format!("`{name}` is read from {}", describe(on))),
            },
            PathExpr::Sub(a, b) => b.ty(model, &a.ty(model, on)?)?,
            PathExpr::Project(a, rhs) => {
                let left = a.ty(model, on)?;
                let item = left
                    .item(model)
                    .ok_or_else(|| format!("`[*]` projects {}, not a list", describe(&left)))?;
                Ty::List(Box::new(rhs.ty(model, &item)?))
            }
            PathExpr::ValueProject(a, rhs) => {
                let left = a.ty(model, on)?;
                let value = match kind(&left) {
                    Some(ShapeKind::Map(_, v)) => Ty::Shape(v.target.clone()),
                    _ => return Err(format!("`*` projects {}, not a map", describe(&left))),
                };
                Ty::List(Box::new(rhs.ty(model, &value)?))
            }
            PathExpr::Flatten(a) => {
                let left = a.ty(model, on)?;
                let item = left
                    .item(model)
                    .ok_or_else(|| format!("`[]` flattens {}, not a list", describe(&left)))?;
                Ty::List(Box::new(item.item(model).unwrap_or(item)))
            }
            PathExpr::MultiList(items) => {
                let mut types = Vec::new();
                for i in items {
                    types.push(i.ty(model, on)?);
                }
                let first = types.first().cloned().unwrap_or(Ty::Mixed);
                let all_strings = types.iter().all(|t| t.simple(model) == Simple::Str);
                let same = all_strings || types.iter().all(|t| *t == first);
                Ty::List(Box::new(if same { first } else { Ty::Mixed }))
            }
            PathExpr::Keys(a) => {
                let left = a.ty(model, on)?;
                match kind(&left) {
                    Some(ShapeKind::Map(k, _)) => Ty::List(Box::new(Ty::Shape(k.target.clone()))),
                    _ => return Err(format!("`keys()` is given {}, not a map", describe(&left))),
                }
            }
        })
    }
}

fn describe(t: &Ty) -> String {
    match t {
        Ty::Shape(id) => format!("`{id}`"),
        Ty::List(_) => "a projected list".to_string(),
        Ty::Mixed => "values of several types".to_string(),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Dot,
    Star,
    ListStar,
    Flatten,
    LBracket,
    RBracket,
    Comma,
    LParen,
    RParen,
    End,
}

impl Token {
    fn binding_power(&self) -> u8 {
        match self {
            Token::LBracket | Token::ListStar => 55,
            Token::Dot => 40,
            Token::Star => 20,
            Token::Flatten => 9,
            _ => 0,
        }
    }
}

const PROJECTION_STOP: u8 = 10;
const MAX_DEPTH: usize = 32;
const MAX_LEN: usize = 1024;

fn lex(text: &str) -> Result<Vec<Token>, String> {
    if text.len() > MAX_LEN {
        return Err(format!("longer than {MAX_LEN} bytes"));
    }
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        pos: 0,
    };
    let mut out = Vec::new();
    while let Some(c) = lexer.next_non_space() {
        out.push(lexer.token(c)?);
    }
    out.push(Token::End);
    Ok(out)
}

/// The characters of a path, read left to right.
struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// The next character that is not white space, consumed.
    fn next_non_space(&mut self) -> Option<char> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// The token that starts with `c` (just consumed).
    fn token(&mut self, c: char) -> Result<Token, String> {
        Ok(match c {
            '.' => Token::Dot,
            '*' => Token::Star,
            ',' => Token::Comma,
            '(' => Token::LParen,
            ')' => Token::RParen,
            ']' => Token::RBracket,
            '[' => self.bracket()?,
            '"' => Token::Ident(self.quoted()?),
            c if c.is_ascii_alphabetic() || c == '_' => Token::Ident(self.identifier(c)),
            other => return Err(format!("unexpected character {other:?}")),
        })
    }

    /// After `[`: `]` (flatten), `*]` (list projection) or the start of a multi-select list.
    fn bracket(&mut self) -> Result<Token, String> {
        let start = self.pos;
        match self.next_non_space() {
            Some(']') => Ok(Token::Flatten),
            Some('*') if self.next_non_space() == Some(']') => Ok(Token::ListStar),
            Some('*') => Err("`[*` must be followed by `]`".to_string()),
            _ => {
                self.pos = start;
                Ok(Token::LBracket)
            }
        }
    }

    /// After `"`: the identifier up to the closing quote, with `\"`, `\\` and `\/` escapes.
    fn quoted(&mut self) -> Result<String, String> {
        let mut s = String::new();
        loop {
            let c = self.peek().ok_or("unterminated quoted identifier")?;
            self.pos += 1;
            match c {
                '"' => return Ok(s),
                '\\' => {
                    match self.peek() {
                        Some(e @ ('"' | '\\' | '/')) => s.push(e),
                        _ => return Err("unsupported escape in a quoted identifier".to_string()),
                    }
                    self.pos += 1;
                }
                c => s.push(c),
            }
        }
    }

    /// An unquoted identifier starting with `first` (just consumed).
    fn identifier(&mut self, first: char) -> String {
        let mut s = String::from(first);
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            s.push(c);
            self.pos += 1;
        }
        s
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

pub(crate) fn parse(text: &str) -> Result<PathExpr, String> {
    let mut p = Parser {
        tokens: lex(text)?,
        pos: 0,
        depth: 0,
    };
    let e = p.expression(0)?;
    match p.peek() {
        Token::End => Ok(e),
        t => Err(format!("unexpected {t:?} after the expression")),
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&Token::End)
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }

    fn expression(&mut self, bp: u8) -> Result<PathExpr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("nested too deeply".to_string());
        }
        let mut left = self.nud()?;
        while bp < self.peek().binding_power() {
            left = self.led(left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn nud(&mut self) -> Result<PathExpr, String> {
        match self.next() {
            Token::Ident(name) => {
                if *self.peek() != Token::LParen {
                    return Ok(PathExpr::Field(name));
                }
                self.next();
                if name != "keys" {
                    return Err(format!(
                        "the function `{name}` is not supported (only `keys`)"
                    ));
                }
                let arg = self.expression(0)?;
                match self.next() {
                    Token::RParen => Ok(PathExpr::Keys(Box::new(arg))),
                    t => Err(format!("expected `)`, found {t:?}")),
                }
            }
            Token::Star => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(PathExpr::ValueProject(
                    Box::new(PathExpr::Identity),
                    Box::new(rhs),
                ))
            }
            Token::ListStar => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(PathExpr::Project(
                    Box::new(PathExpr::Identity),
                    Box::new(rhs),
                ))
            }
            Token::Flatten => {
                let rhs = self.projection_rhs(Token::Flatten.binding_power())?;
                Ok(PathExpr::Project(
                    Box::new(PathExpr::Flatten(Box::new(PathExpr::Identity))),
                    Box::new(rhs),
                ))
            }
            Token::LBracket => self.multi_list(),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn led(&mut self, left: PathExpr) -> Result<PathExpr, String> {
        match self.next() {
            Token::Dot => {
                if *self.peek() == Token::Star {
                    self.next();
                    let rhs = self.projection_rhs(Token::Star.binding_power())?;
                    return Ok(PathExpr::ValueProject(Box::new(left), Box::new(rhs)));
                }
                let right = self.dot_rhs(Token::Dot.binding_power())?;
                Ok(PathExpr::Sub(Box::new(left), Box::new(right)))
            }
            Token::ListStar => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(PathExpr::Project(Box::new(left), Box::new(rhs)))
            }
            Token::Flatten => {
                let rhs = self.projection_rhs(Token::Flatten.binding_power())?;
                Ok(PathExpr::Project(
                    Box::new(PathExpr::Flatten(Box::new(left))),
                    Box::new(rhs),
                ))
            }
            Token::LBracket => Err("indexes, slices and filters are not supported".to_string()),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<PathExpr, String> {
        match self.peek() {
            Token::Ident(_) => self.expression(bp),
            Token::LBracket => {
                self.next();
                self.multi_list()
            }
            t => Err(format!(
                "expected an identifier or `[` after `.`, found {t:?}"
            )),
        }
    }

    fn projection_rhs(&mut self, bp: u8) -> Result<PathExpr, String> {
        match self.peek() {
            t if t.binding_power() < PROJECTION_STOP => Ok(PathExpr::Identity),
            Token::LBracket | Token::ListStar => self.expression(bp),
            Token::Dot => {
                self.next();
                self.dot_rhs(bp)
            }
            t => Err(format!("unexpected {t:?} in a projection")),
        }
    }

    fn multi_list(&mut self) -> Result<PathExpr, String> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            match self.next() {
                Token::Comma => continue,
                Token::RBracket => break,
                t => return Err(format!("expected `,` or `]`, found {t:?}")),
            }
        }
        Ok(PathExpr::MultiList(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let text = r#"{"smithy":"2.0","shapes":{
          "ex#Svc":{"type":"service","version":"1","operations":[{"target":"ex#Op"}],
            "traits":{"smithy.rules#endpointRuleSet":{"version":"1.0","parameters":{
                "Table":{"type":"String"},"Keys":{"type":"stringArray"},"Flag":{"type":"Boolean"},
                "Names":{"type":"stringArray"}},"rules":[]},
              "smithy.rules#clientContextParams":{"Flag":{"type":"boolean","documentation":"d"},
                "Table":{"type":"boolean"},"Nope":{"type":"string"}}}},
          "ex#Op":{"type":"operation","input":{"target":"ex#In"},"traits":{
            "smithy.rules#staticContextParams":{"Flag":{"value":true},"Table":{"value":1},"Other":{"value":"x"}},
            "smithy.rules#operationContextParams":{
              "Keys":{"path":"keys(Items)"},
              "Names":{"path":"Things[*].[A, B][]"},
              "Flag":{"path":"Things[*].A"},
              "Table":{"path":"Things[0]"}}}},
          "ex#In":{"type":"structure","members":{
            "Name":{"target":"smithy.api#String","traits":{"smithy.rules#contextParam":{"name":"Table"}}},
            "N":{"target":"smithy.api#Integer","traits":{"smithy.rules#contextParam":{"name":"Flag"}}},
            "Items":{"target":"ex#Items"},"Things":{"target":"ex#Things"}}},
          "ex#Items":{"type":"map","key":{"target":"smithy.api#String"},"value":{"target":"smithy.api#Integer"}},
          "ex#Things":{"type":"list","member":{"target":"ex#Thing"}},
          "ex#Thing":{"type":"structure","members":{"A":{"target":"smithy.api#String"},"B":{"target":"smithy.api#String"}}}
        }}"#;
        let outcome = crate::model::load(&[crate::model::Source {
            name: "m.json",
            text,
        }]);
        outcome.model.unwrap()
    }

    #[test]
    fn bindings_are_checked_against_the_rule_set_and_the_input() {
        let model = model();
        let svc = model.shape(&ShapeId::new("ex", "Svc")).unwrap();
        let op = model.shape(&ShapeId::new("ex", "Op")).unwrap();
        let mut diags = Vec::new();
        let p = operation_params(
            &model,
            &svc.traits,
            op,
            &ShapeId::new("ex", "In"),
            &mut diags,
        );
        assert_eq!(p.context, vec![("Table".to_string(), "Name".to_string())]);
        assert_eq!(
            p.static_params,
            vec![("Flag".to_string(), StaticValue::Bool(true))]
        );
        assert_eq!(
            p.operation,
            vec![
                ("Keys".to_string(), parse("keys(Items)").unwrap()),
                ("Names".to_string(), parse("Things[*].[A, B][]").unwrap())
            ]
        );
        let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(diags.len(), 4, "{text:#?}");
        assert!(text.iter().any(|t| t.contains("member `N` is neither")));
        assert!(text.iter().any(|t| t.contains("`Table` must be a string")));
        assert!(text.iter().any(|t| t.contains("selects a list of strings")));
        assert!(
            text.iter().any(|t| t.contains("unexpected character")),
            "{text:#?}"
        );
        let mut diags = Vec::new();
        let c = client_context_params(svc, &mut diags);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "Flag");
        assert_eq!(c[0].docs.as_deref(), Some("d"));
        assert_eq!(diags.len(), 2);
    }

    fn field(name: &str) -> Box<PathExpr> {
        Box::new(PathExpr::Field(name.to_string()))
    }

    fn sub(a: Box<PathExpr>, b: Box<PathExpr>) -> Box<PathExpr> {
        Box::new(PathExpr::Sub(a, b))
    }

    fn project(a: Box<PathExpr>, b: Box<PathExpr>) -> Box<PathExpr> {
        Box::new(PathExpr::Project(a, b))
    }

    fn flatten(a: Box<PathExpr>) -> Box<PathExpr> {
        Box::new(PathExpr::Flatten(a))
    }

    fn parsed(text: &str) -> Box<PathExpr> {
        Box::new(parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}")))
    }

    /// The trees the runtime's evaluation tests build by hand (`endpoint::context`).
    #[test]
    fn paths_parse_to_the_trees_the_runtime_evaluates() {
        let identity = || Box::new(PathExpr::Identity);
        let put_and_delete = Box::new(PathExpr::MultiList(vec![
            *sub(field("Put"), field("T")),
            *sub(field("Delete"), field("T")),
        ]));
        let cases = [
            (
                "D.Objects[*].Key",
                sub(field("D"), project(field("Objects"), field("Key"))),
            ),
            ("keys(Map)", Box::new(PathExpr::Keys(field("Map")))),
            (
                "Map.*",
                Box::new(PathExpr::ValueProject(field("Map"), identity())),
            ),
            (
                "Items[*].[Put.T, Delete.T][]",
                project(
                    flatten(project(field("Items"), put_and_delete.clone())),
                    identity(),
                ),
            ),
            (
                "Items[*].[Put.T, Delete.T]",
                project(field("Items"), put_and_delete),
            ),
            (
                "Items[*].Put.T",
                project(field("Items"), sub(field("Put"), field("T"))),
            ),
            (
                "\"D\".Objects[].Key",
                project(flatten(sub(field("D"), field("Objects"))), field("Key")),
            ),
            ("Missing.Key", sub(field("Missing"), field("Key"))),
            ("D[*]", project(field("D"), identity())),
            (
                "Items.*[]",
                project(
                    flatten(Box::new(PathExpr::ValueProject(field("Items"), identity()))),
                    identity(),
                ),
            ),
            (" a . \"b\\\"c\" ", sub(field("a"), field("b\"c"))),
        ];
        for (text, want) in cases {
            assert_eq!(parsed(text), want, "{text:?}");
        }
        assert!(parse("TransactItems[*].[ConditionCheck.TableName, Put.TableName][]").is_ok());
        assert!(parse("a.*.b").is_ok());
    }

    #[test]
    fn unsupported_or_malformed_paths_are_errors() {
        for bad in [
            "",
            "a.",
            "a[0]",
            "a[?b]",
            "length(a)",
            "f(a)",
            "a | b",
            "a[*",
            "\"a",
            "keys(a",
            "[a, b",
            ".a",
            "a..b",
            "a.1",
            "\"a\\x\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&"[".repeat(100)).is_err(), "nesting is bounded");
        assert!(parse(&"a.".repeat(600)).is_err(), "length is bounded");
    }
}
