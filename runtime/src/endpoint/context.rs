//! Endpoint parameters an operation binds from its own input and traits: the
//! `smithy.rules#contextParam` members, the `smithy.rules#staticContextParams` values and the
//! `smithy.rules#operationContextParams` paths, as the generated operation descriptor lists
//! them ([`OperationParams`]).
//!
//! Binding reads the input through a collecting [`ShapeSerializer`], so nothing here is
//! generic over the input type: one pass keeps the members the bindings name (strings,
//! booleans, and the lists, maps and structures on the way to them) and drops everything
//! else, then each path is evaluated over what was kept.
//!
//! Paths are the subset of JMESPath the Smithy rules engine allows: identifiers (`"quoted"`
//! too), sub-expressions (`a.b.c`), list and object wildcard projections (`a[*].b`,
//! `a.*.b`), multi-select lists (`a.[b, c]`), flattening (`a[]`) and the `keys(map)` function.
//! Anything else is an [`EndpointError`] when the operation is called (the generator checks
//! the paths against the model first, so a generated client never carries one).

use std::collections::BTreeSet;
use std::fmt;

use super::{EndpointError, Params, Value};
use crate::codec::{SerializeStruct, ShapeSerializer};
use crate::schema::{Member, Schema};
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document};

/// A `smithy.rules#staticContextParams` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticParam {
    /// A boolean.
    Bool(bool),
    /// A string.
    String(&'static str),
    /// A list of strings.
    StringArray(&'static [&'static str]),
}

impl StaticParam {
    /// The parameter value.
    pub fn to_value(&self) -> Value {
        match self {
            StaticParam::Bool(b) => Value::Bool(*b),
            StaticParam::String(s) => Value::String((*s).to_owned()),
            StaticParam::StringArray(items) => {
                Value::StringArray(items.iter().map(|s| (*s).to_owned()).collect())
            }
        }
    }
}

/// The endpoint parameters an operation binds itself (a part of its static descriptor).
/// Each list is (rule-set parameter name, source).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OperationParams {
    /// `smithy.rules#contextParam`: the top-level input member (by model name) whose value
    /// the parameter takes.
    pub context: &'static [(&'static str, &'static str)],
    /// `smithy.rules#staticContextParams`: fixed values.
    pub static_params: &'static [(&'static str, StaticParam)],
    /// `smithy.rules#operationContextParams`: a path into the input (`Delete.Objects[*].Key`).
    pub operation: &'static [(&'static str, &'static str)],
}

impl OperationParams {
    /// No parameters: the operation's endpoint is the client's.
    pub const NONE: OperationParams = OperationParams {
        context: &[],
        static_params: &[],
        operation: &[],
    };

    /// Whether the operation binds no parameter (its endpoint can be cached per client).
    pub const fn is_empty(&self) -> bool {
        self.context.is_empty() && self.static_params.is_empty() && self.operation.is_empty()
    }

    /// Sets the parameters `input` (an instance of `input_schema`) gives in `params`, most
    /// specific last, so that it wins (the rules engine's order: static values, then context
    /// members, then operation paths, then whatever `params` already held: client context
    /// parameters and built-ins). An unset member or a path that selects nothing leaves the
    /// parameter as it was.
    ///
    /// Errors: a path outside the supported subset, or a `@required` context member that is
    /// empty or only whitespace (clients must not send such a request).
    pub fn bind(
        &self,
        input_schema: &'static Schema,
        input: &dyn SerializeStruct,
        params: &mut Params,
    ) -> Result<(), EndpointError> {
        if self.context.is_empty() && self.operation.is_empty() {
            for (name, value) in self.static_params {
                params.set(name, value.to_value());
            }
            return Ok(());
        }
        let mut paths = Vec::with_capacity(self.operation.len());
        for (param, text) in self.operation {
            let expr = parse(text).map_err(|e| {
                EndpointError::new(format!(
                    "the operationContextParams path of `{param}` ({text:?}) is not supported: {e}"
                ))
            })?;
            paths.push((*param, expr));
        }
        let mut names: BTreeSet<&str> = self.context.iter().map(|(_, m)| *m).collect();
        for (_, expr) in &paths {
            expr.identifiers(&mut names);
        }
        let root = collect(input, &names);
        for (param, expr) in &paths {
            if let Some(v) = to_value(&expr.eval(&root)) {
                params.set(param, v);
            }
        }
        for (param, member) in self.context {
            let Some(value) = root.field(member).and_then(to_value) else {
                continue;
            };
            let required = input_schema
                .members
                .iter()
                .any(|m| m.name == *member && m.required);
            if required && matches!(&value, Value::String(s) if s.trim().is_empty()) {
                return Err(EndpointError::new(format!(
                    "`{member}` must not be empty: it selects the endpoint"
                )));
            }
            params.set(param, value);
        }
        for (name, value) in self.static_params {
            params.set(name, value.to_value());
        }
        Ok(())
    }
}

