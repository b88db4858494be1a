//! XML canonicalisation over a `roxmltree` document, as XML-DSig uses it for trusted lists:
//! Exclusive XML Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>) and Canonical
//! XML 1.0 (<https://www.w3.org/TR/xml-c14n/>), both without comments, of a whole document
//! or an element's subtree, optionally leaving one element out (the enveloped-signature
//! transform).
//!
//! What is not implemented, and refused by the caller: the `InclusiveNamespaces PrefixList`
//! of exclusive canonicalisation, the "with comments" variants, Canonical XML 1.1, and the
//! inheritance of `xml:*` attributes into a subtree under inclusive canonicalisation (a
//! trusted list's signature never relies on them).
//!
//! No crate on crates.io offered a maintained, tested exclusive canonicalisation over a
//! parser that refuses DTDs when this was written, so it is done here and tested against
//! the real EU and Italian lists, whose signatures verify only if every byte is right.

use roxmltree::{Node, NodeId};

/// Which canonicalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `http://www.w3.org/2001/10/xml-exc-c14n#`
    Exclusive,
    /// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
    Inclusive,
}

impl Method {
    /// The method for an algorithm URI, when supported.
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            "http://www.w3.org/2001/10/xml-exc-c14n#" => Some(Self::Exclusive),
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" => Some(Self::Inclusive),
            _ => None,
        }
    }
}

