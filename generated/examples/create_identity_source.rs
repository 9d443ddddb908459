//! Creates an MPA identity source (`CreateIdentitySource`) backed by an IAM Identity Center
//! instance and prints the new source's ARN, type and creation time, or the typed error.
//!
//! Region, credentials and endpoint come from the standard environment and shared files
//! (`anvil_config::load_defaults()`): `AWS_REGION`; credentials through the default chain
//! (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile with static keys,
//! `credential_process`, `role_arn` or SSO, web identity (EKS IRSA), the ECS/EKS container
//! endpoint, EC2 instance metadata); `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_MPA`,
//! `AWS_MAX_ATTEMPTS`. The IAM Identity Center instance ARN is the first argument (a sample
//! ARN by default).
//!
//! ```sh
//! AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run -p anvil-clients --example create_identity_source -- arn:aws:sso:::instance/ssoins-...
//! ```

use std::process::ExitCode;

use anvil_clients::mpa::Client;
use anvil_clients::mpa::error::CreateIdentitySourceError;
use anvil_clients::mpa::types::{IamIdentityCenter, IdentitySourceParameters};
use anvil_clients::runtime::SdkError;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = anvil_config::load_defaults().await;
    let region = config.region().unwrap_or("us-east-1").to_owned();
    let instance_arn = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "arn:aws:sso:::instance/ssoins-1111111111111111".to_owned());
    let center = match IamIdentityCenter::builder()
        .instance_arn(instance_arn)
        .region(region)
        .build()
    {
        Ok(center) => center,
        Err(e) => {
            eprintln!("invalid identity source parameters: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = Client::new(&config);
    let result = client
        .create_identity_source()
        .identity_source_parameters(
            IdentitySourceParameters::builder()
                .iam_identity_center(center)
                .build(),
        )
        .tags("created-by", "anvil-example")
        .send()
        .await;
    match result {
        Ok(output) => {
            println!(
                "identitySourceArn: {}",
                output.identity_source_arn.as_deref().unwrap_or("-")
            );
            if let Some(kind) = &output.identity_source_type {
                println!("identitySourceType: {kind}");
            }
            if let Some(created) = &output.creation_time {
                println!("creationTime: {created}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error: for service errors, the typed variant.
fn report(err: &SdkError<CreateIdentitySourceError>) {
    let SdkError::Service(service) = err else {
        eprintln!("request failed: {err}");
        return;
    };
    let request_id = service.meta().request_id().unwrap_or("-");
    let kind = match service.err() {
        CreateIdentitySourceError::AccessDeniedException(_) => "access denied",
        CreateIdentitySourceError::InternalServerException(_) => "internal server error",
        CreateIdentitySourceError::ServiceQuotaExceededException(_) => "quota exceeded",
        CreateIdentitySourceError::ThrottlingException(_) => "throttled",
        CreateIdentitySourceError::ValidationException(_) => "rejected",
        _ => "unexpected error",
    };
    eprintln!("{kind} (request {request_id}): {}", service.err());
}
