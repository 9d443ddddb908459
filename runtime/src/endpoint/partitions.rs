//! The AWS partition table used by the `aws.partition` rules function.
//!
//! The table is carried by the runtime as Rust data, written from Smithy's `partitions.json`
//! (the vintage that matches the service models the generator targets). A test reads that JSON
//! file and checks the table against it field by field, including the region regexes.
//!
//! Every `regionRegex` in the table has the shape `^P-\w+-\d+$` where `P` is literal text with
//! at most one group of alternatives, e.g. `^(us|eu|ap)-\w+-\d+$` or `^eusc\-(de)\-\w+\-\d+$`
//! (`-` may be escaped as `\-`). Instead of compiling
//! a regular expression at run time, each partition stores the prefixes and [`region_matches`]
//! matches that shape directly; [`parse_region_regex`] turns a regex string back into the
//! prefixes so the test can prove the two agree.

/// One AWS partition: a group of regions sharing DNS suffixes and capabilities.
#[derive(Debug, PartialEq, Eq)]
pub struct Partition {
    /// The partition id, e.g. `aws`, `aws-cn`.
    pub id: &'static str,
    /// The partition's region regex, exactly as written in `partitions.json`.
    pub region_regex: &'static str,
    /// The alternatives of the regex's leading group (see the module docs).
    pub region_prefixes: &'static [&'static str],
    /// The explicitly listed regions: (region name, optional description).
    pub regions: &'static [(&'static str, Option<&'static str>)],
    /// The `name` output (equal to the id for every known partition).
    pub name: &'static str,
    /// The default DNS suffix, e.g. `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// The dual-stack DNS suffix, e.g. `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// Whether the partition supports FIPS endpoints.
    pub supports_fips: bool,
    /// Whether the partition supports dual-stack endpoints.
    pub supports_dual_stack: bool,
    /// The region global (partitional) services sign for.
    pub implicit_global_region: &'static str,
}

/// The partitions, in the order of `partitions.json` (regex matching is first-match).
pub static PARTITIONS: [Partition; 8] = [
    Partition {
        id: "aws",
        region_regex: r"^(us|eu|ap|sa|ca|me|af)-\w+-\d+$",
        region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af"],
        regions: &[
            ("af-south-1", None),
            ("ap-east-1", None),
            ("ap-northeast-1", None),
            ("ap-northeast-2", None),
            ("ap-northeast-3", None),
            ("ap-south-1", None),
            ("ap-southeast-1", None),
            ("ap-southeast-2", None),
            ("ap-southeast-3", None),
            ("ca-central-1", None),
            ("eu-central-1", None),
            ("eu-north-1", None),
            ("eu-south-1", None),
            ("eu-west-1", None),
            ("eu-west-2", None),
            ("eu-west-3", None),
            ("me-central-1", None),
            ("me-south-1", None),
            ("sa-east-1", None),
            ("us-east-1", None),
            ("us-east-2", None),
            ("us-west-1", None),
            ("us-west-2", None),
            ("aws-global", None),
        ],
        name: "aws",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
        implicit_global_region: "us-east-1",
    },
    Partition {
        id: "aws-us-gov",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        region_prefixes: &["us-gov"],
        regions: &[
            ("us-gov-west-1", None),
            ("us-gov-east-1", None),
            ("aws-us-gov-global", None),
        ],
        name: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
        implicit_global_region: "us-gov-west-1",
    },
    Partition {
        id: "aws-cn",
        region_regex: r"^cn\-\w+\-\d+$",
        region_prefixes: &["cn"],
        regions: &[
            ("cn-north-1", None),
            ("cn-northwest-1", None),
            ("aws-cn-global", None),
        ],
        name: "aws-cn",
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        supports_fips: true,
        supports_dual_stack: true,
        implicit_global_region: "cn-northwest-1",
    },
    Partition {
        id: "aws-iso",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        region_prefixes: &["us-iso"],
        regions: &[
            ("us-iso-east-1", None),
            ("us-iso-west-1", None),
            ("aws-iso-global", None),
        ],
        name: "aws-iso",
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "c2s.ic.gov",
        supports_fips: true,
        supports_dual_stack: false,
        implicit_global_region: "us-iso-east-1",
    },
    Partition {
        id: "aws-iso-b",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        region_prefixes: &["us-isob"],
        regions: &[("us-isob-east-1", None), ("aws-iso-b-global", None)],
        name: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "sc2s.sgov.gov",
        supports_fips: true,
        supports_dual_stack: false,
        implicit_global_region: "us-isob-east-1",
    },
    Partition {
        id: "aws-iso-e",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        region_prefixes: &["eu-isoe"],
        regions: &[],
        name: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "cloud.adc-e.uk",
        supports_fips: true,
        supports_dual_stack: false,
        implicit_global_region: "eu-isoe-west-1",
    },
    Partition {
        id: "aws-iso-f",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        region_prefixes: &["us-isof"],
        regions: &[],
        name: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "csp.hci.ic.gov",
        supports_fips: true,
        supports_dual_stack: false,
        implicit_global_region: "us-isof-south-1",
    },
    Partition {
        id: "aws-eusc",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        region_prefixes: &["eusc-de"],
        regions: &[("eusc-de-east-1", Some("EU (Germany)"))],
        name: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "amazonaws.eu",
        supports_fips: true,
        supports_dual_stack: false,
        implicit_global_region: "eusc-de-east-1",
    },
];

