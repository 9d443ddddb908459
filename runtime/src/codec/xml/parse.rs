//! A small, non-validating XML parser into a DOM.
//!
//! Iterative (an explicit stack of open elements), so hostile nesting cannot exhaust the
//! stack; nesting beyond [`MAX_DEPTH`] is an error. Line ends are normalised (`\r\n` and `\r`
//! become `\n`) and attribute values have their literal tabs and line ends replaced by spaces,
//! as the XML specification requires; character references are kept as written, so
//! `&#xD;` stays a carriage return.

use std::borrow::Cow;

use crate::codec::DeError;

/// Most elements nested in a document.
const MAX_DEPTH: usize = 100;

/// The longest entity or character reference accepted, between `&` and `;`.
const MAX_REFERENCE: usize = 32;

/// An element: its qualified name, attributes and children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// The qualified name as written (`ns:Foo`).
    pub name: String,
    /// The attributes in document order, names as written (`xmlns` declarations included),
    /// values with references resolved.
    pub attributes: Vec<(String, String)>,
    /// Child elements and text, in document order. Adjacent text, CDATA sections and
    /// references form one text node; comments and processing instructions are dropped.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (text and CDATA sections).
    Text(String),
}

impl Element {
    /// The name without its prefix (`Foo` for `ns:Foo`).
    pub fn local_name(&self) -> &str {
        local(&self.name)
    }

    /// The namespace prefix of the name (`ns` for `ns:Foo`), if any.
    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(prefix, _)| prefix)
    }

    /// The value of the attribute named `name` (qualified, as written).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements, in order.
    pub fn child_elements(&self) -> impl Iterator<Item = &Element> + '_ {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text directly inside the element (all text nodes concatenated; empty if none).
    /// Borrowed unless there are several text nodes.
    pub fn text(&self) -> Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        });
        let Some(first) = texts.next() else {
            return Cow::Borrowed("");
        };
        match texts.next() {
            None => Cow::Borrowed(first),
            Some(second) => {
                let mut all = String::from(first);
                all.push_str(second);
                texts.for_each(|t| all.push_str(t));
                Cow::Owned(all)
            }
        }
    }

    /// The first child element whose local name is `local`.
    pub fn first_child(&self, local: &str) -> Option<&Element> {
        self.child_elements().find(|e| e.local_name() == local)
    }
}

/// The local part of a qualified name.
pub(super) fn local(name: &str) -> &str {
    name.split_once(':').map_or(name, |(_, local)| local)
}

/// XML white space (`S`): space, tab, line feed, carriage return.
pub(super) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Parses a UTF-8 XML document (an optional byte-order mark, declaration, comments and
/// processing instructions around one root element) into its root element.
///
/// Errors say what was wrong and at which byte, never quoting text or attribute values. A
/// DOCTYPE is refused (entities are never expanded), as are references other than the five
/// predefined entities and character references to XML characters.
pub fn parse(bytes: &[u8]) -> Result<Element, DeError> {
    let src = std::str::from_utf8(bytes).map_err(|e| error(e.valid_up_to(), "invalid UTF-8"))?;
    let (src, base) = match src.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (src, 0),
    };
    Parser {
        src,
        pos: 0,
        base,
        stack: Vec::new(),
        root: None,
    }
    .run()
}

fn error(at: usize, what: &str) -> DeError {
    DeError::new("", format!("well-formed XML ({what} at byte {at})"))
}

struct Parser<'a> {
    src: &'a str,
    /// Offset in `src`; always on a character boundary.
    pos: usize,
    /// Bytes before `src` in the input (a byte-order mark), for error offsets.
    base: usize,
    /// The open elements, innermost last.
    stack: Vec<Element>,
    root: Option<Element>,
}

