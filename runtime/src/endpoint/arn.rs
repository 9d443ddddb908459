//! `aws.parseArn`: Amazon Resource Names.

/// The parts of an ARN, as the `aws.parseArn` rules function returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// The partition, e.g. `aws` (never empty).
    pub partition: &'a str,
    /// The service namespace, e.g. `s3` (never empty).
    pub service: &'a str,
    /// The region; empty for non-regional resources.
    pub region: &'a str,
    /// The account id; empty for resources without an account.
    pub account_id: &'a str,
    /// The resource part split on every `:` and `/` (empty pieces kept; never empty itself).
    pub resource_id: Vec<&'a str>,
}

/// Parses `arn:partition:service:region:account-id:resource`. `None` when there are fewer
/// than six `:`-separated sections, the first is not `arn`, or the partition, service or
/// resource section is empty. The resource section keeps any further `:`.
pub fn parse_arn(input: &str) -> Option<Arn<'_>> {
    let mut sections = input.splitn(6, ':');
    if sections.next()? != "arn" {
        return None;
    }
    let partition = sections.next()?;
    let service = sections.next()?;
    let region = sections.next()?;
    let account_id = sections.next()?;
    let resource = sections.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition,
        service,
        region,
        account_id,
        resource_id: resource.split([':', '/']).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        let a = parse_arn("arn:aws:sns:us-west-2:012345678910:example-sns-topic-name").unwrap();
        assert_eq!(
            (a.partition, a.service, a.region, a.account_id),
            ("aws", "sns", "us-west-2", "012345678910")
        );
        assert_eq!(a.resource_id, ["example-sns-topic-name"]);
        assert_eq!(parse_arn("11111111-2222-3333-4444-555555555555"), None);
        let a = parse_arn("arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE").unwrap();
        assert_eq!(a.resource_id, ["vpc", "vpc-0e9801d129EXAMPLE"]);
        let a = parse_arn("arn:aws:iam::012345678910:user/johndoe").unwrap();
        assert_eq!((a.region, a.account_id), ("", "012345678910"));
        assert_eq!(a.resource_id, ["user", "johndoe"]);
        let a = parse_arn("arn:aws:s3:::bucket_name").unwrap();
        assert_eq!((a.region, a.account_id), ("", ""));
        assert_eq!(a.resource_id, ["bucket_name"]);
    }

    #[test]
    fn resource_splitting() {
        let a =
            parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint:my-ap/object/key:x").unwrap();
        assert_eq!(
            a.resource_id,
            ["accesspoint", "my-ap", "object", "key", "x"]
        );
        let a = parse_arn("arn:aws:s3-outposts:us-west-2:1:outpost/op-1/bucket/b/").unwrap();
        assert_eq!(a.resource_id, ["outpost", "op-1", "bucket", "b", ""]);
        let a = parse_arn("arn:aws:svc:r:a:/").unwrap();
        assert_eq!(a.resource_id, ["", ""]);
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "arn",
            "arn:aws:s3:us-east-1:123",
            "arn:aws:s3:us-east-1:123:",
            "arn::s3:us-east-1:123:r",
            "arn:aws::us-east-1:123:r",
            "ARN:aws:s3:us-east-1:123:r",
            "urn:aws:s3:us-east-1:123:r",
        ] {
            assert_eq!(parse_arn(bad), None, "{bad:?}");
        }
    }
}