/// The `AWS::Auth::AccountIdEndpointMode` built-in: whether requests go to account-based
/// endpoints (DynamoDB's `<account>.ddb.<region>.amazonaws.com`) when the credentials carry an
/// account id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountIdEndpointMode {
    /// Use an account-based endpoint when an account id is known (the SDKs' default).
    #[default]
    Preferred,
    /// Never use account-based endpoints.
    Disabled,
    /// Always use account-based endpoints: resolution fails without an account id.
    Required,
}

impl AccountIdEndpointMode {
    /// The built-in's value: `preferred`, `disabled` or `required`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AccountIdEndpointMode::Preferred => "preferred",
            AccountIdEndpointMode::Disabled => "disabled",
            AccountIdEndpointMode::Required => "required",
        }
    }
}

impl std::str::FromStr for AccountIdEndpointMode {
    type Err = EndpointError;

    /// `preferred`, `disabled` or `required` (any case, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "preferred" => Ok(AccountIdEndpointMode::Preferred),
            "disabled" => Ok(AccountIdEndpointMode::Disabled),
            "required" => Ok(AccountIdEndpointMode::Required),
            _ => Err(EndpointError::new(format!(
                "invalid account id endpoint mode {s:?}: expected preferred, disabled or required"
            ))),
        }
    }
}