impl<'a> Parser<'a> {
    fn run(mut self) -> Result<Element, DeError> {
        loop {
            if self.stack.is_empty() {
                self.skip_space();
            }
            if self.rest().is_empty() {
                break;
            }
            self.step()?;
        }
        if let Some(open) = self.stack.last() {
            let what = format!("end of input inside <{}>", short(&open.name));
            return Err(self.err(&what));
        }
        match self.root.take() {
            Some(root) => Ok(root),
            None => Err(self.err("no root element")),
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    fn err(&self, what: &str) -> DeError {
        error(self.base + self.pos, what)
    }

    /// Consumes `s` if the input continues with it.
    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    /// Skips white space; whether there was any.
    fn skip_space(&mut self) -> bool {
        let rest = self.rest();
        let n = rest.len() - rest.trim_start_matches(is_xml_space).len();
        self.pos += n;
        n > 0
    }

    /// Skips past the next `end`, or fails with `what`.
    fn skip_past(&mut self, end: &str, what: &str) -> Result<&'a str, DeError> {
        let rest = self.rest();
        let Some(i) = rest.find(end) else {
            return Err(self.err(what));
        };
        self.pos += i + end.len();
        Ok(rest.get(..i).unwrap_or_default())
    }

    /// One construct: markup, or the text up to the next markup.
    fn step(&mut self) -> Result<(), DeError> {
        let rest = self.rest();
        let outside = self.stack.is_empty();
        if self.eat("<?") {
            self.skip_past("?>", "an unterminated processing instruction")?;
        } else if self.eat("<!--") {
            self.skip_past("-->", "an unterminated comment")?;
        } else if rest.starts_with("<![CDATA[") && !outside {
            self.pos += "<![CDATA[".len();
            let start = self.pos;
            let data = self.skip_past("]]>", "an unterminated CDATA section")?;
            let data = decode(data, self.base + start, Mode::Cdata)?;
            self.push_text(data);
        } else if rest.starts_with("<!DOCTYPE") {
            return Err(self.err("a DOCTYPE, which is not supported"));
        } else if rest.starts_with("<!") {
            return Err(self.err("unexpected markup"));
        } else if rest.starts_with("</") {
            self.end_tag()?;
        } else if rest.starts_with('<') {
            if outside && self.root.is_some() {
                return Err(self.err("a second root element"));
            }
            self.start_tag()?;
        } else if outside {
            return Err(self.err("text outside the root element"));
        } else {
            self.text()?;
        }
        Ok(())
    }

    fn text(&mut self) -> Result<(), DeError> {
        let rest = self.rest();
        let len = rest.find('<').unwrap_or(rest.len());
        let raw = rest.get(..len).unwrap_or_default();
        let text = decode(raw, self.base + self.pos, Mode::Text)?;
        self.pos += len;
        self.push_text(text);
        Ok(())
    }

    fn push_text(&mut self, text: Cow<'_, str>) {
        if text.is_empty() {
            return;
        }
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        match parent.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(&text),
            _ => parent.children.push(Node::Text(text.into_owned())),
        }
    }

