//! `parseURL`: the rules engine's URL structure, parsed by hand (no URL crate).

/// A URL accepted by the rules engine's `parseURL` function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedUrl {
    /// `http` or `https` (lowercased), without `://`.
    pub scheme: String,
    /// Host and optional port as written; never includes userinfo.
    pub authority: String,
    /// The path exactly as written (empty when the URL has none).
    pub path: String,
    /// The path with a leading and a trailing `/` (`/` for an empty path).
    pub normalized_path: String,
    /// Whether the host is an IPv4 address or a bracketed IPv6 address.
    pub is_ip: bool,
}

/// Parses `input` as the rules engine's `parseURL` does. `None` when the URL is not an
/// absolute `http`/`https` URL with a valid host, or has a query component (the spec requires
/// rejecting those). A fragment is accepted and ignored. Control characters and spaces make the
/// URL invalid.
pub fn parse_url(input: &str) -> Option<ParsedUrl> {
    if input.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return None;
    }
    let (scheme, rest) = input.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    // Drop a fragment first: a `?` inside the fragment is not a query.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    if rest.contains('?') {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    // Strip userinfo: it must never appear in the authority.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let is_ip = check_host_port(authority)?;
    let normalized_path = if path.trim().is_empty() {
        "/".to_owned()
    } else {
        let mut n = String::with_capacity(path.len() + 2);
        if !path.starts_with('/') {
            n.push('/');
        }
        n.push_str(path);
        if !path.ends_with('/') {
            n.push('/');
        }
        n
    };
    Some(ParsedUrl {
        scheme,
        authority: authority.to_owned(),
        path: path.to_owned(),
        normalized_path,
        is_ip,
    })
}

/// Validates `host[:port]`; returns whether the host is an IP address.
fn check_host_port(authority: &str) -> Option<bool> {
    let (port, is_ip) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inner, after) = bracketed.split_once(']')?;
        if !is_ipv6(inner) {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (port, true)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let valid_chars = host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%'));
        if host.is_empty() || !valid_chars {
            return None;
        }
        (port, is_ipv4(host))
    };
    if let Some(port) = port {
        let digits_ok =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || port.parse::<u32>().ok()? > 65535 {
            return None;
        }
    }
    Some(is_ip)
}

/// A dotted-quad IPv4 address: four decimal parts of 1–3 digits, each at most 255.
pub fn is_ipv4(s: &str) -> bool {
    let mut count = 0usize;
    for part in s.split('.') {
        count += 1;
        let ok = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u16>().is_ok_and(|v| v <= 255);
        if !ok || count > 4 {
            return false;
        }
    }
    count == 4
}

