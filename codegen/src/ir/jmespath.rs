//! JMESPath for waiters: the parser of `smithy.waiters#waitable` acceptor paths, and the
//! emitter of each parsed path as the runtime's constant expression tree.
//!
//! [`parse`] reads the whole grammar of the specification
//! (<https://jmespath.org/specification.html>) into an [`Ast`] that mirrors
//! `anvil_runtime::jmespath::Expr` node for node; [`Ast::to_tokens`] writes it as nested
//! `&'static` references, fit for a `static` item, so the runtime never parses.
//!
//! The parser is a Pratt parser with the specification's binding powers, and it shapes
//! projections as the reference implementation (Python `jmespath`) does: `foo[*].bar` is
//! `Projection(foo, bar)`, `foo[]` is `Projection(Flatten(foo), @)`, a slice projects, and a
//! projection's right side ends at any token binding less than 10 (`|`, `||`, `&&`, the
//! comparators, `[]`). It also checks at parse time what the reference leaves to evaluation:
//! function names and argument counts, and a slice step of 0. Where the reference accepts
//! what the grammar does not, this parser refuses: the legacy unquoted literal (`` `foo` ``),
//! function arguments or multi-select-hash entries without commas, a trailing comma in a
//! call, a parenthesized function name, a number after a number in a slice. Numbers and
//! literals must fit the runtime (64-bit indexes, finite `f64`s, strings without lone
//! surrogates, objects without duplicate keys). In a raw string, `\'` is a quote and any other
//! backslash is kept with the character after it (`'a\\b'` is `a\\b`), as in the reference
//! implementation and the compliance tests. Parsing never panics: every problem is a
//! [`ParseError`], and hostile input is bounded in tokens and nesting.

use std::fmt;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::json::{self, JNode, JValue, Pos};

/// Most tokens in one expression (waiter paths have a few dozen).
const MAX_TOKENS: usize = 1024;
/// Deepest nesting of sub-expressions while parsing.
const MAX_NESTING: usize = 64;
/// Deepest tree accepted (emitted code nests one reference per level).
const MAX_TREE_DEPTH: usize = 128;
/// Deepest nesting of arrays and objects in a JSON literal.
const MAX_JSON_DEPTH: usize = 64;
/// Tokens binding less than this end a projection's right side.
const PROJECTION_STOP: u8 = 10;

/// A parsed JMESPath expression: `anvil_runtime::jmespath::Expr`, owned.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ast {
    /// `@`, and the implicit current value of a projection.
    Current,
    /// `` `json` `` or `'raw string'`.
    Literal(Lit),
    /// `name` or `"name"`.
    Field(String),
    /// `left.right`.
    Sub(Box<Ast>, Box<Ast>),
    /// `[n]` on the current value.
    Index(i64),
    /// `[start:stop:step]` on the current value (step never 0).
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `left[index]`: the right side is an [`Ast::Index`] or an [`Ast::Slice`].
    IndexExpr(Box<Ast>, Box<Ast>),
    /// A list projection: `right` on each element of `left`.
    Projection(Box<Ast>, Box<Ast>),
    /// An object projection (`left.*.right`).
    ValueProjection(Box<Ast>, Box<Ast>),
    /// `left[?condition].right`.
    FilterProjection {
        /// The value projected.
        left: Box<Ast>,
        /// What is taken of each kept element.
        right: Box<Ast>,
        /// Which elements are kept.
        condition: Box<Ast>,
    },
    /// `left[]` merged one level.
    Flatten(Box<Ast>),
    /// `left <op> right`.
    Compare(Cmp, Box<Ast>, Box<Ast>),
    /// `left && right`.
    And(Box<Ast>, Box<Ast>),
    /// `left || right`.
    Or(Box<Ast>, Box<Ast>),
    /// `!expr`.
    Not(Box<Ast>),
    /// `left | right`.
    Pipe(Box<Ast>, Box<Ast>),
    /// `[a, b]`.
    MultiList(Vec<Ast>),
    /// `{k: a, ...}`, in the order written.
    MultiHash(Vec<(String, Ast)>),
    /// `name(args...)`, the name known and the number of arguments checked.
    Function(Func, Vec<Ast>),
    /// `&expr`.
    ExpRef(Box<Ast>),
}

/// A comparison operator: `anvil_runtime::jmespath::Comparator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A literal value: `anvil_runtime::jmespath::Literal`, owned.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (always finite).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Lit>),
    /// An object, its members in the order written (no duplicate keys).
    Object(Vec<(String, Lit)>),
}