/// The partition for `region`, and whether it was inferred (matched by regex, or the `aws`
/// fallback) rather than found in a partition's explicit region list.
///
/// Resolution order (as the Smithy reference implementation): an explicitly listed region,
/// then the first partition whose region regex matches, then the `aws` partition.
pub fn partition_for(region: &str) -> (&'static Partition, bool) {
    if let Some(p) = PARTITIONS
        .iter()
        .find(|p| p.regions.iter().any(|(name, _)| *name == region))
    {
        return (p, false);
    }
    if let Some(p) = PARTITIONS.iter().find(|p| region_matches(p, region)) {
        return (p, true);
    }
    (&PARTITIONS[0], true)
}

/// Whether `region` matches the partition's region regex `^(prefixes)-\w+-\d+$`.
pub fn region_matches(partition: &Partition, region: &str) -> bool {
    partition.region_prefixes.iter().any(|prefix| {
        region
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(word_dash_digits)
    })
}

/// `\w+-\d+` over the whole input. `\w` (ASCII letters, digits, `_`) excludes `-`, so the
/// split point is the only `-`.
fn word_dash_digits(s: &str) -> bool {
    match s.split_once('-') {
        Some((word, digits)) => {
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Parses a region regex of the supported shape `^P-\w+-\d+$`, where `P` is literal text
/// (lowercase letters, digits, `-`, which may be escaped as `\-`) containing at most one group
/// of alternatives `(a|b|...)`, into the literal prefixes it stands for (`^eu(s|c)-\w+-\d+$`
/// gives `["eus", "euc"]`). `None` if the regex has any other shape, meaning the hand-written
/// matcher cannot represent it.
pub fn parse_region_regex(regex: &str) -> Option<Vec<String>> {
    let unescaped = regex.replace(r"\-", "-");
    let body = unescaped.strip_prefix('^')?.strip_suffix(r"-\w+-\d+$")?;
    let (before, alternatives, after) = match body.split_once('(') {
        Some((before, rest)) => {
            let (group, after) = rest.split_once(')')?;
            (before, group.split('|').collect::<Vec<_>>(), after)
        }
        None => (body, vec![""], ""),
    };
    let prefixes: Vec<String> = alternatives
        .iter()
        .map(|alt| format!("{before}{alt}{after}"))
        .collect();
    let plain = |p: &String| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    prefixes.iter().all(plain).then_some(prefixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(region: &str) -> (&'static str, bool) {
        let (p, inferred) = partition_for(region);
        (p.id, inferred)
    }

    #[test]
    fn explicit_regions_win() {
        assert_eq!(id("us-east-1"), ("aws", false));
        assert_eq!(id("aws-global"), ("aws", false));
        assert_eq!(id("us-gov-west-1"), ("aws-us-gov", false));
        assert_eq!(id("cn-north-1"), ("aws-cn", false));
        assert_eq!(id("eusc-de-east-1"), ("aws-eusc", false));
    }

    #[test]
    fn regex_matching_and_fallback() {
        assert_eq!(id("us-gov-central-7"), ("aws-us-gov", true));
        assert_eq!(id("us-isob-west-2"), ("aws-iso-b", true));
        assert_eq!(id("us-isof-south-1"), ("aws-iso-f", true));
        assert_eq!(id("eu-isoe-west-1"), ("aws-iso-e", true));
        assert_eq!(id("ap-mars-12"), ("aws", true));
        assert_eq!(id("cn-east-3"), ("aws-cn", true));
        // `\w+` does not cross a dash: `us-gov-x-1` must not be taken by `aws`'s `us-` rule.
        assert_eq!(id("us-gov-x-1"), ("aws-us-gov", true));
        // Unknown shapes fall back to `aws`.
        assert_eq!(id("mars-east-1"), ("aws", true));
        assert_eq!(id(""), ("aws", true));
        assert_eq!(id("us-east-"), ("aws", true));
        assert_eq!(id("us-east-1a"), ("aws", true));
    }

    #[test]
    fn matcher_edges() {
        let aws = &PARTITIONS[0];
        assert!(region_matches(aws, "us-a_b-9"));
        assert!(!region_matches(aws, "us--1"));
        assert!(!region_matches(aws, "us-east-1-2"));
        assert!(!region_matches(aws, "xus-east-1"));
        assert!(!region_matches(aws, "us-east-1 "));
    }

    #[test]
    fn regex_parser_round_trips_the_table() {
        for p in &PARTITIONS {
            let parsed = parse_region_regex(p.region_regex);
            let expected: Vec<String> = p.region_prefixes.iter().map(|s| s.to_string()).collect();
            assert_eq!(parsed, Some(expected), "{}", p.id);
        }
        assert_eq!(parse_region_regex(r"^us-\w+-\d+"), None);
        assert_eq!(parse_region_regex(r"^(us|e.)-\w+-\d+$"), None);
        assert_eq!(parse_region_regex(r"^(a)(b)-\w+-\d+$"), None);
        assert_eq!(
            parse_region_regex(r"^eu(s|c)\-x-\w+-\d+$"),
            Some(vec!["eus-x".to_owned(), "euc-x".to_owned()])
        );
    }
}
