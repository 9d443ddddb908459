//! Smithy `documentation` (a small HTML dialect) to Markdown for `#[doc]`.
//!
//! [`html_to_markdown`] runs a tolerant tokenizer, builds a depth-bounded
//! element tree, and renders it. The output is safe to paste into generated
//! code: it never contains raw HTML (`<` is escaped or part of an autolink),
//! never forms intra-doc links (`[`/`]` in text are escaped), has no control
//! characters or Unicode bidi overrides, fences code blocks as `text` (so no
//! doctest is compiled), and turns bare URLs into `<https://...>` autolinks,
//! so rustdoc's default lints stay quiet.
//!
//! Supported: `p`, `br`, `a href` (http, https and mailto only; other links
//! keep their text), `code`, `pre`, `b`/`strong`, `i`/`em`, `ul`/`ol`/`li`
//! (nested, `ol start`), `dl`/`dt`/`dd` (a bullet per term), `note` /
//! `important` (block quotes), `h1`–`h6`, the usual entities. `script` and
//! `style` are dropped with their content; other unknown tags are dropped and
//! their text kept, except inside `code`/`pre`, where a tag that is not an
//! HTML element (`<region>` in `arn:aws:iot:<region>:...`) is kept as text.

/// Deepest element nesting kept; deeper start tags are ignored (their text is kept).
const MAX_DEPTH: usize = 48;

/// Converts Smithy documentation HTML (or plain text) to Markdown.
pub fn html_to_markdown(html: &str) -> String {
    let tree = build_tree(tokenize(html));
    let mut blocks = Vec::new();
    render_blocks(&tree, &mut blocks);
    let parts: Vec<&str> = blocks
        .iter()
        .map(|b| b.text.trim_end())
        .filter(|t| !t.is_empty())
        .collect();
    parts.join("\n\n").trim().to_owned()
}

// ---------------------------------------------------------------- tokenizer

#[derive(Debug)]
enum Token {
    Text(String),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
        raw: String,
    },
    End {
        name: String,
        raw: String,
    },
}

/// HTML elements (plus Smithy's `note`, `important`, `fullname`); a tag
/// outside this list inside `code`/`pre` is literal text.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "fullname",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "img",
    "important",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "meta",
    "nav",
    "note",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "script",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

const VOID_TAGS: &[&str] = &["br", "hr", "img", "col", "meta", "wbr"];

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "fullname",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "important",
    "li",
    "main",
    "nav",
    "note",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Removes characters that must never reach the output, and normalises
/// line separators. Returns `None` for a removed character.
fn clean_char(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => Some(c),
        '\r' | '\u{0b}' | '\u{0c}' | '\u{2028}' | '\u{2029}' => Some('\n'),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{feff}' => None,
        c if c.is_control() => None,
        c => Some(c),
    }
}

fn push_clean(out: &mut String, s: &str) {
    let mut prev_cr = false;
    for c in s.chars() {
        // CRLF is one line break
        if c == '\n' && prev_cr {
            prev_cr = false;
            continue;
        }
        prev_cr = c == '\r';
        if let Some(c) = clean_char(c) {
            out.push(c);
        }
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "times" => '×',
        "deg" => '°',
        "euro" => '€',
        "rarr" => '→',
        "larr" => '←',
        _ => return None,
    })
}

/// Decodes one entity at the start of `s` (which starts with `&`); returns
/// the character and the number of bytes consumed.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let body = s.get(1..)?;
    // entity names are short: look no further than 33 characters
    let (end, _) = body.char_indices().take(33).find(|&(_, c)| c == ';')?;
    if end == 0 {
        return None;
    }
    let name = body.get(..end)?;
    let consumed = end + 2;
    if let Some(num) = name.strip_prefix('#') {
        let value = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            if hex.is_empty() || hex.len() > 8 {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || num.len() > 10 || !num.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        };
        let c = match char::from_u32(value) {
            Some('\0') | None => '\u{fffd}',
            Some(c) => c,
        };
        return Some((c, consumed));
    }
    named_entity(name).map(|c| (c, consumed))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let tail = rest.get(pos..).unwrap_or("");
        match decode_entity(tail) {
            Some((c, n)) => {
                out.push(c);
                rest = tail.get(n..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    let mut clean = String::with_capacity(out.len());
    push_clean(&mut clean, &out);
    clean
}

/// Parses a tag starting at `s` (which starts with `<`). Returns the token
/// and the bytes consumed, or `None` if this `<` is text.
fn parse_tag(s: &str) -> Option<(Token, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let end_tag = bytes.get(1) == Some(&b'/');
    if end_tag {
        i = 2;
    }
    if !bytes.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    let name_start = i;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
    {
        i += 1;
    }
    let name = s.get(name_start..i)?.to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => {
                self_closing = true;
                i += 1;
                continue;
            }
            b'<' => return None,
            _ => {}
        }
        self_closing = false;
        let an_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/' | b'<'))
        {
            i += 1;
        }
        if i == an_start {
            // stray `=`
            i += 1;
            continue;
        }
        let attr_name = s.get(an_start..i)?.to_ascii_lowercase();
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vstart = i + 1;
                    let len = s.get(vstart..)?.find(char::from(q))?;
                    value = decode_entities(s.get(vstart..vstart + len)?);
                    i = vstart + len + 1;
                }
                _ => {
                    let vstart = i;
                    while bytes
                        .get(i)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                    {
                        i += 1;
                    }
                    value = decode_entities(s.get(vstart..i)?);
                }
            }
        }
        attrs.push((attr_name, value));
    }
    let raw = s.get(..i)?.to_owned();
    let token = if end_tag {
        Token::End { name, raw }
    } else {
        Token::Start {
            name,
            attrs,
            self_closing,
            raw,
        }
    };
    Some((token, i))
}