/// A built-in function: `anvil_runtime::jmespath::Function`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    Abs,
    Avg,
    Ceil,
    Contains,
    EndsWith,
    Floor,
    Join,
    Keys,
    Length,
    Map,
    Max,
    MaxBy,
    Merge,
    Min,
    MinBy,
    NotNull,
    Reverse,
    Sort,
    SortBy,
    StartsWith,
    Sum,
    ToArray,
    ToNumber,
    ToString,
    Type,
    Values,
}

/// What a function is called, its runtime variant, and how many arguments it takes
/// (`variadic`: at least that many).
struct Signature {
    func: Func,
    name: &'static str,
    variant: &'static str,
    args: usize,
    variadic: bool,
}

const fn sig(func: Func, name: &'static str, variant: &'static str, args: usize) -> Signature {
    Signature {
        func,
        name,
        variant,
        args,
        variadic: false,
    }
}

const fn variadic(func: Func, name: &'static str, variant: &'static str) -> Signature {
    Signature {
        func,
        name,
        variant,
        args: 1,
        variadic: true,
    }
}

/// The specification's functions.
static FUNCTIONS: [Signature; 26] = [
    sig(Func::Abs, "abs", "Abs", 1),
    sig(Func::Avg, "avg", "Avg", 1),
    sig(Func::Ceil, "ceil", "Ceil", 1),
    sig(Func::Contains, "contains", "Contains", 2),
    sig(Func::EndsWith, "ends_with", "EndsWith", 2),
    sig(Func::Floor, "floor", "Floor", 1),
    sig(Func::Join, "join", "Join", 2),
    sig(Func::Keys, "keys", "Keys", 1),
    sig(Func::Length, "length", "Length", 1),
    sig(Func::Map, "map", "Map", 2),
    sig(Func::Max, "max", "Max", 1),
    sig(Func::MaxBy, "max_by", "MaxBy", 2),
    variadic(Func::Merge, "merge", "Merge"),
    sig(Func::Min, "min", "Min", 1),
    sig(Func::MinBy, "min_by", "MinBy", 2),
    variadic(Func::NotNull, "not_null", "NotNull"),
    sig(Func::Reverse, "reverse", "Reverse", 1),
    sig(Func::Sort, "sort", "Sort", 1),
    sig(Func::SortBy, "sort_by", "SortBy", 2),
    sig(Func::StartsWith, "starts_with", "StartsWith", 2),
    sig(Func::Sum, "sum", "Sum", 1),
    sig(Func::ToArray, "to_array", "ToArray", 1),
    sig(Func::ToNumber, "to_number", "ToNumber", 1),
    sig(Func::ToString, "to_string", "ToString", 1),
    sig(Func::Type, "type", "Type", 1),
    sig(Func::Values, "values", "Values", 1),
];

impl Func {
    fn signature(self) -> &'static Signature {
        // Every variant is in the table (checked by a test); `Abs` is never reached.
        FUNCTIONS
            .iter()
            .find(|s| s.func == self)
            .unwrap_or(&FUNCTIONS[0])
    }

    /// The JMESPath name (`sort_by`), for messages (only the tests call it so far).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn name(self) -> &'static str {
        self.signature().name
    }
}

/// Why an expression does not parse. Displayed as `at column N: message`, `N` being
/// `offset + 1` (bytes, which is characters for the ASCII paths models write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Byte offset into the expression.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.offset + 1, self.message)
    }
}

impl std::error::Error for ParseError {}

fn error(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
    }
}

/// Parses a JMESPath expression.
pub(crate) fn parse(text: &str) -> Result<Ast, ParseError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: text.len(),
    };
    let ast = parser.expression(0)?;
    if *parser.peek() != Tok::Eof {
        return Err(parser.unexpected("after the expression"));
    }
    if ast.depth() > MAX_TREE_DEPTH {
        return Err(error(
            0,
            format!("expression nests more than {MAX_TREE_DEPTH} levels deep"),
        ));
    }
    Ok(ast)
}