impl fmt::Display for AccountIdEndpointMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the collector kept of the input: JSON-like, with structures and maps both objects.
#[derive(Clone, Debug, PartialEq)]
enum Tree {
    Null,
    Bool(bool),
    Str(String),
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn field(&self, name: &str) -> Option<&Tree> {
        match self {
            Tree::Object(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A parameter value from an evaluated path: strings, booleans, and lists of strings (other
/// items are left out); anything else is unset.
fn to_value(tree: &Tree) -> Option<Value> {
    match tree {
        Tree::Str(s) => Some(Value::String(s.clone())),
        Tree::Bool(b) => Some(Value::Bool(*b)),
        Tree::List(items) => Some(Value::StringArray(
            items
                .iter()
                .filter_map(|i| match i {
                    Tree::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        )),
        Tree::Null | Tree::Object(_) => None,
    }
}

/// Reads `input` into a [`Tree`], keeping only structure members named in `names`.
fn collect(input: &dyn SerializeStruct, names: &BTreeSet<&str>) -> Tree {
    let mut c = Collector {
        names,
        frame: Frame::Struct(Vec::new()),
    };
    input.serialize_members(&mut c);
    c.finish()
}

enum Frame {
    Struct(Vec<(String, Tree)>),
    List(Vec<Tree>),
    Map {
        entries: Vec<(String, Tree)>,
        key: Option<String>,
    },
}

struct Collector<'n> {
    names: &'n BTreeSet<&'n str>,
    frame: Frame,
}

impl<'n> Collector<'n> {
    fn nested(&self, frame: Frame) -> Collector<'n> {
        Collector {
            names: self.names,
            frame,
        }
    }

    /// Whether a value written as `member` is kept: structure members by name, every list
    /// item and map value.
    fn wants(&self, member: &Member) -> bool {
        match self.frame {
            Frame::Struct(_) => self.names.contains(member.name),
            _ => true,
        }
    }

    fn put(&mut self, member: &Member, value: Tree) {
        match &mut self.frame {
            Frame::Struct(fields) => {
                if self.names.contains(member.name) {
                    fields.push((member.name.to_owned(), value));
                }
            }
            Frame::List(items) => items.push(value),
            Frame::Map { entries, key } => {
                if let Some(k) = key.take() {
                    entries.push((k, value));
                }
            }
        }
    }

    fn finish(self) -> Tree {
        match self.frame {
            Frame::Struct(fields) => Tree::Object(fields),
            Frame::List(items) => Tree::List(items),
            Frame::Map { entries, .. } => Tree::Object(entries),
        }
    }
}

impl ShapeSerializer for Collector<'_> {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::Struct(Vec::new()));
        value.serialize_members(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::List(Vec::with_capacity(len.min(1024))));
        items(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::Map {
            entries: Vec::with_capacity(len.min(1024)),
            key: None,
        });
        entries(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_key(&mut self, key: &str) {
        if let Frame::Map { key: k, .. } = &mut self.frame {
            *k = Some(key.to_owned());
        }
    }
    fn write_bool(&mut self, member: &Member, value: bool) {
        self.put(member, Tree::Bool(value));
    }
    fn write_string(&mut self, member: &Member, value: &str) {
        if self.wants(member) {
            self.put(member, Tree::Str(value.to_owned()));
        }
    }
    // Values no endpoint parameter can take are kept as nulls (list positions matter to
    // nothing here, but a kept member that is not a string must not read as unset later).
    fn write_integer(&mut self, member: &Member, _: i64) {
        self.put(member, Tree::Null);
    }
    fn write_float(&mut self, member: &Member, _: f32) {
        self.put(member, Tree::Null);
    }
    fn write_double(&mut self, member: &Member, _: f64) {
        self.put(member, Tree::Null);
    }
    fn write_big_integer(&mut self, member: &Member, _: &BigInteger) {
        self.put(member, Tree::Null);
    }
    fn write_big_decimal(&mut self, member: &Member, _: &BigDecimal) {
        self.put(member, Tree::Null);
    }
    fn write_blob(&mut self, member: &Member, _: &Blob) {
        self.put(member, Tree::Null);
    }
    fn write_timestamp(&mut self, member: &Member, _: &DateTime) {
        self.put(member, Tree::Null);
    }
    fn write_document(&mut self, member: &Member, _: &Document) {
        self.put(member, Tree::Null);
    }
    fn write_null(&mut self, member: &Member) {
        self.put(member, Tree::Null);
    }
}

/// A parsed path.
#[derive(Clone, Debug, PartialEq)]
enum Expr {
    /// `@`: the current value (the right side of a projection with nothing after it).
    Identity,
    Field(String),
    /// `left.right`
    Sub(Box<Expr>, Box<Expr>),
    /// `left[*] right`, `left[] right` (with a flattened left): `right` over each item.
    Project(Box<Expr>, Box<Expr>),
    /// `left.* right`: `right` over each value of an object.
    ValueProject(Box<Expr>, Box<Expr>),
    /// `left[]`: one level of lists merged.
    Flatten(Box<Expr>),
    /// `[a, b]`
    MultiList(Vec<Expr>),
    /// `keys(x)`
    Keys(Box<Expr>),
}

impl Expr {
    /// Adds every identifier the path reads.
    fn identifiers<'e>(&'e self, out: &mut BTreeSet<&'e str>) {
        match self {
            Expr::Identity => {}
            Expr::Field(name) => {
                out.insert(name);
            }
            Expr::Sub(a, b) | Expr::Project(a, b) | Expr::ValueProject(a, b) => {
                a.identifiers(out);
                b.identifiers(out);
            }
            Expr::Flatten(a) | Expr::Keys(a) => a.identifiers(out),
            Expr::MultiList(items) => items.iter().for_each(|i| i.identifiers(out)),
        }
    }

    fn eval(&self, v: &Tree) -> Tree {
        match self {
            Expr::Identity => v.clone(),
            Expr::Field(name) => v.field(name).cloned().unwrap_or(Tree::Null),
            Expr::Sub(a, b) => match a.eval(v) {
                Tree::Null => Tree::Null,
                left => b.eval(&left),
            },
            Expr::Project(a, rhs) => match a.eval(v) {
                Tree::List(items) => Tree::List(project(items.iter(), rhs)),
                _ => Tree::Null,
            },
            Expr::ValueProject(a, rhs) => match a.eval(v) {
                Tree::Object(entries) => Tree::List(project(entries.iter().map(|(_, v)| v), rhs)),
                _ => Tree::Null,
            },
            Expr::Flatten(a) => match a.eval(v) {
                Tree::List(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        match item {
                            Tree::List(inner) => out.extend(inner),
                            other => out.push(other),
                        }
                    }
                    Tree::List(out)
                }
                _ => Tree::Null,
            },
            Expr::MultiList(items) => match v {
                Tree::Null => Tree::Null,
                _ => Tree::List(items.iter().map(|e| e.eval(v)).collect()),
            },
            Expr::Keys(a) => match a.eval(v) {
                Tree::Object(entries) => {
                    Tree::List(entries.into_iter().map(|(k, _)| Tree::Str(k)).collect())
                }
                _ => Tree::Null,
            },
        }
    }
}

/// `rhs` over each item, nulls left out (JMESPath projection).
fn project<'t>(items: impl Iterator<Item = &'t Tree>, rhs: &Expr) -> Vec<Tree> {
    items
        .map(|item| rhs.eval(item))
        .filter(|t| *t != Tree::Null)
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Dot,
    Star,
    /// `[*]`
    ListStar,
    /// `[]`
    Flatten,
    LBracket,
    RBracket,
    Comma,
    LParen,
    RParen,
    End,
}

impl Token {
    /// JMESPath binding powers (as in the reference implementation).
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

/// Tokens with a binding power below this end a projection's right side.
const PROJECTION_STOP: u8 = 10;
/// Deeper nesting is refused (bounds recursion on hostile input).
const MAX_DEPTH: usize = 32;
/// Longer paths are refused.
const MAX_LEN: usize = 1024;

fn lex(text: &str) -> Result<Vec<Token>, String> {
    if text.len() > MAX_LEN {
        return Err(format!("longer than {MAX_LEN} bytes"));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        let Some(&c) = chars.get(i) else { break };
        match c {
            '.' => {
                out.push(Token::Dot);
                i += 1;
            }
            '*' => {
                out.push(Token::Star);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '(' => {
                out.push(Token::LParen);
                i += 1;
            }
            ')' => {
                out.push(Token::RParen);
                i += 1;
            }
            ']' => {
                out.push(Token::RBracket);
                i += 1;
            }
            '[' => {
                let mut j = i + 1;
                skip_ws(&mut j);
                match chars.get(j) {
                    Some(']') => {
                        out.push(Token::Flatten);
                        i = j + 1;
                    }
                    Some('*') => {
                        let mut k = j + 1;
                        skip_ws(&mut k);
                        if chars.get(k) == Some(&']') {
                            out.push(Token::ListStar);
                            i = k + 1;
                        } else {
                            return Err("`[*` must be followed by `]`".to_owned());
                        }
                    }
                    _ => {
                        out.push(Token::LBracket);
                        i += 1;
                    }
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated quoted identifier".to_owned()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(e @ ('"' | '\\' | '/')) => s.push(*e),
                                _ => {
                                    return Err(
                                        "unsupported escape in a quoted identifier".to_owned()
                                    );
                                }
                            }
                            i += 2;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Ident(s));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                out.push(Token::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    out.push(Token::End);
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

/// Parses a path of the supported subset.
fn parse(text: &str) -> Result<Expr, String> {
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

    fn expect(&mut self, want: &Token) -> Result<(), String> {
        match self.next() {
            t if t == *want => Ok(()),
            t => Err(format!("expected {want:?}, found {t:?}")),
        }
    }

    fn expression(&mut self, bp: u8) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("nested too deeply".to_owned());
        }
        let mut left = self.nud()?;
        while bp < self.peek().binding_power() {
            left = self.led(left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn nud(&mut self) -> Result<Expr, String> {
        match self.next() {
            Token::Ident(name) => {
                if *self.peek() != Token::LParen {
                    return Ok(Expr::Field(name));
                }
                self.next();
                if name != "keys" {
                    return Err(format!(
                        "the function `{name}` is not supported (only `keys`)"
                    ));
                }
                let arg = self.expression(0)?;
                self.expect(&Token::RParen)?;
                Ok(Expr::Keys(Box::new(arg)))
            }
            Token::Star => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(Expr::ValueProject(Box::new(Expr::Identity), Box::new(rhs)))
            }
            Token::ListStar => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(Expr::Project(Box::new(Expr::Identity), Box::new(rhs)))
            }
            Token::Flatten => {
                let rhs = self.projection_rhs(Token::Flatten.binding_power())?;
                Ok(Expr::Project(
                    Box::new(Expr::Flatten(Box::new(Expr::Identity))),
                    Box::new(rhs),
                ))
            }
            Token::LBracket => self.multi_list(),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn led(&mut self, left: Expr) -> Result<Expr, String> {
        match self.next() {
            Token::Dot => {
                if *self.peek() == Token::Star {
                    self.next();
                    let rhs = self.projection_rhs(Token::Star.binding_power())?;
                    return Ok(Expr::ValueProject(Box::new(left), Box::new(rhs)));
                }
                let right = self.dot_rhs(Token::Dot.binding_power())?;
                Ok(Expr::Sub(Box::new(left), Box::new(right)))
            }
            Token::ListStar => {
                let rhs = self.projection_rhs(Token::Star.binding_power())?;
                Ok(Expr::Project(Box::new(left), Box::new(rhs)))
            }
            Token::Flatten => {
                let rhs = self.projection_rhs(Token::Flatten.binding_power())?;
                Ok(Expr::Project(
                    Box::new(Expr::Flatten(Box::new(left))),
                    Box::new(rhs),
                ))
            }
            Token::LBracket => Err("indexes, slices and filters are not supported".to_owned()),
            t => Err(format!("unexpected {t:?}")),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<Expr, String> {
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

    fn projection_rhs(&mut self, bp: u8) -> Result<Expr, String> {
        match self.peek() {
            t if t.binding_power() < PROJECTION_STOP => Ok(Expr::Identity),
            Token::LBracket | Token::ListStar => self.expression(bp),
            Token::Dot => {
                self.next();
                self.dot_rhs(bp)
            }
            t => Err(format!("unexpected {t:?} in a projection")),
        }
    }

    /// After `[`: `a, b, ...]`.
    fn multi_list(&mut self) -> Result<Expr, String> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            match self.next() {
                Token::Comma => continue,
                Token::RBracket => break,
                t => return Err(format!("expected `,` or `]`, found {t:?}")),
            }
        }
        Ok(Expr::MultiList(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Tree {
        Tree::Str(v.to_owned())
    }

    fn obj(entries: &[(&str, Tree)]) -> Tree {
        Tree::Object(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn eval(path: &str, v: &Tree) -> Tree {
        parse(path).unwrap().eval(v)
    }

    #[test]
    fn fields_projections_keys_and_flattening() {
        let items = Tree::List(vec![
            obj(&[("Put", obj(&[("T", s("a"))]))]),
            obj(&[("Delete", obj(&[("T", s("b"))]))]),
            obj(&[("Other", s("x"))]),
        ]);
        let root = obj(&[
            ("Items", items),
            ("Map", obj(&[("k1", Tree::Null), ("k2", s("v"))])),
            (
                "D",
                obj(&[(
                    "Objects",
                    Tree::List(vec![obj(&[("Key", s("x"))]), obj(&[])]),
                )]),
            ),
        ]);
        assert_eq!(eval("D.Objects[*].Key", &root), Tree::List(vec![s("x")]));
        assert_eq!(eval("keys(Map)", &root), Tree::List(vec![s("k1"), s("k2")]));
        assert_eq!(eval("Map.*", &root), Tree::List(vec![s("v")]));
        assert_eq!(
            eval("Items[*].[Put.T, Delete.T][]", &root),
            Tree::List(vec![s("a"), s("b")])
        );
        assert_eq!(
            eval("Items[*].[Put.T, Delete.T]", &root),
            Tree::List(vec![
                Tree::List(vec![s("a"), Tree::Null]),
                Tree::List(vec![Tree::Null, s("b")]),
                Tree::List(vec![Tree::Null, Tree::Null]),
            ])
        );
        assert_eq!(eval("Items[*].Put.T", &root), Tree::List(vec![s("a")]));
        assert_eq!(eval("\"D\".Objects[].Key", &root), Tree::List(vec![s("x")]));
        assert_eq!(eval("Missing.Key", &root), Tree::Null);
        assert_eq!(eval("D[*]", &root), Tree::Null);
    }

    #[test]
    fn unsupported_or_malformed_paths_are_errors() {
        for bad in [
            "",
            "a.",
            "a[0]",
            "a[?b]",
            "length(a)",
            "a | b",
            "a[*",
            "\"a",
            "keys(a",
            "[a, b",
            ".a",
            "a..b",
            "a.1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&"[".repeat(100)).is_err());
        assert!(parse(&"a.".repeat(600)).is_err());
    }

    #[test]
    fn account_id_endpoint_modes() {
        assert_eq!(
            " Required ".parse::<AccountIdEndpointMode>().unwrap(),
            AccountIdEndpointMode::Required
        );
        assert!("sometimes".parse::<AccountIdEndpointMode>().is_err());
        assert_eq!(AccountIdEndpointMode::default().as_str(), "preferred");
    }
}
