//! Role assumption and web identity federation through the generated STS client.

use anvil_runtime::credentials::federation::{
    AssumeRoleSpec, CallContext, WebIdentitySpec, session_name,
};
use anvil_runtime::credentials::{Credentials, CredentialsError};

use crate::clients::sts;

/// STS calls are made in this region when neither the environment nor the profile names one.
const DEFAULT_STS_REGION: &str = "us-east-1";

/// The STS client for a call: configured from the chain's environment (so
/// `AWS_ENDPOINT_URL_STS`, FIPS and dual-stack settings apply), in the call's region, signed
/// with `credentials` (none for `AssumeRoleWithWebIdentity`, which is unsigned).
fn client(context: &CallContext, credentials: Option<Credentials>) -> sts::Client {
    let region = context.region.as_deref().unwrap_or(DEFAULT_STS_REGION);
    let mut builder =
        anvil_runtime::client::ConfigBuilder::from_env_with(context.env.clone()).region(region);
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    sts::Client::new(&builder.build())
}

/// `AssumeRole` with the source credentials.
pub(crate) async fn assume_role(
    source: Credentials,
    role: &AssumeRoleSpec,
) -> Result<Credentials, CredentialsError> {
    let what = format!("assume role {} (profile `{}`)", role.role_arn, role.profile);
    let reply = client(&role.context, Some(source))
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session_name(role.session_name.as_deref()))
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds)
        .send()
        .await
        .map_err(|e| {
            CredentialsError::failed(
                what.clone(),
                format!("STS AssumeRole failed: {}", crate::call_error(&e)),
            )
        })?;
    let arn = reply.assumed_role_user.as_ref().map(|u| u.arn.as_str());
    convert(reply.credentials, arn, &what)
}

/// `AssumeRoleWithWebIdentity` with the token file's current token.
pub(crate) async fn web_identity(spec: &WebIdentitySpec) -> Result<Credentials, CredentialsError> {
    let what = format!("web identity for {}", spec.role_arn);
    let token = spec.read_token()?;
    let reply = client(&spec.context, None)
        .assume_role_with_web_identity()
        .role_arn(&spec.role_arn)
        .role_session_name(session_name(spec.session_name.as_deref()))
        .web_identity_token(token.expose())
        .send()
        .await
        .map_err(|e| {
            CredentialsError::failed(
                what.clone(),
                format!(
                    "STS AssumeRoleWithWebIdentity failed: {}",
                    crate::call_error(&e)
                ),
            )
        })?;
    let arn = reply.assumed_role_user.as_ref().map(|u| u.arn.as_str());
    convert(reply.credentials, arn, &what)
}

/// STS's credentials as the runtime's, with their expiry and the account of the role.
fn convert(
    credentials: Option<sts::types::Credentials>,
    arn: Option<&str>,
    what: &str,
) -> Result<Credentials, CredentialsError> {
    let Some(c) = credentials else {
        return Err(CredentialsError::failed(
            what,
            "STS answered without credentials",
        ));
    };
    let mut out = Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token))
        .with_expires_at(c.expiration.to_system_time());
    if let Some(account) = arn.and_then(account_of) {
        out = out.with_account_id(account);
    }
    Ok(out)
}

/// The account id of an ARN (`arn:aws:sts::123456789012:assumed-role/...`).
fn account_of(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::account_of;

    #[test]
    fn account_comes_from_the_arn() {
        assert_eq!(
            account_of("arn:aws:sts::123456789012:assumed-role/r/s"),
            Some("123456789012")
        );
        assert_eq!(account_of("arn:aws:sts:::x"), None);
        assert_eq!(account_of("nonsense"), None);
    }
}