impl Ast {
    /// How deep the tree is (a leaf is 1).
    fn depth(&self) -> usize {
        1 + match self {
            Ast::Current | Ast::Literal(_) | Ast::Field(_) | Ast::Index(_) | Ast::Slice(..) => 0,
            Ast::Sub(a, b)
            | Ast::IndexExpr(a, b)
            | Ast::Projection(a, b)
            | Ast::ValueProjection(a, b)
            | Ast::Compare(_, a, b)
            | Ast::And(a, b)
            | Ast::Or(a, b)
            | Ast::Pipe(a, b) => a.depth().max(b.depth()),
            Ast::FilterProjection {
                left,
                right,
                condition,
            } => left.depth().max(right.depth()).max(condition.depth()),
            Ast::Flatten(a) | Ast::Not(a) | Ast::ExpRef(a) => a.depth(),
            Ast::MultiList(items) | Ast::Function(_, items) => {
                items.iter().map(Ast::depth).max().unwrap_or(0)
            }
            Ast::MultiHash(pairs) => pairs.iter().map(|(_, a)| a.depth()).max().unwrap_or(0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Number(i64),
    Literal(Lit),
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    At,
    Pipe,
    Or,
    And,
    Amp,
    Not,
    Cmp(Cmp),
    Eof,
}

impl Tok {
    /// The left binding power (0: ends every expression).
    fn binding_power(&self) -> u8 {
        match self {
            Tok::Pipe => 1,
            Tok::Or => 2,
            Tok::And => 3,
            Tok::Cmp(_) => 5,
            Tok::Flatten => 9,
            Tok::Star => 20,
            Tok::Filter => 21,
            Tok::Dot => 40,
            Tok::Not => 45,
            Tok::LBrace => 50,
            Tok::LBracket => 55,
            Tok::LParen => 60,
            _ => 0,
        }
    }

    fn describe(&self) -> String {
        let punct = match self {
            Tok::Ident(name) => return format!("identifier `{name}`"),
            Tok::Quoted(name) => return format!("quoted identifier {name:?}"),
            Tok::Number(n) => return format!("number `{n}`"),
            Tok::Literal(_) => return "a literal".to_string(),
            Tok::Eof => return "the end of the expression".to_string(),
            Tok::Cmp(c) => cmp_symbol(*c),
            Tok::Dot => ".",
            Tok::Star => "*",
            Tok::Flatten => "[]",
            Tok::Filter => "[?",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::At => "@",
            Tok::Pipe => "|",
            Tok::Or => "||",
            Tok::And => "&&",
            Tok::Amp => "&",
            Tok::Not => "!",
        };
        format!("`{punct}`")
    }
}

fn cmp_symbol(c: Cmp) -> &'static str {
    match c {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
    }
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
}

/// The lexer's position in the expression.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Cursor { text, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        lexer.whitespace();
        let at = lexer.pos;
        let Some(c) = lexer.peek() else {
            tokens.push(Token { tok: Tok::Eof, at });
            return Ok(tokens);
        };
        if tokens.len() == MAX_TOKENS {
            return Err(error(
                at,
                format!("expression too long: more than {MAX_TOKENS} tokens"),
            ));
        }
        let tok = lexer.token(c)?;
        tokens.push(Token { tok, at });
    }
}