/// An IPv6 address (RFC 4291 text form, optional trailing IPv4 part and `%zone`).
pub fn is_ipv6(s: &str) -> bool {
    let addr = match s.split_once('%') {
        Some((addr, zone)) => {
            let zone_ok = !zone.is_empty()
                && zone.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')
                });
            if !zone_ok {
                return false;
            }
            addr
        }
        None => s,
    };
    // Count the 16-bit groups on each side of an optional `::`.
    let groups = |part: &str, allow_v4_tail: bool| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let last = pieces.len().saturating_sub(1);
        let mut n = 0usize;
        for (i, piece) in pieces.iter().enumerate() {
            if i == last && allow_v4_tail && piece.contains('.') {
                if !is_ipv4(piece) {
                    return None;
                }
                n += 2;
            } else if !piece.is_empty()
                && piece.len() <= 4
                && piece.bytes().all(|b| b.is_ascii_hexdigit())
            {
                n += 1;
            } else {
                return None;
            }
        }
        Some(n)
    };
    match addr.split_once("::") {
        Some((head, tail)) => {
            if tail.contains("::") {
                return false;
            }
            match (groups(head, false), groups(tail, true)) {
                (Some(h), Some(t)) => h + t <= 7,
                _ => false,
            }
        }
        None => groups(addr, true) == Some(8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(u: &str) -> Option<(String, String, String, String, bool)> {
        parse_url(u).map(|p| (p.scheme, p.authority, p.path, p.normalized_path, p.is_ip))
    }

    fn t(
        s: &str,
        a: &str,
        p: &str,
        n: &str,
        ip: bool,
    ) -> Option<(String, String, String, String, bool)> {
        Some((s.into(), a.into(), p.into(), n.into(), ip))
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            parts("https://example.com"),
            t("https", "example.com", "", "/", false)
        );
        assert_eq!(parts("https://example.com:8443?foo=bar&faz=baz"), None);
        assert_eq!(
            parts("http://example.com:80/foo/bar"),
            t("http", "example.com:80", "/foo/bar", "/foo/bar/", false)
        );
        assert_eq!(
            parts("https://127.0.0.1"),
            t("https", "127.0.0.1", "", "/", true)
        );
        assert_eq!(
            parts("https://[fe80::1]"),
            t("https", "[fe80::1]", "", "/", true)
        );
    }

    #[test]
    fn ports_paths_and_ipv6() {
        assert_eq!(
            parts("https://[2001:db8::8a2e:370:7334]:8443/a/"),
            t(
                "https",
                "[2001:db8::8a2e:370:7334]:8443",
                "/a/",
                "/a/",
                true
            )
        );
        assert_eq!(
            parts("http://[::1]:80"),
            t("http", "[::1]:80", "", "/", true)
        );
        assert_eq!(
            parts("http://[::ffff:10.0.0.1]"),
            t("http", "[::ffff:10.0.0.1]", "", "/", true)
        );
        assert_eq!(
            parts("http://[1:2:3:4:5:6:7:8]/x"),
            t("http", "[1:2:3:4:5:6:7:8]", "/x", "/x/", true)
        );
        assert_eq!(
            parts("http://[fe80::1%25eth0]"),
            t("http", "[fe80::1%25eth0]", "", "/", true)
        );
        assert_eq!(parts("http://[1:2:3:4:5:6:7]"), None);
        assert_eq!(parts("http://[1::2::3]"), None);
        assert_eq!(parts("http://[gg::1]"), None);
        assert_eq!(parts("http://[::1"), None);
        assert_eq!(parts("http://[::1]x"), None);
        assert_eq!(
            parts("http://localhost:65535/"),
            t("http", "localhost:65535", "/", "/", false)
        );
        assert_eq!(parts("http://localhost:65536"), None);
        assert_eq!(parts("http://localhost:"), None);
        assert_eq!(parts("http://localhost:8a"), None);
        assert_eq!(
            parts("HTTPS://Example.COM/P"),
            t("https", "Example.COM", "/P", "/P/", false)
        );
        assert_eq!(
            parts("https://example.com/#frag?x"),
            t("https", "example.com", "/", "/", false)
        );
        assert_eq!(
            parts("https://user:pw@example.com/x"),
            t("https", "example.com", "/x", "/x/", false)
        );
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/a?b",
            "https://example.com?",
            "https://ex\u{e9}.com",
            "https://a\nb.com",
        ] {
            assert_eq!(parse_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ip_detection() {
        assert!(is_ipv4("0.0.0.0"));
        assert!(is_ipv4("255.255.255.255"));
        assert!(!is_ipv4("256.1.1.1"));
        assert!(!is_ipv4("1.1.1"));
        assert!(!is_ipv4("1.1.1.1.1"));
        assert!(!is_ipv4("1..1.1"));
        assert!(!is_ipv4("a.b.c.d"));
        assert_eq!(parts("http://192.168.1.300").map(|p| p.4), Some(false));
        assert!(is_ipv6("::"));
        assert!(is_ipv6("::1"));
        assert!(is_ipv6("1::"));
        assert!(!is_ipv6(":1"));
        assert!(!is_ipv6("1:2:3:4:5:6:7:8:9"));
        assert!(!is_ipv6("12345::1"));
    }
}