/// The qualified name of an element as written (`ds:Signature`).
fn element_qname<'i>(node: Node<'_, 'i>) -> &'i str {
    let text = node.document().input_text();
    let start = node.range().start.saturating_add(1);
    let rest = text.get(start..).unwrap_or_default();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

fn escape_text(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn escape_attr(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Namespace declarations rendered by output ancestors, innermost last.
struct Rendered {
    frames: Vec<Vec<(String, String)>>,
}

impl Rendered {
    fn lookup(&self, prefix: &str) -> Option<&str> {
        self.frames
            .iter()
            .rev()
            .flat_map(|f| f.iter())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }
}

/// The in-scope namespace URI of `prefix` ("" for the default namespace; "" if none).
fn in_scope(node: Node<'_, '_>, prefix: &str) -> String {
    node.namespaces()
        .find(|n| n.name().unwrap_or("") == prefix)
        .map(|n| n.uri().to_owned())
        .unwrap_or_default()
}

fn start_tag(node: Node<'_, '_>, method: Method, rendered: &mut Rendered, out: &mut Vec<u8>) {
    let text = node.document().input_text();
    let qname = element_qname(node);
    // Namespace declarations to render at this element.
    let mut decls: Vec<(String, String)> = Vec::new();
    match method {
        Method::Exclusive => {
            let mut used: Vec<&str> = vec![prefix_of(qname)];
            for a in node.attributes() {
                let aq = text.get(a.range_qname()).unwrap_or_default();
                let p = prefix_of(aq);
                if !p.is_empty() && p != "xml" && !used.contains(&p) {
                    used.push(p);
                }
            }
            for p in used {
                let uri = in_scope(node, p);
                let previous = rendered.lookup(p).unwrap_or("");
                if uri != previous {
                    decls.push((p.to_owned(), uri));
                }
            }
        }
        Method::Inclusive => {
            for ns in node.namespaces() {
                let p = ns.name().unwrap_or("");
                if p == "xml" {
                    continue;
                }
                let previous = rendered.lookup(p).unwrap_or("");
                if ns.uri() != previous {
                    decls.push((p.to_owned(), ns.uri().to_owned()));
                }
            }
            // An undeclared default namespace must be reset if an ancestor rendered one.
            if !node.namespaces().any(|n| n.name().is_none())
                && !rendered.lookup("").unwrap_or("").is_empty()
            {
                decls.push((String::new(), String::new()));
            }
        }
    }
    decls.sort_by(|a, b| a.0.cmp(&b.0));
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    for (p, u) in &decls {
        if p.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attr(u, out);
        out.push(b'"');
    }
    let mut attrs: Vec<(&str, &str, &str, &str)> = node
        .attributes()
        .map(|a| {
            (
                a.namespace().unwrap_or(""),
                a.name(),
                text.get(a.range_qname()).unwrap_or_default(),
                a.value(),
            )
        })
        .collect();
    attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, q, v) in attrs {
        out.push(b' ');
        out.extend_from_slice(q.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attr(v, out);
        out.push(b'"');
    }
    out.push(b'>');
    rendered.frames.push(decls);
}

fn pi(node: Node<'_, '_>, out: &mut Vec<u8>) {
    if let Some(p) = node.pi() {
        out.extend_from_slice(b"<?");
        out.extend_from_slice(p.target.as_bytes());
        if let Some(v) = p.value {
            out.push(b' ');
            out.extend_from_slice(v.as_bytes());
        }
        out.extend_from_slice(b"?>");
    }
}

/// Canonicalises the subtree of `apex` (an element) into `out`, leaving out the subtree of
/// `exclude` when given. Iterative: the depth was bounded when the document was parsed.
fn element(apex: Node<'_, '_>, exclude: Option<NodeId>, method: Method, out: &mut Vec<u8>) {
    let mut rendered = Rendered { frames: Vec::new() };
    // (node, entering)
    let mut stack: Vec<(Node<'_, '_>, bool)> = vec![(apex, true)];
    while let Some((n, entering)) = stack.pop() {
        if Some(n.id()) == exclude {
            continue;
        }
        if !entering {
            out.extend_from_slice(b"</");
            out.extend_from_slice(element_qname(n).as_bytes());
            out.push(b'>');
            rendered.frames.pop();
            continue;
        }
        if n.is_element() {
            start_tag(n, method, &mut rendered, out);
            stack.push((n, false));
            let kids: Vec<Node<'_, '_>> = n.children().collect();
            for k in kids.into_iter().rev() {
                stack.push((k, true));
            }
        } else if n.is_text() {
            escape_text(n.text().unwrap_or_default(), out);
        } else if n.is_pi() {
            pi(n, out);
        }
        // Comments are left out (the "without comments" methods).
    }
}

/// Canonicalises a whole document (`URI=""`): the document element and the processing
/// instructions around it; comments and the XML declaration are not part of the output.
pub fn document(doc: &roxmltree::Document<'_>, exclude: Option<NodeId>, method: Method) -> Vec<u8> {
    let mut out = Vec::new();
    let mut seen_root = false;
    for n in doc.root().children() {
        if n.is_element() {
            element(n, exclude, method, &mut out);
            seen_root = true;
        } else if n.is_pi() {
            if seen_root {
                out.push(b'\n');
            }
            pi(n, &mut out);
            if !seen_root {
                out.push(b'\n');
            }
        }
    }
    out
}

/// Canonicalises the subtree of the element `apex`.
pub fn subtree(apex: Node<'_, '_>, exclude: Option<NodeId>, method: Method) -> Vec<u8> {
    let mut out = Vec::new();
    element(apex, exclude, method, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(xml: &str, method: Method) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        String::from_utf8(document(&doc, None, method)).unwrap()
    }

    #[test]
    fn exclusive_renders_only_used_namespaces_sorted() {
        let x = r#"<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d" z="1" b:y="2" a:x="3"><e/><b:f/></a:r>"#;
        assert_eq!(
            canon(x, Method::Exclusive),
            r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" z="1" a:x="3" b:y="2"><e xmlns="urn:d"></e><b:f></b:f></a:r>"#
        );
    }

    #[test]
    fn inclusive_renders_all_in_scope_namespaces() {
        let x = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b"><e xmlns:b="urn:b"/></a:r>"#;
        assert_eq!(
            canon(x, Method::Inclusive),
            r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b"><e></e></a:r>"#
        );
    }

    #[test]
    fn text_and_attributes_are_escaped_and_normalised() {
        let x = "<r a=\"x&#9;y&#10;&quot;&lt;\">1 &lt; 2 &amp;&gt; <![CDATA[<c>]]>&#13;</r>";
        assert_eq!(
            canon(x, Method::Exclusive),
            "<r a=\"x&#x9;y&#xA;&quot;&lt;\">1 &lt; 2 &amp;&gt; &lt;c&gt;&#xD;</r>"
        );
    }

    #[test]
    fn subtree_declares_inherited_prefix_at_apex() {
        let x = r#"<r xmlns:ds="urn:ds"><ds:S><ds:I x="1"/></ds:S></r>"#;
        let doc = roxmltree::Document::parse(x).unwrap();
        let s = doc.descendants().find(|n| n.has_tag_name("S")).unwrap();
        assert_eq!(
            String::from_utf8(subtree(s, None, Method::Exclusive)).unwrap(),
            r#"<ds:S xmlns:ds="urn:ds"><ds:I x="1"></ds:I></ds:S>"#
        );
    }

    #[test]
    fn excluded_element_is_left_out() {
        let x = r#"<r><a/><s><t/></s><b/></r>"#;
        let doc = roxmltree::Document::parse(x).unwrap();
        let s = doc.descendants().find(|n| n.has_tag_name("s")).unwrap();
        assert_eq!(
            String::from_utf8(document(&doc, Some(s.id()), Method::Exclusive)).unwrap(),
            "<r><a></a><b></b></r>"
        );
    }

    #[test]
    fn default_namespace_reset_under_exclusive() {
        let x = r#"<r xmlns="urn:d"><e xmlns=""/></r>"#;
        assert_eq!(
            canon(x, Method::Exclusive),
            r#"<r xmlns="urn:d"><e xmlns=""></e></r>"#
        );
    }
}