impl Cursor<'_> {
    /// One token starting with `c` (not yet taken).
    fn token(&mut self, c: char) -> Result<Tok, ParseError> {
        let at = self.pos;
        self.pos += c.len_utf8();
        let tok = match c {
            '.' => Tok::Dot,
            '*' => Tok::Star,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            ':' => Tok::Colon,
            '@' => Tok::At,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            '[' if self.eat(']') => Tok::Flatten,
            '[' if self.eat('?') => Tok::Filter,
            '[' => Tok::LBracket,
            '|' => self.either('|', Tok::Or, Tok::Pipe),
            '&' => self.either('&', Tok::And, Tok::Amp),
            '<' => self.either('=', Tok::Cmp(Cmp::Le), Tok::Cmp(Cmp::Lt)),
            '>' => self.either('=', Tok::Cmp(Cmp::Ge), Tok::Cmp(Cmp::Gt)),
            '!' => self.either('=', Tok::Cmp(Cmp::Ne), Tok::Not),
            '=' if self.eat('=') => Tok::Cmp(Cmp::Eq),
            '=' => return Err(error(at, "expected `==`, found a single `=`")),
            '\'' => Tok::Literal(Lit::String(self.raw_string(at)?)),
            '`' => Tok::Literal(self.literal(at)?),
            '"' => Tok::Quoted(self.quoted(at)?),
            '-' | '0'..='9' => Tok::Number(self.integer(at)?),
            c if c == '_' || c.is_ascii_alphabetic() => Tok::Ident(self.identifier(at)),
            c => return Err(error(at, format!("unexpected character {c:?}"))),
        };
        Ok(tok)
    }

    fn either(&mut self, next: char, two: Tok, one: Tok) -> Tok {
        if self.eat(next) { two } else { one }
    }

    fn identifier(&mut self, at: usize) -> String {
        while matches!(self.peek(), Some(c) if c == '_' || c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        self.text.get(at..self.pos).unwrap_or_default().to_string()
    }

    /// `-?[0-9]+`, the sign already taken when there is one.
    fn integer(&mut self, at: usize) -> Result<i64, ParseError> {
        while matches!(self.peek(), Some('0'..='9')) {
            self.pos += 1;
        }
        let text = self.text.get(at..self.pos).unwrap_or_default();
        if text == "-" {
            return Err(error(at, "expected a digit after `-`"));
        }
        text.parse()
            .map_err(|_| error(at, format!("number `{text}` does not fit in 64 bits")))
    }

    /// `'...'`: `\'` is a quote; any other backslash stays, with the character after it (so
    /// `\\` does not end the string on a following quote but keeps both backslashes, as the
    /// reference implementation and the compliance tests have it).
    fn raw_string(&mut self, at: usize) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            match self.bump() {
                Some('\'') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('\'') => out.push('\''),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => break,
                },
                Some(c) => out.push(c),
                None => break,
            }
        }
        Err(error(at, "unterminated raw string: no closing `'`"))
    }

    /// `` `json` ``: the text up to the closing backtick (`` \` `` is a backtick), as JSON.
    fn literal(&mut self, at: usize) -> Result<Lit, ParseError> {
        let start = self.pos;
        let mut json = String::new();
        // Where in `json` each `` \` `` became a backtick, so errors point into the expression.
        let mut escapes = Vec::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\\') => match self.bump() {
                    Some('`') => {
                        escapes.push(json.len());
                        json.push('`');
                    }
                    Some(c) => {
                        json.push('\\');
                        json.push(c);
                    }
                    None => return Err(error(at, "unterminated literal: no closing backtick")),
                },
                Some(c) => json.push(c),
                None => return Err(error(at, "unterminated literal: no closing backtick")),
            }
        }
        if json.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
            return Err(error(start, "expected a JSON value in the literal"));
        }
        let offset = |i: usize| start + i + escapes.iter().filter(|&&e| e < i).count();
        let node = parse_json(&json, "a literal", offset)?;
        to_lit(node, 0, &json, &offset)
    }

    /// `"..."`, at its opening quote: the text up to the closing quote (a backslash escapes
    /// the character after it), as a JSON string.
    fn quoted(&mut self, at: usize) -> Result<String, ParseError> {
        self.pos = at + 1;
        loop {
            let escaped = match self.bump() {
                Some('"') => break,
                Some('\\') => self.bump(),
                c => c,
            };
            if escaped.is_none() {
                return Err(error(at, "unterminated string: no closing `\"`"));
            }
        }
        let text = self.text.get(at..self.pos).unwrap_or_default();
        let node = parse_json(text, "a quoted identifier", |i| at + i)?;
        match node.value {
            JValue::String(name) => Ok(name),
            _ => Err(error(at, "expected a JSON string in a quoted identifier")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON (literals and quoted identifiers): `crate::model::json`, converted to `Lit`

/// Parses the JSON of a literal or a quoted identifier with the model's JSON parser.
/// `offset` maps a byte offset in `text` to one in the expression; `what` names the text in
/// messages.
fn parse_json(
    text: &str,
    what: &str,
    offset: impl Fn(usize) -> usize,
) -> Result<JNode, ParseError> {
    // The model's parser skips a byte order mark, which is no JSON whitespace here.
    if text.starts_with('\u{feff}') {
        return Err(error(
            offset(0),
            format!("invalid JSON in {what}: unexpected character U+FEFF"),
        ));
    }
    json::parse(text).map_err(|e| {
        error(
            offset(byte_offset(text, e.pos)),
            format!("invalid JSON in {what}: {}", e.message),
        )
    })
}

/// The byte offset in `text` of a 1-based line and column (columns count characters, as
/// `crate::model::json` counts them); the end of `text` when it is past the end.
fn byte_offset(text: &str, pos: Pos) -> usize {
    let (mut line, mut column) = (1u32, 1u32);
    for (i, c) in text.char_indices() {
        if (line, column) == (pos.line, pos.column) {
            return i;
        }
        if c == '\n' {
            line = line.saturating_add(1);
            column = 1;
        } else {
            column = column.saturating_add(1);
        }
    }
    text.len()
}

/// Converts a parsed JSON value to a literal at nesting `depth`: numbers must be finite
/// `f64`s, nesting at most [`MAX_JSON_DEPTH`] deep. `text` and `offset` place errors as in
/// [`parse_json`].
fn to_lit(
    node: JNode,
    depth: usize,
    text: &str,
    offset: &impl Fn(usize) -> usize,
) -> Result<Lit, ParseError> {
    let at = || offset(byte_offset(text, node.pos));
    if matches!(node.value, JValue::Array(_) | JValue::Object(_)) && depth >= MAX_JSON_DEPTH {
        return Err(error(
            at(),
            format!("literal nests more than {MAX_JSON_DEPTH} arrays and objects deep"),
        ));
    }
    let lit = match node.value {
        JValue::Null => Lit::Null,
        JValue::Bool(b) => Lit::Bool(b),
        JValue::Number(ref n) => match n.parse::<f64>() {
            Ok(n) if n.is_finite() => Lit::Number(n),
            _ => {
                return Err(error(
                    at(),
                    format!("number `{n}` is out of range for an f64"),
                ));
            }
        },
        JValue::String(s) => Lit::String(s),
        JValue::Array(items) => Lit::Array(
            items
                .into_iter()
                .map(|item| to_lit(item, depth + 1, text, offset))
                .collect::<Result<_, _>>()?,
        ),
        JValue::Object(entries) => Lit::Object(
            entries
                .into_iter()
                .map(|e| Ok((e.key, to_lit(e.value, depth + 1, text, offset)?)))
                .collect::<Result<_, ParseError>>()?,
        ),
    };
    Ok(lit)
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    /// Takes the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let matched = self.peek() == Some(c);
        if matched {
            self.pos += c.len_utf8();
        }
        matched
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

static EOF: Tok = Tok::Eof;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    end: usize,
}

type Parsed = Result<Ast, ParseError>;

fn boxed(a: Ast) -> Box<Ast> {
    Box::new(a)
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.tokens.get(self.pos + n).map_or(&EOF, |t| &t.tok)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        self.pos += 1;
        tok
    }

    fn unexpected(&self, context: &str) -> ParseError {
        let found = self.peek().describe();
        error(self.offset(), format!("unexpected {found} {context}"))
    }

    fn expected(&self, what: &str) -> ParseError {
        let found = self.peek().describe();
        error(self.offset(), format!("expected {what}, found {found}"))
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if *self.peek() == tok {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// An expression of tokens binding more than `rbp`.
    fn expression(&mut self, rbp: u8) -> Parsed {
        if self.depth == MAX_NESTING {
            return Err(error(
                self.offset(),
                format!("expression nested more than {MAX_NESTING} levels deep"),
            ));
        }
        self.depth += 1;
        let result = self.expression_at_depth(rbp);
        self.depth -= 1;
        result
    }

    fn expression_at_depth(&mut self, rbp: u8) -> Parsed {
        let mut left = self.nud()?;
        while rbp < self.peek().binding_power() {
            left = self.led(left)?;
        }
        Ok(left)
    }

    /// A token that starts an expression.
    fn nud(&mut self) -> Parsed {
        let at = self.offset();
        match self.advance() {
            Tok::Ident(name) => Ok(Ast::Field(name)),
            Tok::Quoted(name) if *self.peek() == Tok::LParen => Err(error(
                at,
                format!("a quoted identifier ({name:?}) cannot name a function"),
            )),
            Tok::Quoted(name) => Ok(Ast::Field(name)),
            Tok::Literal(lit) => Ok(Ast::Literal(lit)),
            Tok::At => Ok(Ast::Current),
            Tok::Star => {
                let right = self.projection_rhs(Tok::Star.binding_power())?;
                Ok(Ast::ValueProjection(boxed(Ast::Current), boxed(right)))
            }
            Tok::Flatten => self.flatten(Ast::Current),
            Tok::Filter => self.filter(Ast::Current),
            Tok::LBracket => self.bracket_nud(),
            Tok::LBrace => self.multi_hash(),
            Tok::LParen => {
                let inner = self.expression(0)?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(inner)
            }
            Tok::Not => Ok(Ast::Not(boxed(self.expression(Tok::Not.binding_power())?))),
            Tok::Amp => Ok(Ast::ExpRef(boxed(self.expression(0)?))),
            _ => {
                self.pos -= 1;
                Err(self.expected("an expression"))
            }
        }
    }

    /// A token that continues `left`.
    fn led(&mut self, left: Ast) -> Parsed {
        match self.advance() {
            Tok::Dot if *self.peek() == Tok::Star => {
                self.pos += 1;
                let right = self.projection_rhs(Tok::Dot.binding_power())?;
                Ok(Ast::ValueProjection(boxed(left), boxed(right)))
            }
            Tok::Dot => {
                let right = self.dot_rhs(Tok::Dot.binding_power())?;
                Ok(Ast::Sub(boxed(left), boxed(right)))
            }
            Tok::Pipe => self.binary(left, Tok::Pipe, Ast::Pipe),
            Tok::Or => self.binary(left, Tok::Or, Ast::Or),
            Tok::And => self.binary(left, Tok::And, Ast::And),
            Tok::Cmp(c) => {
                let right = self.expression(Tok::Cmp(c).binding_power())?;
                Ok(Ast::Compare(c, boxed(left), boxed(right)))
            }
            Tok::Flatten => self.flatten(left),
            Tok::Filter => self.filter(left),
            Tok::LBracket => self.bracket_led(left),
            Tok::LParen => self.call(left),
            _ => {
                self.pos -= 1;
                Err(self.unexpected("here"))
            }
        }
    }

    fn binary(&mut self, left: Ast, op: Tok, node: fn(Box<Ast>, Box<Ast>) -> Ast) -> Parsed {
        let right = self.expression(op.binding_power())?;
        Ok(node(boxed(left), boxed(right)))
    }

    /// The right side of a projection: the current value when the next token ends it.
    fn projection_rhs(&mut self, rbp: u8) -> Parsed {
        match self.peek() {
            tok if tok.binding_power() < PROJECTION_STOP => Ok(Ast::Current),
            Tok::LBracket | Tok::Filter => self.expression(rbp),
            Tok::Dot => {
                self.pos += 1;
                self.dot_rhs(rbp)
            }
            _ => Err(self.unexpected("after a projection")),
        }
    }

    /// What follows a `.`: an identifier (or a call), `*`, `[a, b]` or `{k: v}`.
    fn dot_rhs(&mut self, rbp: u8) -> Parsed {
        match self.peek() {
            Tok::Ident(_) | Tok::Quoted(_) | Tok::Star => self.expression(rbp),
            Tok::LBracket => {
                self.pos += 1;
                self.multi_list()
            }
            Tok::LBrace => {
                self.pos += 1;
                self.multi_hash()
            }
            _ => Err(self.expected("an identifier, `*`, `[` or `{` after `.`")),
        }
    }

    /// `left[]`, after the `[]`.
    fn flatten(&mut self, left: Ast) -> Parsed {
        let right = self.projection_rhs(Tok::Flatten.binding_power())?;
        Ok(Ast::Projection(
            boxed(Ast::Flatten(boxed(left))),
            boxed(right),
        ))
    }

    /// `left[?condition]`, after the `[?`.
    fn filter(&mut self, left: Ast) -> Parsed {
        let condition = self.expression(0)?;
        self.expect(Tok::RBracket, "`]` closing the filter")?;
        let right = self.projection_rhs(Tok::Filter.binding_power())?;
        Ok(Ast::FilterProjection {
            left: boxed(left),
            right: boxed(right),
            condition: boxed(condition),
        })
    }

    /// `[` starting an expression: an index or slice of `@`, `[*]`, or a multi-select list.
    fn bracket_nud(&mut self) -> Parsed {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Number(_) | Tok::Colon, _) => {
                let index = self.index()?;
                self.index_expr(Ast::Current, index)
            }
            (Tok::Star, Tok::RBracket) => {
                self.pos += 2;
                let right = self.projection_rhs(Tok::Star.binding_power())?;
                Ok(Ast::Projection(boxed(Ast::Current), boxed(right)))
            }
            _ => self.multi_list(),
        }
    }

    /// `left[`: an index, a slice or `[*]`.
    fn bracket_led(&mut self, left: Ast) -> Parsed {
        if let Tok::Number(_) | Tok::Colon = self.peek() {
            let index = self.index()?;
            return self.index_expr(left, index);
        }
        self.expect(Tok::Star, "a number, `:` or `*` after `[`")?;
        self.expect(Tok::RBracket, "`]` after `[*`")?;
        let right = self.projection_rhs(Tok::Star.binding_power())?;
        Ok(Ast::Projection(boxed(left), boxed(right)))
    }

    /// `left[n]`, or the projection of `left[a:b:c]`.
    fn index_expr(&mut self, left: Ast, index: Ast) -> Parsed {
        let is_slice = matches!(index, Ast::Slice(..));
        let indexed = Ast::IndexExpr(boxed(left), boxed(index));
        if !is_slice {
            return Ok(indexed);
        }
        let right = self.projection_rhs(Tok::Star.binding_power())?;
        Ok(Ast::Projection(boxed(indexed), boxed(right)))
    }

    /// `n]` or `a:b:c]`, after the `[`.
    fn index(&mut self) -> Parsed {
        if let Tok::Number(n) = *self.peek()
            && *self.peek_at(1) != Tok::Colon
        {
            self.pos += 1;
            self.expect(Tok::RBracket, "`]` or `:` after an index")?;
            return Ok(Ast::Index(n));
        }
        self.slice()
    }

    fn slice(&mut self) -> Parsed {
        let mut parts = [None; 3];
        let mut part = 0;
        let mut step_at = self.offset();
        loop {
            match self.peek() {
                Tok::RBracket => break,
                Tok::Colon if part < 2 => {
                    part += 1;
                    self.pos += 1;
                    step_at = self.offset();
                }
                Tok::Number(n) if parts[part].is_none() => {
                    parts[part] = Some(*n);
                    self.pos += 1;
                }
                _ if part == 2 => return Err(self.expected("a number or `]` in a slice")),
                _ => return Err(self.expected("a number, `:` or `]` in a slice")),
            }
        }
        self.pos += 1;
        if parts[2] == Some(0) {
            return Err(error(step_at, "a slice step cannot be 0"));
        }
        Ok(Ast::Slice(parts[0], parts[1], parts[2]))
    }

    /// `[a, b]`, after the `[`.
    fn multi_list(&mut self) -> Parsed {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            match self.peek() {
                Tok::RBracket => break,
                Tok::Comma => self.pos += 1,
                _ => return Err(self.expected("`,` or `]` in a multi-select list")),
            }
        }
        self.pos += 1;
        Ok(Ast::MultiList(items))
    }

    /// `{k: v, ...}`, after the `{`.
    fn multi_hash(&mut self) -> Parsed {
        let mut pairs = Vec::new();
        loop {
            let key = match self.peek() {
                Tok::Ident(k) | Tok::Quoted(k) => k.clone(),
                _ => return Err(self.expected("a key in a multi-select hash")),
            };
            self.pos += 1;
            self.expect(Tok::Colon, "`:` after a key in a multi-select hash")?;
            pairs.push((key, self.expression(0)?));
            match self.peek() {
                Tok::RBrace => break,
                Tok::Comma => self.pos += 1,
                _ => return Err(self.expected("`,` or `}` in a multi-select hash")),
            }
        }
        self.pos += 1;
        Ok(Ast::MultiHash(pairs))
    }

    /// `name(args...)`, after the `(`: `left` must be the identifier just before it.
    fn call(&mut self, left: Ast) -> Parsed {
        let name_at = self.pos.checked_sub(2).and_then(|i| self.tokens.get(i));
        let (
            Some(Token {
                tok: Tok::Ident(_),
                at,
            }),
            Ast::Field(name),
        ) = (name_at, &left)
        else {
            self.pos -= 1;
            return Err(self.unexpected("(a function name is an unquoted identifier)"));
        };
        let at = *at;
        let args = self.arguments()?;
        let Some(sig) = FUNCTIONS.iter().find(|s| s.name == name) else {
            return Err(error(at, format!("unknown function `{name}`")));
        };
        let arity_ok = if sig.variadic {
            args.len() >= sig.args
        } else {
            args.len() == sig.args
        };
        if !arity_ok {
            let (least, s) = (
                if sig.variadic { "at least " } else { "" },
                plural(sig.args),
            );
            let message = format!(
                "`{name}` takes {least}{} argument{s}, found {}",
                sig.args,
                args.len()
            );
            return Err(error(at, message));
        }
        Ok(Ast::Function(sig.func, args))
    }

    /// `a, b)`, after the `(`.
    fn arguments(&mut self) -> Result<Vec<Ast>, ParseError> {
        let mut args = Vec::new();
        if *self.peek() == Tok::RParen {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expression(0)?);
            match self.peek() {
                Tok::RParen => break,
                Tok::Comma => self.pos += 1,
                _ => return Err(self.expected("`,` or `)` in a function call")),
            }
        }
        self.pos += 1;
        Ok(args)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ---------------------------------------------------------------------------------------------
// Emission

impl Ast {
    /// The runtime tree, `rt` being the runtime crate's path (`::anvil_runtime`): a constant
    /// expression of type `#rt::jmespath::Expr`, nested nodes as `&'static` references.
    pub(crate) fn to_tokens(&self, rt: &TokenStream) -> TokenStream {
        let e = quote!(#rt::jmespath::Expr);
        let node = |a: &Ast| {
            let tokens = a.to_tokens(rt);
            quote!(&#tokens)
        };
        let list = |items: &[Ast]| {
            let items = items.iter().map(|a| a.to_tokens(rt));
            quote!(&[#(#items),*])
        };
        match self {
            Ast::Current => quote!(#e::Current),
            Ast::Literal(lit) => {
                let lit = lit.to_tokens(rt);
                quote!(#e::Literal(#lit))
            }
            Ast::Field(name) => {
                let name = proc_macro2::Literal::string(name);
                quote!(#e::Field(#name))
            }
            Ast::Index(n) => {
                let n = i64_tokens(*n);
                quote!(#e::Index(#n))
            }
            Ast::Slice(start, stop, step) => {
                let [start, stop, step] = [start, stop, step].map(option_tokens);
                quote!(#e::Slice(#start, #stop, #step))
            }
            Ast::Sub(a, b) => pair(&e, "Sub", node(a), node(b)),
            Ast::IndexExpr(a, b) => pair(&e, "IndexExpr", node(a), node(b)),
            Ast::Projection(a, b) => pair(&e, "Projection", node(a), node(b)),
            Ast::ValueProjection(a, b) => pair(&e, "ValueProjection", node(a), node(b)),
            Ast::And(a, b) => pair(&e, "And", node(a), node(b)),
            Ast::Or(a, b) => pair(&e, "Or", node(a), node(b)),
            Ast::Pipe(a, b) => pair(&e, "Pipe", node(a), node(b)),
            Ast::FilterProjection {
                left,
                right,
                condition,
            } => {
                let (left, right, condition) = (node(left), node(right), node(condition));
                quote!(#e::FilterProjection { left: #left, right: #right, condition: #condition })
            }
            Ast::Flatten(a) => {
                let a = node(a);
                quote!(#e::Flatten(#a))
            }
            Ast::Not(a) => {
                let a = node(a);
                quote!(#e::Not(#a))
            }
            Ast::ExpRef(a) => {
                let a = node(a);
                quote!(#e::ExpRef(#a))
            }
            Ast::Compare(c, a, b) => {
                let c = variant(quote!(#rt::jmespath::Comparator), cmp_variant(*c));
                let (a, b) = (node(a), node(b));
                quote!(#e::Compare(#c, #a, #b))
            }
            Ast::MultiList(items) => {
                let items = list(items);
                quote!(#e::MultiList(#items))
            }
            Ast::MultiHash(pairs) => {
                let keys = pairs.iter().map(|(k, _)| proc_macro2::Literal::string(k));
                let values = pairs.iter().map(|(_, v)| v.to_tokens(rt));
                quote!(#e::MultiHash(&[#((#keys, #values)),*]))
            }
            Ast::Function(f, args) => {
                let f = variant(quote!(#rt::jmespath::Function), f.signature().variant);
                let args = list(args);
                quote!(#e::Function(#f, #args))
            }
        }
    }
}

impl Lit {
    /// The runtime's `Literal`, as a constant expression.
    fn to_tokens(&self, rt: &TokenStream) -> TokenStream {
        let l = quote!(#rt::jmespath::Literal);
        match self {
            Lit::Null => quote!(#l::Null),
            Lit::Bool(b) => quote!(#l::Bool(#b)),
            Lit::Number(n) => {
                let n = f64_tokens(*n);
                quote!(#l::Number(#n))
            }
            Lit::String(s) => {
                let s = proc_macro2::Literal::string(s);
                quote!(#l::String(#s))
            }
            Lit::Array(items) => {
                let items = items.iter().map(|v| v.to_tokens(rt));
                quote!(#l::Array(&[#(#items),*]))
            }
            Lit::Object(members) => {
                let keys = members.iter().map(|(k, _)| proc_macro2::Literal::string(k));
                let values = members.iter().map(|(_, v)| v.to_tokens(rt));
                quote!(#l::Object(&[#((#keys, #values)),*]))
            }
        }
    }
}

fn pair(e: &TokenStream, name: &str, a: TokenStream, b: TokenStream) -> TokenStream {
    let name = Ident::new(name, Span::call_site());
    quote!(#e::#name(#a, #b))
}

fn variant(ty: TokenStream, name: &str) -> TokenStream {
    let name = Ident::new(name, Span::call_site());
    quote!(#ty::#name)
}

fn cmp_variant(c: Cmp) -> &'static str {
    match c {
        Cmp::Eq => "Eq",
        Cmp::Ne => "Ne",
        Cmp::Lt => "Lt",
        Cmp::Le => "Le",
        Cmp::Gt => "Gt",
        Cmp::Ge => "Ge",
    }
}

fn i64_tokens(n: i64) -> TokenStream {
    let abs = proc_macro2::Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 { quote!(-#abs) } else { quote!(#abs) }
}

fn option_tokens(n: &Option<i64>) -> TokenStream {
    match n {
        Some(n) => {
            let n = i64_tokens(*n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// A float constant: a literal with a `.` or an exponent (`1.0`), a leading `-` when
/// negative; the parser never makes a non-finite number, but one is still written validly.
fn f64_tokens(n: f64) -> TokenStream {
    if n.is_nan() {
        return quote!(::core::primitive::f64::NAN);
    }
    if n.is_infinite() {
        return if n > 0.0 {
            quote!(::core::primitive::f64::INFINITY)
        } else {
            quote!(::core::primitive::f64::NEG_INFINITY)
        };
    }
    let abs = proc_macro2::Literal::f64_unsuffixed(n.abs());
    if n.is_sign_negative() {
        quote!(-#abs)
    } else {
        quote!(#abs)
    }
}

#[cfg(test)]
mod tests;