/// Byte offset of `</name` (ASCII case-insensitive) in `s`.
fn find_end_tag(s: &str, name: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let name = name.as_bytes();
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|r| r.find("</")) {
        let at = from + pos;
        let candidate = bytes.get(at + 2..at + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        text.push_str(rest.get(..pos).unwrap_or(""));
        let tail = rest.get(pos..).unwrap_or("");
        // comments, doctype, processing instructions: dropped
        if let Some(after) = tail.strip_prefix("<!--") {
            rest = after
                .find("-->")
                .and_then(|e| after.get(e + 3..))
                .unwrap_or("");
            continue;
        }
        if (tail.starts_with("<!") || tail.starts_with("<?"))
            && let Some(e) = tail.find('>')
        {
            rest = tail.get(e + 1..).unwrap_or("");
            continue;
        }
        match parse_tag(tail) {
            Some((token, used)) => {
                if !text.is_empty() {
                    tokens.push(Token::Text(decode_entities(&text)));
                    text.clear();
                }
                rest = tail.get(used..).unwrap_or("");
                if let Token::Start {
                    name,
                    self_closing: false,
                    ..
                } = &token
                    && (name == "script" || name == "style")
                {
                    // raw-text element: drop everything up to its end tag
                    rest = match find_end_tag(rest, name) {
                        Some(e) => {
                            let after = rest.get(e..).unwrap_or("");
                            after
                                .find('>')
                                .and_then(|g| after.get(g + 1..))
                                .unwrap_or("")
                        }
                        None => "",
                    };
                    continue;
                }
                tokens.push(token);
            }
            None => {
                text.push('<');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        tokens.push(Token::Text(decode_entities(&text)));
    }
    tokens
}

// ---------------------------------------------------------------- tree

#[derive(Debug)]
enum Node {
    Text(String),
    Elem(Elem),
}

#[derive(Debug)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Elem {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn build_tree(tokens: Vec<Token>) -> Vec<Node> {
    let mut root: Vec<Node> = Vec::new();
    let mut stack: Vec<Elem> = Vec::new();

    fn children<'a>(root: &'a mut Vec<Node>, stack: &'a mut [Elem]) -> &'a mut Vec<Node> {
        match stack.last_mut() {
            Some(e) => &mut e.children,
            None => root,
        }
    }
    fn pop(root: &mut Vec<Node>, stack: &mut Vec<Elem>) {
        if let Some(e) = stack.pop() {
            children(root, stack).push(Node::Elem(e));
        }
    }
    /// Pops up to and including the innermost `target` if it is open above
    /// every element in `barrier`.
    fn close_implied(
        root: &mut Vec<Node>,
        stack: &mut Vec<Elem>,
        target: &[&str],
        barrier: &[&str],
    ) {
        let found = stack
            .iter()
            .rposition(|e| target.contains(&e.name.as_str()) || barrier.contains(&e.name.as_str()));
        if let Some(idx) = found
            && stack
                .get(idx)
                .is_some_and(|e| target.contains(&e.name.as_str()))
        {
            while stack.len() > idx {
                pop(root, stack);
            }
        }
    }

    for token in tokens {
        let in_code = stack.iter().any(|e| e.name == "code" || e.name == "pre");
        match token {
            Token::Text(t) => children(&mut root, &mut stack).push(Node::Text(t)),
            Token::Start {
                name,
                attrs,
                self_closing,
                raw,
            } => {
                if !KNOWN_TAGS.contains(&name.as_str()) {
                    if in_code {
                        let mut text = String::new();
                        push_clean(&mut text, &raw);
                        children(&mut root, &mut stack).push(Node::Text(text));
                    }
                    continue;
                }
                match name.as_str() {
                    "li" => close_implied(&mut root, &mut stack, &["li"], &["ul", "ol"]),
                    "dt" | "dd" => close_implied(&mut root, &mut stack, &["dt", "dd"], &["dl"]),
                    _ => {}
                }
                if BLOCK_TAGS.contains(&name.as_str()) {
                    close_implied(
                        &mut root,
                        &mut stack,
                        &["p"],
                        &[
                            "li",
                            "dd",
                            "dt",
                            "note",
                            "important",
                            "div",
                            "blockquote",
                            "td",
                        ],
                    );
                }
                let elem = Elem {
                    name,
                    attrs,
                    children: Vec::new(),
                };
                if self_closing || VOID_TAGS.contains(&elem.name.as_str()) {
                    children(&mut root, &mut stack).push(Node::Elem(elem));
                } else if stack.len() < MAX_DEPTH {
                    stack.push(elem);
                }
            }
            Token::End { name, raw } => {
                if !KNOWN_TAGS.contains(&name.as_str()) {
                    if in_code {
                        let mut text = String::new();
                        push_clean(&mut text, &raw);
                        children(&mut root, &mut stack).push(Node::Text(text));
                    }
                    continue;
                }
                if let Some(idx) = stack.iter().rposition(|e| e.name == name) {
                    while stack.len() > idx {
                        pop(&mut root, &mut stack);
                    }
                }
            }
        }
    }
    while !stack.is_empty() {
        pop(&mut root, &mut stack);
    }
    root
}

// ---------------------------------------------------------------- rendering

struct Block {
    para: bool,
    text: String,
}

fn is_block(node: &Node) -> bool {
    match node {
        Node::Text(_) => false,
        Node::Elem(e) => {
            BLOCK_TAGS.contains(&e.name.as_str())
                || (e.name != "code" && e.children.iter().any(is_block))
        }
    }
}

fn render_blocks(nodes: &[Node], out: &mut Vec<Block>) {
    let mut inline = Inline::default();
    for node in nodes {
        if !is_block(node) {
            inline.node(node);
            continue;
        }
        flush(&mut inline, out);
        let Node::Elem(e) = node else { continue };
        match e.name.as_str() {
            "ul" | "ol" => render_list(e, out),
            "dl" => render_dl(e, out),
            "pre" => render_pre(e, out),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e
                    .name
                    .get(1..)
                    .and_then(|l| l.parse::<usize>().ok())
                    .unwrap_or(1);
                let mut h = Inline {
                    single_line: true,
                    ..Inline::default()
                };
                h.nodes(&e.children);
                let text = escape_line_starts(&h.finish());
                if !text.is_empty() {
                    out.push(Block {
                        para: false,
                        text: format!("{} {text}", "#".repeat(level)),
                    });
                }
            }
            "note" | "important" => {
                let label = if e.name == "note" {
                    "**Note:**"
                } else {
                    "**Important:**"
                };
                let mut inner = Vec::new();
                render_blocks(&e.children, &mut inner);
                match inner.first_mut() {
                    Some(first) if first.para => first.text = format!("{label} {}", first.text),
                    _ => inner.insert(
                        0,
                        Block {
                            para: true,
                            text: label.to_owned(),
                        },
                    ),
                }
                let joined = join_blocks(&inner);
                let quoted: Vec<String> = joined
                    .lines()
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_owned()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect();
                out.push(Block {
                    para: false,
                    text: quoted.join("\n"),
                });
            }
            "hr" => {}
            _ => render_blocks(&e.children, out),
        }
    }
    flush(&mut inline, out);
}

