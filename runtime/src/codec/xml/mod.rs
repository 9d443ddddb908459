//! The XML codec (Smithy's XML bindings, as restXml, awsQuery and ec2Query responses use
//! them): a small parser into a DOM ([`parse`], [`Element`]), [`XmlSerializer`] and
//! [`XmlDeserializer`] over it, and [`equivalent`] for comparing documents in tests.
//!
//! The wire shape comes from the schemas:
//!
//! - a structure or union is an element whose members are child elements named by their
//!   `@xmlName` (else the member name), except `@xmlAttribute` members, which are attributes
//!   of its start tag;
//! - a list is wrapped (`<Name><member>v</member></Name>`, the item element named by the list
//!   member's `@xmlName`) or, `@xmlFlattened`, a run of sibling elements named like the
//!   structure member;
//! - a map is wrapped (`<Name><entry><key>k</key><value>v</value></entry></Name>`) or
//!   flattened (each entry an element named like the structure member);
//! - the top-level element is named by the member's `@xmlName`, else its target's
//!   `@xmlName`, else the target's shape name, and carries the member's, else the target's,
//!   else the service's `@xmlNamespace`; deeper elements carry only their member's (the
//!   namespace of a nested structure's shape is ignored, as the AWS protocol tests require).
//!
//! Scalars are text: booleans `true`/`false`, numbers in their shortest round-trip form
//! (`NaN`, `Infinity`, `-Infinity`), blobs base64, timestamps date-time unless the member says
//! otherwise. Documents cannot be written in XML and are skipped.
//!
//! The parser takes UTF-8 only, refuses a DOCTYPE (so no entity is ever expanded beyond the
//! five predefined ones and character references), and limits nesting to 100 elements.

mod parse;
mod read;
mod write;

pub use parse::{Element, Node, parse};
pub use read::XmlDeserializer;
pub use write::{XmlSerializer, to_xml};

#[cfg(test)]
mod tests;

/// Compares two XML documents for tests: both must parse, and their element trees must have
/// the same qualified names, the same attributes (in any order, `xmlns` declarations
/// included) and the same sequence of child elements and text. Text nodes holding only
/// whitespace are ignored; other text is compared exactly. Returns a description of the
/// first difference.
pub fn equivalent(a: &[u8], b: &[u8]) -> Result<(), String> {
    let a = parse(a).map_err(|e| format!("first document: {e}"))?;
    let b = parse(b).map_err(|e| format!("second document: {e}"))?;
    compare(&a, &b, "")
}

/// Compares `a` and `b`, whose parent is at `parent` (`/Root/items[1]`).
fn compare(a: &Element, b: &Element, parent: &str) -> Result<(), String> {
    if a.name != b.name {
        return Err(format!(
            "at {parent}/: element <{}> != <{}>",
            a.name, b.name
        ));
    }
    let here = format!("{parent}/{}", a.name);
    let mut attrs_a: Vec<_> = a.attributes.iter().collect();
    let mut attrs_b: Vec<_> = b.attributes.iter().collect();
    attrs_a.sort();
    attrs_b.sort();
    if attrs_a != attrs_b {
        return Err(format!("at {here}: attributes {attrs_a:?} != {attrs_b:?}"));
    }
    let nodes_a: Vec<&Node> = a.children.iter().filter(|n| significant(n)).collect();
    let nodes_b: Vec<&Node> = b.children.iter().filter(|n| significant(n)).collect();
    for (i, pair) in nodes_a.iter().zip(&nodes_b).enumerate() {
        match pair {
            (Node::Element(x), Node::Element(y)) => compare(x, y, &format!("{here}[{i}]"))?,
            (Node::Text(x), Node::Text(y)) if x == y => {}
            (x, y) => {
                return Err(format!(
                    "at {here}, child {i}: {} != {}",
                    describe(x),
                    describe(y)
                ));
            }
        }
    }
    if nodes_a.len() != nodes_b.len() {
        return Err(format!(
            "at {here}: {} children != {} children (whitespace-only text ignored)",
            nodes_a.len(),
            nodes_b.len()
        ));
    }
    Ok(())
}

/// Whether a node counts for [`equivalent`]: elements, and text that is not all whitespace.
fn significant(node: &Node) -> bool {
    match node {
        Node::Element(_) => true,
        Node::Text(t) => !t.chars().all(parse::is_xml_space),
    }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Element(e) => format!("element <{}>", e.name),
        Node::Text(t) => format!("text {t:?}"),
    }
}
