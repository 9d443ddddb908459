//! Creates a WorkSpaces Web identity provider (`CreateIdentityProvider`) and prints the new
//! provider's ARN, or the typed error.
//!
//! Region, credentials and endpoint come from the standard environment and shared files
//! (`anvil_config::load_defaults()`): `AWS_REGION`; credentials through the default chain
//! (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile with static keys,
//! `credential_process`, `role_arn` or SSO, web identity (EKS IRSA), the ECS/EKS container
//! endpoint, EC2 instance metadata); `AWS_ENDPOINT_URL` /
//! `AWS_ENDPOINT_URL_WORKSPACES_WEB`, `AWS_MAX_ATTEMPTS`. The portal ARN is the first
//! argument (a sample ARN in the configured region by default).
//!
//! ```sh
//! AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run -p anvil-clients --example create_identity_provider -- arn:aws:workspaces-web:...:portal/...
//! ```

use std::process::ExitCode;

use anvil_clients::runtime::SdkError;
use anvil_clients::workspacesweb::Client;
use anvil_clients::workspacesweb::error::CreateIdentityProviderError;
use anvil_clients::workspacesweb::types::{IdentityProviderType, Tag};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = anvil_config::load_defaults().await;
    let region = config.region().unwrap_or("us-east-1").to_owned();
    let portal_arn = std::env::args().nth(1).unwrap_or_else(|| {
        format!(
            "arn:aws:workspaces-web:{region}:123456789012:portal/11111111-2222-3333-4444-555555555555"
        )
    });
    let tag = match Tag::builder()
        .key("created-by")
        .value("anvil-example")
        .build()
    {
        Ok(tag) => tag,
        Err(e) => {
            eprintln!("invalid tag: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = Client::new(&config);
    let result = client
        .create_identity_provider()
        .portal_arn(&portal_arn)
        .identity_provider_name("anvil-example-idp")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/saml/metadata")
        .tags(tag)
        .send()
        .await;
    match result {
        Ok(output) => {
            println!("identityProviderArn: {}", output.identity_provider_arn);
            ExitCode::SUCCESS
        }
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error: for service errors, the typed variant with its fields.
fn report(err: &SdkError<CreateIdentityProviderError>) {
    let SdkError::Service(service) = err else {
        eprintln!("request failed: {err}");
        return;
    };
    let request_id = service.meta().request_id().unwrap_or("-");
    match service.err() {
        CreateIdentityProviderError::ConflictException(e) => eprintln!(
            "conflict (request {request_id}): {e}; resource {:?} of type {:?}",
            e.resource_id, e.resource_type
        ),
        CreateIdentityProviderError::ResourceNotFoundException(e) => eprintln!(
            "not found (request {request_id}): {e}; resource {:?} of type {:?}",
            e.resource_id, e.resource_type
        ),
        CreateIdentityProviderError::ThrottlingException(e) => eprintln!(
            "throttled (request {request_id}): {e}; retry after {} s",
            e.retry_after_seconds
        ),
        CreateIdentityProviderError::ValidationException(e) => {
            eprintln!("rejected (request {request_id}): {e}");
            for field in e.field_list.iter().flatten() {
                eprintln!("  {}: {}", field.name, field.message);
            }
        }
        other => eprintln!(
            "{} (request {request_id}): {other}",
            other.code().unwrap_or("unknown error")
        ),
    }
}