fn flush(inline: &mut Inline, out: &mut Vec<Block>) {
    let text = std::mem::take(inline).finish();
    let text = escape_line_starts(&text);
    if !text.trim().is_empty() {
        out.push(Block { para: true, text });
    }
}

fn join_blocks(blocks: &[Block]) -> String {
    let parts: Vec<&str> = blocks
        .iter()
        .map(|b| b.text.trim_end())
        .filter(|t| !t.is_empty())
        .collect();
    parts.join("\n\n")
}

fn push_list(items: &[String], ordered: Option<u64>, out: &mut Vec<Block>) {
    let mut lines = Vec::new();
    let mut number = ordered.unwrap_or(1);
    for item in items.iter().filter(|i| !i.trim().is_empty()) {
        let marker = match ordered {
            Some(_) => format!("{number}. "),
            None => "- ".to_owned(),
        };
        number = number.saturating_add(1).min(999_999_999);
        let indent = " ".repeat(marker.len());
        for (i, line) in item.lines().enumerate() {
            if i == 0 {
                lines.push(format!("{marker}{line}"));
            } else if line.is_empty() {
                lines.push(String::new());
            } else {
                lines.push(format!("{indent}{line}"));
            }
        }
    }
    if !lines.is_empty() {
        out.push(Block {
            para: false,
            text: lines.join("\n"),
        });
    }
}

fn render_list(e: &Elem, out: &mut Vec<Block>) {
    let mut items = Vec::new();
    let mut loose: Vec<&Node> = Vec::new();
    fn take_loose(loose: &mut Vec<&Node>, items: &mut Vec<String>) {
        if loose.is_empty() {
            return;
        }
        let mut blocks = Vec::new();
        render_refs(loose, &mut blocks);
        items.push(join_blocks(&blocks));
        loose.clear();
    }
    for child in &e.children {
        match child {
            Node::Elem(li) if li.name == "li" => {
                take_loose(&mut loose, &mut items);
                let mut blocks = Vec::new();
                render_blocks(&li.children, &mut blocks);
                items.push(join_blocks(&blocks));
            }
            Node::Text(t) if t.trim().is_empty() => {}
            other => loose.push(other),
        }
    }
    take_loose(&mut loose, &mut items);
    let ordered = (e.name == "ol").then(|| {
        e.attr("start")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .min(999_999_999)
    });
    push_list(&items, ordered, out);
}