    /// A name: a letter, `_`, `:` or non-ASCII character, then those, digits, `-` and `.`.
    fn name(&mut self) -> Result<&'a str, DeError> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let start_ok = bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b':') || *b >= 0x80);
        if !start_ok {
            return Err(self.err("expected a name"));
        }
        let len = bytes
            .iter()
            .position(|b| {
                !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.') || *b >= 0x80)
            })
            .unwrap_or(bytes.len());
        self.pos += len;
        // `len` is at an ASCII byte or the end: a character boundary.
        Ok(rest.get(..len).unwrap_or_default())
    }

    fn start_tag(&mut self) -> Result<(), DeError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err("elements nested more than 100 deep"));
        }
        self.pos += 1;
        let mut element = Element {
            name: self.name()?.to_owned(),
            ..Element::default()
        };
        loop {
            let space = self.skip_space();
            if self.eat("/>") {
                self.finish(element);
                return Ok(());
            }
            if self.eat(">") {
                self.stack.push(element);
                return Ok(());
            }
            if !space {
                return Err(self.err("expected white space, `>` or `/>` in a start tag"));
            }
            let at = self.pos;
            let (name, value) = self.attribute()?;
            if element.attributes.iter().any(|(n, _)| n == name) {
                return Err(error(self.base + at, "a repeated attribute"));
            }
            element.attributes.push((name.to_owned(), value));
        }
    }

    fn attribute(&mut self) -> Result<(&'a str, String), DeError> {
        let name = self.name()?;
        self.skip_space();
        if !self.eat("=") {
            return Err(self.err("expected `=` after an attribute name"));
        }
        self.skip_space();
        let quote = match self.rest().as_bytes().first() {
            Some(b'"') => "\"",
            Some(b'\'') => "'",
            _ => return Err(self.err("expected a quoted attribute value")),
        };
        self.pos += 1;
        let start = self.pos;
        let raw = self.skip_past(quote, "an unterminated attribute value")?;
        if let Some(i) = raw.find('<') {
            return Err(error(self.base + start + i, "`<` in an attribute value"));
        }
        let value = decode(raw, self.base + start, Mode::Attribute)?;
        Ok((name, value.into_owned()))
    }

    fn end_tag(&mut self) -> Result<(), DeError> {
        let at = self.pos;
        self.pos += 2;
        let name = self.name()?;
        self.skip_space();
        if !self.eat(">") {
            return Err(self.err("expected `>` in an end tag"));
        }
        match self.stack.pop() {
            Some(open) if open.name == name => {
                self.finish(open);
                Ok(())
            }
            Some(open) => {
                let what = format!(
                    "mismatched end tag </{}>, expected </{}>",
                    short(name),
                    short(&open.name)
                );
                Err(error(self.base + at, &what))
            }
            None => Err(error(self.base + at, "an end tag outside the root element")),
        }
    }

    /// A complete element goes to its parent, or becomes the root.
    fn finish(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.root = Some(element),
        }
    }
}

/// A name for an error message, cut to 64 characters.
fn short(name: &str) -> Cow<'_, str> {
    match name.char_indices().nth(64) {
        Some((i, _)) => Cow::Owned(format!("{}…", name.get(..i).unwrap_or_default())),
        None => Cow::Borrowed(name),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Cdata,
    Attribute,
}

/// Character data with line ends normalised and, except in CDATA, references resolved; in
/// attribute values tabs and line ends become spaces. `at` is the offset of `raw`, for errors.
fn decode(raw: &str, at: usize, mode: Mode) -> Result<Cow<'_, str>, DeError> {
    let special = |b: &u8| match b {
        b'&' => mode != Mode::Cdata,
        b'\r' => true,
        b'\t' | b'\n' => mode == Mode::Attribute,
        _ => false,
    };
    let bytes = raw.as_bytes();
    if !bytes.iter().any(special) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let (mut i, mut run) = (0, 0);
    let space = if mode == Mode::Attribute { ' ' } else { '\n' };
    while let Some(b) = bytes.get(i) {
        if !special(b) {
            i += 1;
            continue;
        }
        // Every special byte is ASCII, so `run..i` is on character boundaries.
        out.push_str(raw.get(run..i).unwrap_or_default());
        match b {
            b'&' => {
                let tail = bytes.get(i + 1..).unwrap_or_default();
                let semi = tail.iter().take(MAX_REFERENCE + 1).position(|c| *c == b';');
                let name = semi.and_then(|n| raw.get(i + 1..i + 1 + n));
                let Some(c) = name.and_then(reference) else {
                    return Err(error(at + i, "an invalid or unknown reference"));
                };
                out.push(c);
                i += name.map_or(0, str::len) + 2;
            }
            b'\r' => {
                out.push(space);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            _ => {
                out.push(space);
                i += 1;
            }
        }
        run = i;
    }
    out.push_str(raw.get(run..).unwrap_or_default());
    Ok(Cow::Owned(out))
}

/// The character of a reference (`amp`, `#60`, `#x3C`), if it is a predefined entity or a
/// character reference to a character XML allows.
fn reference(name: &str) -> Option<char> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let number = name.strip_prefix('#')?;
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, radix).ok()?)?
        }
    };
    is_xml_char(c).then_some(c)
}

/// `Char` of XML 1.0: what a character reference may produce.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}
