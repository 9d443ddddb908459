//! The string functions of the rules engine's standard library (and the AWS S3 bucket check).

/// `substring(input, start, stop, reverse)`: the ASCII characters `start..stop` (counted
/// from the end when `reverse`). `None` if the input has any non-ASCII character, the range
/// is empty or negative, or the input is shorter than `stop`.
pub fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<&str> {
    if !input.is_ascii() {
        return None;
    }
    let start = usize::try_from(start).ok()?;
    let stop = usize::try_from(stop).ok()?;
    let len = input.len();
    if start >= stop || stop > len {
        return None;
    }
    let (from, to) = if reverse {
        (len.checked_sub(stop)?, len.checked_sub(start)?)
    } else {
        (start, stop)
    };
    input.get(from..to)
}

/// `uriEncode(value)`: RFC 3986 percent-encoding of every byte of the UTF-8 form except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~`, with uppercase hex digits.
pub fn uri_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// `isValidHostLabel(value, allowSubDomains)`: an RFC 1123 host label (1–63 ASCII letters,
/// digits and `-`, starting with a letter or digit); with `allow_sub_domains`, one or more
/// such labels joined by `.`.
pub fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value.split('.').all(single_host_label)
    } else {
        single_host_label(value)
    }
}

fn single_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_alphanumeric() => {
            bytes.len() <= 63
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: whether an S3 bucket name can be
/// used as a virtual host: 3–63 characters of lowercase letters, digits and `-`, starting and
/// ending with a letter or digit. With `allow_sub_domains`, `.` is allowed too, but a `.` may
/// not follow a `.` or `-`, a `-` may not follow a `.` (`a..b`, `a-.b`, `a.-b`), and the name
/// must not be an IPv4 address.
pub fn is_virtual_hostable_s3_bucket(value: &str, allow_sub_domains: bool) -> bool {
    let bytes = value.as_bytes();
    let lower_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if bytes.len() < 3 || bytes.len() > 63 || !lower_alnum(first) || !lower_alnum(last) {
        return false;
    }
    if !allow_sub_domains {
        return bytes.iter().all(|&b| lower_alnum(b) || b == b'-');
    }
    let mut prev = first;
    for &b in bytes.iter().skip(1) {
        let ok = match b {
            b'.' => prev != b'.' && prev != b'-',
            b'-' => prev != b'.',
            _ => lower_alnum(b),
        };
        if !ok {
            return false;
        }
        prev = b;
    }
    !super::url::is_ipv4(value)
}

/// `split(value, delimiter, limit)`: the parts of `value` between occurrences of the
/// (non-empty) `delimiter`; `limit` 0 means no limit, otherwise at most `limit` parts, the last
/// holding the unsplit remainder. `None` for an empty delimiter or a negative limit.
pub fn split<'s>(value: &'s str, delimiter: &str, limit: i64) -> Option<Vec<&'s str>> {
    if delimiter.is_empty() || limit < 0 {
        return None;
    }
    if limit == 0 {
        return Some(value.split(delimiter).collect());
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    Some(value.splitn(limit, delimiter).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_cases() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("abcdefg", 1, 3, true), Some("ef"));
        assert_eq!(substring("abcdefg", 0, 7, false), Some("abcdefg"));
        assert_eq!(substring("abcdefg", 0, 8, false), None);
        assert_eq!(substring("abcdefg", 3, 3, false), None);
        assert_eq!(substring("abcdefg", 4, 3, false), None);
        assert_eq!(substring("abcdefg", -1, 3, false), None);
        assert_eq!(substring("abc\u{e9}fg", 0, 2, false), None);
        assert_eq!(substring("", 0, 1, false), None);
        assert_eq!(substring("abc", 0, i64::MAX, true), None);
        assert_eq!(substring("abc", i64::MIN, 1, false), None);
    }

    #[test]
    fn uri_encode_cases() {
        assert_eq!(uri_encode("abcXYZ019-_.~"), "abcXYZ019-_.~");
        assert_eq!(uri_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(
            uri_encode("/:,?#[]{}|@! $&'()*+;=%<>\"^`\\"),
            "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
        );
        assert_eq!(uri_encode("\u{e9}\u{1F600}"), "%C3%A9%F0%9F%98%80");
        assert_eq!(uri_encode(""), "");
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("a", false));
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("0abc-", false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("-abc", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(!is_valid_host_label("a_b", false));
        assert!(!is_valid_host_label("\u{e9}", false));
        assert!(is_valid_host_label("a.b-c.d", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("a.", true));
        assert!(!is_valid_host_label(".a", true));
        assert!(!is_valid_host_label("a.-b", true));
        assert!(is_valid_host_label(
            &format!("{0}.{0}", "a".repeat(63)),
            true
        ));
    }

    #[test]
    fn virtual_hostable_buckets() {
        assert!(is_virtual_hostable_s3_bucket("bucket-name", false));
        assert!(is_virtual_hostable_s3_bucket("abc", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
        assert!(is_virtual_hostable_s3_bucket(&"a".repeat(63), false));
        assert!(!is_virtual_hostable_s3_bucket("Bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
        assert!(!is_virtual_hostable_s3_bucket("-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("a.b.c", false));
        assert!(!is_virtual_hostable_s3_bucket("bu_cket", false));
        assert!(is_virtual_hostable_s3_bucket("a.b.c", true));
        assert!(is_virtual_hostable_s3_bucket("a-b.c--d", true));
        assert!(!is_virtual_hostable_s3_bucket("a..b", true));
        assert!(!is_virtual_hostable_s3_bucket("a-.b", true));
        assert!(!is_virtual_hostable_s3_bucket("a.-b", true));
        assert!(!is_virtual_hostable_s3_bucket("192.168.5.4", true));
        assert!(is_virtual_hostable_s3_bucket("192.168.5.4.5", true));
        assert!(!is_virtual_hostable_s3_bucket("a.B", true));
        assert!(!is_virtual_hostable_s3_bucket("", true));
    }

    #[test]
    fn split_cases() {
        let s = |v, d, l| split(v, d, l);
        assert_eq!(s("a--b--c", "--", 0), Some(vec!["a", "b", "c"]));
        assert_eq!(s("a--b--c", "--", 2), Some(vec!["a", "b--c"]));
        assert_eq!(s("--b--", "--", 0), Some(vec!["", "b", ""]));
        assert_eq!(s("abc", "x", 0), Some(vec!["abc"]));
        assert_eq!(s("", "--", 0), Some(vec![""]));
        assert_eq!(s("----", "--", 0), Some(vec!["", "", ""]));
        assert_eq!(s("a--b--c--d", "--", 3), Some(vec!["a", "b", "c--d"]));
        assert_eq!(s("--", "--", 0), Some(vec!["", ""]));
        assert_eq!(s("mybucket", "--", 1), Some(vec!["mybucket"]));
        assert_eq!(
            s("--x-s3--azid--suffix", "--", 4),
            Some(vec!["", "x-s3", "azid", "suffix"])
        );
        assert_eq!(
            s("--x-s3--azid--suffix", "--", 2),
            Some(vec!["", "x-s3--azid--suffix"])
        );
        assert_eq!(s("a", "", 0), None);
        assert_eq!(s("a", "-", -1), None);
    }
}