/// `render_blocks` over borrowed nodes that are not in one slice.
fn render_refs(nodes: &[&Node], out: &mut Vec<Block>) {
    let mut inline = Inline::default();
    for node in nodes {
        if is_block(node) {
            flush(&mut inline, out);
            render_blocks(std::slice::from_ref(*node), out);
        } else {
            inline.node(node);
        }
    }
    flush(&mut inline, out);
}

fn render_dl(e: &Elem, out: &mut Vec<Block>) {
    let mut items: Vec<Vec<Block>> = Vec::new();
    for child in &e.children {
        match child {
            Node::Elem(dt) if dt.name == "dt" => {
                let mut term = Inline::default();
                term.open("**");
                term.nodes(&dt.children);
                term.close("**");
                let text = escape_line_starts(&term.finish());
                if !text.is_empty() {
                    items.push(vec![Block { para: true, text }]);
                }
            }
            Node::Elem(dd) if dd.name == "dd" => {
                let mut blocks = Vec::new();
                render_blocks(&dd.children, &mut blocks);
                match items.last_mut() {
                    Some(item) => item.extend(blocks),
                    None => items.push(blocks),
                }
            }
            Node::Text(t) if t.trim().is_empty() => {}
            other => {
                let mut blocks = Vec::new();
                render_blocks(std::slice::from_ref(other), &mut blocks);
                items.push(blocks);
            }
        }
    }
    let items: Vec<String> = items.iter().map(|b| join_blocks(b)).collect();
    push_list(&items, None, out);
}

fn raw_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Elem(e) if e.name == "br" => out.push('\n'),
            Node::Elem(e) => raw_text(&e.children, out),
        }
    }
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0usize, 0usize);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn render_pre(e: &Elem, out: &mut Vec<Block>) {
    let mut text = String::new();
    raw_text(&e.children, &mut text);
    let text = text.strip_prefix('\n').unwrap_or(&text);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    let body = lines.get(start..end).unwrap_or(&[]).join("\n");
    if body.is_empty() {
        return;
    }
    let fence = "`".repeat(longest_run(&body, '`').saturating_add(1).max(3));
    out.push(Block {
        para: false,
        text: format!("{fence}text\n{body}\n{fence}"),
    });
}

/// Escapes what Markdown would read as block syntax at the start of a line
/// of inline text: headings, quotes, list items, setext underlines.
fn escape_line_starts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        if line.starts_with(['#', '>', '-', '+', '=']) {
            out.push('\\');
            out.push_str(line);
        } else if digits > 0
            && digits <= 9
            && line
                .as_bytes()
                .get(digits)
                .is_some_and(|b| matches!(b, b'.' | b')'))
        {
            out.push_str(line.get(..digits).unwrap_or(""));
            out.push('\\');
            out.push_str(line.get(digits..).unwrap_or(""));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Percent-encodes what cannot appear in a Markdown link destination or
/// autolink; `None` for a scheme that is not linked.
fn sanitize_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:"))
    {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\\' => out.push_str("%5C"),
            '`' => out.push_str("%60"),
            c if c.is_whitespace() || c.is_control() => {}
            c => out.push(c),
        }
    }
    let scheme_len = if lower.starts_with("mailto:") {
        7
    } else {
        lower.find("//").unwrap_or(0) + 2
    };
    (out.len() > scheme_len).then_some(out)
}

/// Length in bytes of a bare URL at the start of `s`, trailing punctuation excluded.
fn bare_url_len(s: &str) -> Option<usize> {
    let head = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let scheme = if head.starts_with("https://") {
        8
    } else if head.starts_with("http://") {
        7
    } else {
        return None;
    };
    let mut end = s
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '\\') || c.is_control()
        })
        .map_or(s.len(), |(i, _)| i);
    let url = s.get(..end)?;
    // unbalanced closing brackets at the end belong to the text, not the URL
    let mut parens = url
        .matches(')')
        .count()
        .saturating_sub(url.matches('(').count());
    let mut brackets = url
        .matches(']')
        .count()
        .saturating_sub(url.matches('[').count());
    loop {
        let last = s.get(..end)?.chars().next_back()?;
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~' => true,
            ')' if parens > 0 => {
                parens -= 1;
                true
            }
            ']' if brackets > 0 => {
                brackets -= 1;
                true
            }
            _ => false,
        };
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    (end > scheme).then_some(end)
}

/// Builder of one paragraph of inline Markdown, with HTML whitespace
/// collapsing and lazily emitted emphasis markers.
#[derive(Default)]
struct Inline {
    out: String,
    pending_space: bool,
    leading_space: bool,
    /// Open emphasis markers and whether each has been written yet.
    marks: Vec<(&'static str, bool)>,
    in_link: bool,
    single_line: bool,
}

impl Inline {
    fn space(&mut self) {
        if self.out.is_empty() {
            self.leading_space = true;
        } else {
            self.pending_space = true;
        }
    }

    /// Called before any visible content: writes the pending space and the
    /// emphasis markers that are open but not yet written.
    fn before_content(&mut self) {
        if self.pending_space && !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push(' ');
        }
        self.pending_space = false;
        for (mark, written) in &mut self.marks {
            if !*written {
                self.out.push_str(mark);
                *written = true;
            }
        }
    }

    fn open(&mut self, mark: &'static str) {
        if self.marks.iter().any(|(m, _)| *m == mark) {
            self.marks.push(("", true));
        } else {
            self.marks.push((mark, false));
        }
    }

    fn close(&mut self, mark: &'static str) {
        let _ = mark;
        if let Some((m, written)) = self.marks.pop()
            && written
        {
            self.out.push_str(m);
        }
    }

    fn hard_break(&mut self) {
        if self.single_line {
            self.space();
            return;
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            // close nothing: emphasis may span a hard break in CommonMark
            self.out.push_str("\\\n");
        }
        self.pending_space = false;
    }

    fn text(&mut self, text: &str) {
        let mut rest = text;
        let mut prev: Option<char> = None;
        while let Some(c) = rest.chars().next() {
            if c.is_ascii_whitespace() {
                self.space();
                rest = rest.get(c.len_utf8()..).unwrap_or("");
                prev = Some(c);
                continue;
            }
            if !self.in_link
                && (c == 'h' || c == 'H')
                && !prev.is_some_and(char::is_alphanumeric)
                && let Some(len) = bare_url_len(rest)
            {
                let url = rest.get(..len).unwrap_or("");
                if let Some(url) = sanitize_url(url) {
                    self.before_content();
                    self.out.push('<');
                    self.out.push_str(&url);
                    self.out.push('>');
                    rest = rest.get(len..).unwrap_or("");
                    prev = Some('/');
                    continue;
                }
            }
            let next = rest.chars().nth(1);
            self.before_content();
            match c {
                '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '#' => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                '_' if !(prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|n| n.is_ascii_alphanumeric())) =>
                {
                    self.out.push_str("\\_");
                }
                '&' if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') => {
                    self.out.push_str("\\&");
                }
                '/' if self.out.ends_with('*') => self.out.push_str("\\/"),
                c => self.out.push(c),
            }
            prev = Some(c);
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn node(&mut self, node: &Node) {
        let e = match node {
            Node::Text(t) => return self.text(t),
            Node::Elem(e) => e,
        };
        match e.name.as_str() {
            "br" => self.hard_break(),
            "b" | "strong" => {
                self.open("**");
                self.nodes(&e.children);
                self.close("**");
            }
            "i" | "em" => {
                self.open("*");
                self.nodes(&e.children);
                self.close("*");
            }
            "code" | "tt" | "kbd" | "samp" => self.code(e),
            "a" => self.link(e),
            "img" | "hr" => {}
            _ => {
                // unknown or block-ish element in inline context: keep the text,
                // separated from its neighbours when it is a block
                let block = BLOCK_TAGS.contains(&e.name.as_str());
                if block {
                    self.space();
                }
                self.nodes(&e.children);
                if block {
                    self.space();
                }
            }
        }
    }

    fn code(&mut self, e: &Elem) {
        let mut raw = String::new();
        raw_text(&e.children, &mut raw);
        if raw.starts_with(|c: char| c.is_ascii_whitespace()) {
            self.space();
        }
        let content = raw.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        if !content.is_empty() {
            let fence = "`".repeat(longest_run(&content, '`').saturating_add(1));
            let pad = if content.starts_with('`') || content.ends_with('`') {
                " "
            } else {
                ""
            };
            self.before_content();
            if self.out.ends_with('`') {
                // two adjacent code spans would merge their fences
                self.out.push(' ');
            }
            self.out
                .push_str(&format!("{fence}{pad}{content}{pad}{fence}"));
        }
        if raw.ends_with(|c: char| c.is_ascii_whitespace()) {
            self.space();
        }
    }

    fn link(&mut self, e: &Elem) {
        let url = if self.in_link {
            None
        } else {
            e.attr("href").and_then(sanitize_url)
        };
        let Some(url) = url else {
            return self.nodes(&e.children);
        };
        let mut plain = String::new();
        raw_text(&e.children, &mut plain);
        let plain_is_url = plain.trim() == e.attr("href").unwrap_or("").trim();
        let mut inner = Inline {
            in_link: true,
            single_line: true,
            ..Inline::default()
        };
        inner.nodes(&e.children);
        let leading = inner.leading_space;
        let trailing = inner.pending_space;
        let text = inner.finish();
        if leading {
            self.space();
        }
        self.before_content();
        if self.out.ends_with('!') {
            self.out.pop();
            self.out.push_str("\\!");
        }
        if text.is_empty() || plain_is_url {
            self.out.push_str(&format!("<{url}>"));
        } else {
            self.out.push_str(&format!("[{text}]({url})"));
        }
        if trailing {
            self.space();
        }
    }

    fn finish(mut self) -> String {
        while let Some((m, written)) = self.marks.pop() {
            if written {
                self.out.push_str(m);
            }
        }
        let mut out = self.out;
        while out.ends_with("\\\n") {
            out.truncate(out.len() - 2);
        }
        out.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(s: &str) -> String {
        html_to_markdown(s)
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            md("Represents a team that is responsible for approving protected operations"),
            "Represents a team that is responsible for approving protected operations"
        );
        assert_eq!(md("  a\n   b  "), "a b");
        assert_eq!(md(""), "");
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        assert_eq!(
            md("<p>One.</p>\n   <p>Two\n  lines.</p>"),
            "One.\n\nTwo lines."
        );
        assert_eq!(md("<p>a<p>b"), "a\n\nb");
        assert_eq!(md("<p></p><p>  </p>x"), "x");
    }

    #[test]
    fn line_breaks() {
        assert_eq!(md("a<br>b<br/>c"), "a\\\nb\\\nc");
        assert_eq!(md("a<br><br>"), "a");
        assert_eq!(md("a<br>- b"), "a\\\n\\- b");
    }

    #[test]
    fn links() {
        assert_eq!(
            md(r#"See <a href="https://x.io/a">the docs</a>."#),
            "See [the docs](https://x.io/a)."
        );
        assert_eq!(
            md(r#"<a href="https://x.io/a_(b)">https://x.io/a_(b)</a>"#),
            "<https://x.io/a_%28b%29>"
        );
        assert_eq!(md(r#"<a href="https://x.io"></a>"#), "<https://x.io>");
        assert_eq!(md("<a>DescribeJob</a> API"), "DescribeJob API");
        assert_eq!(md(r#"<a href="javascript:alert(1)">x</a>"#), "x");
        assert_eq!(md(r#"<a href="/relative">rel</a>"#), "rel");
        assert_eq!(
            md(r#"<a href = 'https://a.b/c d'> spaced </a>!"#),
            "[spaced](https://a.b/c%20d) !"
        );
        assert_eq!(
            md(r#"Wow!<a href="https://a.b">x</a>"#),
            "Wow\\![x](https://a.b)"
        );
        assert_eq!(
            md(r#"<a href="https://a.b"><code>Op</code></a>"#),
            "[`Op`](https://a.b)"
        );
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            md("See https://aws.amazon.com/iot."),
            "See <https://aws.amazon.com/iot>."
        );
        assert_eq!(md("(http://a.b/c)"), "(<http://a.b/c>)");
        assert_eq!(md("x https://a.b/p_(q) y"), "x <https://a.b/p_%28q%29> y");
        assert_eq!(md("(see https://a.b/p))."), "(see <https://a.b/p>)).");
        assert_eq!(md("[https://a.b/x]"), "\\[<https://a.b/x>\\]");
        assert_eq!(md("https:// alone"), "https:// alone");
        // inside code it is literal
        assert_eq!(md("<code>https://a.b</code>"), "`https://a.b`");
    }

    #[test]
    fn code_spans() {
        assert_eq!(
            md("Set <code>status</code> to <code>IN_PROGRESS</code>."),
            "Set `status` to `IN_PROGRESS`."
        );
        assert_eq!(md("<code>a`b</code>"), "``a`b``");
        assert_eq!(md("<code>`x`</code>"), "`` `x` ``");
        assert_eq!(md("<code> a  b </code>c"), "`a b` c");
        assert_eq!(md("<code></code>x"), "x");
        assert_eq!(md("<code>*_[x]</code>"), "`*_[x]`");
        assert_eq!(md("<code>a</code><code>b</code>"), "`a` `b`");
    }

    #[test]
    fn placeholder_tags_in_code_are_text() {
        assert_eq!(
            md(
                "<p>For example, <code>arn:aws:iot:<region>:<accountid>:command/<commandId></code></p>"
            ),
            "For example, `arn:aws:iot:<region>:<accountid>:command/<commandId>`"
        );
    }

    #[test]
    fn pre_blocks_are_fenced_text() {
        assert_eq!(
            md("<pre>\nfn x() {\n    1\n}\n</pre>"),
            "```text\nfn x() {\n    1\n}\n```"
        );
        assert_eq!(md("<pre>a ```` b</pre>"), "`````text\na ```` b\n`````");
        assert_eq!(
            md("<p>x</p><pre><code>&lt;a&gt;</code></pre>"),
            "x\n\n```text\n<a>\n```"
        );
    }

    #[test]
    fn emphasis() {
        assert_eq!(md("<b>bold</b> and <i>it</i>"), "**bold** and *it*");
        assert_eq!(md("<strong> s </strong>x"), "**s** x");
        assert_eq!(md("<em></em>x"), "x");
        assert_eq!(md("<b><b>x</b></b>"), "**x**");
        assert_eq!(md("<b><code>Op</code></b>"), "**`Op`**");
        assert_eq!(md("<i>a</i>/b"), "*a*\\/b");
    }

    #[test]
    fn unordered_and_nested_lists() {
        let html = "<ul><li><p>One</p></li><li>Two<ul><li>Two.a</li><li>Two.b</li></ul></li></ul>";
        assert_eq!(md(html), "- One\n- Two\n\n  - Two.a\n  - Two.b");
        assert_eq!(md("<ul><li>a<li>b</ul>"), "- a\n- b");
        assert_eq!(md("<ul><li></li><li>x</li></ul>"), "- x");
    }

    #[test]
    fn ordered_lists() {
        assert_eq!(md("<ol><li>a</li><li>b</li></ol>"), "1. a\n2. b");
        assert_eq!(
            md(r#"<ol start="9"><li>a</li><li>b<p>more</p></li></ol>"#),
            "9. a\n10. b\n\n    more"
        );
        assert_eq!(
            md(r#"<ol start="99999999999999"><li>a</li></ol>"#),
            "999999999. a"
        );
    }

    #[test]
    fn definition_lists() {
        let html =
            "<dl><dt>IN_PROGRESS</dt><dd><p>Created.</p></dd><dt>ENABLED</dt><dd>On.</dd></dl>";
        assert_eq!(
            md(html),
            "- **IN_PROGRESS**\n\n  Created.\n- **ENABLED**\n\n  On."
        );
    }

    #[test]
    fn notes_are_block_quotes() {
        assert_eq!(
            md("<note><p>Be careful.</p><p>Really.</p></note>"),
            "> **Note:** Be careful.\n>\n> Really."
        );
        assert_eq!(
            md("<important>Costs money.</important>"),
            "> **Important:** Costs money."
        );
        assert_eq!(
            md("<note><ul><li>a</li></ul></note>"),
            "> **Note:**\n>\n> - a"
        );
    }

    #[test]
    fn headings() {
        assert_eq!(
            md("<h2>Title <b>x</b></h2><p>body</p>"),
            "## Title **x**\n\nbody"
        );
        assert_eq!(md("<h1>#1</h1>"), "# \\#1");
    }

    #[test]
    fn entities() {
        assert_eq!(
            md("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x41;&#66;"),
            "a & b \\<c> \"d\" 'e' AB"
        );
        assert_eq!(md("x&nbsp;y"), "x\u{a0}y");
        assert_eq!(
            md("&bogus; &#xFFFFFFFFF; &#0; &#xD800;"),
            "\\&bogus; \\&\\#xFFFFFFFFF; \u{fffd} \u{fffd}"
        );
        assert_eq!(md("&amp;lt;"), "\\&lt;");
        assert_eq!(md("AT&T"), "AT\\&T");
        assert_eq!(md("a & b"), "a & b");
    }

    #[test]
    fn unknown_tags_dropped_text_kept() {
        assert_eq!(
            md("<fullname>Amazon API Gateway</fullname><p>Helps.</p>"),
            "Amazon API Gateway\n\nHelps."
        );
        assert_eq!(md("<span class=x>in</span> <foo>bar</foo>"), "in bar");
        assert_eq!(md("<!-- hidden --> shown"), "shown");
    }

    #[test]
    fn markdown_in_text_is_escaped() {
        assert_eq!(
            md("*not bold* _x_ [link](u) `c` a|b ~~s~~"),
            "\\*not bold\\* \\_x\\_ \\[link\\](u) \\`c\\` a\\|b \\~\\~s\\~\\~"
        );
        assert_eq!(md("# heading?"), "\\# heading?");
        assert_eq!(md("> quote"), "\\> quote");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("1. first"), "1\\. first");
        assert_eq!(md("snake_case_name"), "snake_case_name");
        assert_eq!(md("back\\slash"), "back\\\\slash");
        assert_eq!(md("[Foo]"), "\\[Foo\\]");
    }

    #[test]
    fn html_and_script_are_inert() {
        let out = md("<script>alert('x')</script>ok <SCRIPT src=a>b</SCRIPT >");
        assert_eq!(out, "ok");
        let out = md("a &lt;script&gt;alert(1)&lt;/script&gt; b");
        assert_eq!(out, "a \\<script>alert(1)\\</script> b");
        assert!(!md("<style>p{}</style><iframe src=x></iframe>t").contains('<'));
        assert_eq!(md("a < b and c<d"), "a \\< b and c\\<d");
        assert_eq!(md("unterminated <b"), "unterminated \\<b");
    }

    #[test]
    fn control_and_bidi_characters_removed() {
        let out = md("a\u{202e}b\u{2066}c\u{0}d\u{7}e&#x202E;f&#x1b;g");
        assert_eq!(out, "abcdefg");
        assert_eq!(md("<code>x\u{202d}y</code>"), "`xy`");
        assert_eq!(md("<pre>x\u{2069}y</pre>"), "```text\nxy\n```");
    }

    #[test]
    fn comment_terminator_is_harmless() {
        let out = md("ends */ here <b>x</b>*/");
        assert!(!out.contains("*/"), "{out}");
    }

    #[test]
    fn deeply_nested_input_does_not_overflow() {
        let html = "<ul><li>".repeat(5000) + "x";
        let out = md(&html);
        assert!(out.contains('x'));
        let html = "<b>".repeat(100_000);
        assert_eq!(md(&html), "");
        // inputs that could make a naive scanner quadratic finish quickly
        let started = std::time::Instant::now();
        md(&"<script></script>".repeat(20_000));
        md(&"&a".repeat(50_000));
        md(&format!("http://a{}", ")".repeat(50_000)));
        md(&"<a x='".repeat(20_000));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn deterministic() {
        let html = "<p>A <b>b</b> <a href=\"https://c\">c</a></p><ul><li>d</li></ul>";
        assert_eq!(md(html), md(html));
    }

    #[test]
    fn random_markup_never_panics_and_stays_inert() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<ul>",
            "</ul>",
            "<ol start=\"3\">",
            "</ol>",
            "<li>",
            "</li>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "<a href=\"https://e.x/(y)\">",
            "</a>",
            "<a href='javascript:x'>",
            "<br>",
            "<dl>",
            "<dt>",
            "<dd>",
            "</dl>",
            "<note>",
            "</note>",
            "<h3>",
            "</h3>",
            "<script>",
            "</script>",
            "<region>",
            "<!--",
            "-->",
            "<",
            ">",
            "&",
            "&amp;",
            "&#x202E;",
            "&#99999999;",
            "\u{202e}",
            "\u{0}",
            "*",
            "_",
            "`",
            "``",
            "[",
            "]",
            "|",
            "#",
            "-",
            "1.",
            "\n",
            " ",
            "text",
            "é",
            "😀",
            "https://a.b/c_d.",
            "*/",
            "\\",
            "!",
            "=",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..3000 {
            let mut html = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = state % 40;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let idx = usize::try_from(state % PIECES.len() as u64).unwrap_or(0);
                html.push_str(PIECES.get(idx).copied().unwrap_or(""));
            }
            let out = md(&html);
            assert_eq!(out, md(&html));
            assert!(
                !out.chars().any(
                    |c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)
                ),
                "{html:?}"
            );
            assert_no_raw_html(&html, &out);
            assert_eq!(out, out.trim());
        }
    }

    /// Every `<` in `out` is escaped, starts an autolink or is inside a code span.
    fn assert_no_raw_html(input: &str, out: &str) {
        let mut fence: Option<usize> = None;
        let mut escaped = false;
        let chars: Vec<char> = out.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c == '`' && !escaped {
                let run = chars
                    .get(i..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|&&c| c == '`')
                    .count();
                fence = match fence {
                    None => Some(run),
                    Some(n) if n == run => None,
                    other => other,
                };
                i += run;
                continue;
            }
            if c == '<' && !escaped && fence.is_none() {
                let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
                assert!(
                    rest.starts_with("<http") || rest.starts_with("<mailto:"),
                    "raw < in {input:?}\n=>\n{out}"
                );
            }
            escaped = c == '\\' && !escaped;
            i += 1;
        }
    }

    fn model_docs(file: &str) -> Vec<String> {
        let path = format!(
            "{}/../../shared/aws-models/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let path = if std::path::Path::new(&path).exists() {
            path
        } else {
            format!("/work/shared/aws-models/{file}")
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut out = Vec::new();
        fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("smithy.api#documentation", serde_json::Value::String(s)) => {
                                out.push(s.clone())
                            }
                            _ => walk(v, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        walk(&value, &mut out);
        out
    }

    #[test]
    fn real_workspaces_web_snippets() {
        let docs = model_docs("workspaces-web-2020-07-08.json");
        assert!(docs.len() > 100, "model not found or empty");
        let with_list = docs
            .iter()
            .find(|d| d.contains("<ul>") && d.contains("<li>"))
            .cloned()
            .unwrap_or_default();
        let out = md(&with_list);
        assert!(
            out.lines().any(|l| l.starts_with("- ")),
            "{with_list}\n=>\n{out}"
        );
        let docs = model_docs("iot-2015-05-28.json");
        let with_link = docs
            .iter()
            .find(|d| d.contains("<a href=\"http"))
            .cloned()
            .unwrap_or_default();
        let out = md(&with_link);
        assert!(out.contains("](http"), "{with_link}\n=>\n{out}");
    }

    #[test]
    fn all_model_docs_are_safe() {
        let mut total = 0;
        for file in [
            "api-gateway-2015-07-09.json",
            "bedrock-runtime-2023-09-30.json",
            "dataexchange-2017-07-25.json",
            "ebs-2019-11-02.json",
            "glacier-2012-06-01.json",
            "iot-2015-05-28.json",
            "lambda-2015-03-31.json",
            "mpa-2022-07-26.json",
            "qbusiness-2023-11-27.json",
            "workspaces-web-2020-07-08.json",
        ] {
            for doc in model_docs(file) {
                total += 1;
                let out = md(&doc);
                assert_eq!(out, md(&doc));
                assert_eq!(out, out.trim());
                assert!(!out.contains("\n\n\n"), "{doc}\n=>\n{out}");
                assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{doc}");
                assert_no_raw_html(&doc, &out);
                // the text content survives
                if !doc.contains('<') && doc.chars().all(|c| c.is_alphanumeric() || c == ' ') {
                    assert_eq!(out, doc.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
        }
        assert!(total > 5000, "{total}");
    }
}
