//! The anchor consumer: calls WorkSpaces Web `CreateIdentityProvider` with the published AWS
//! SDK for Rust (`aws-sdk-workspacesweb` + `aws-config` + `tokio`).
//!
//! - `anchor-consumer [once [--endpoint URL]]`: one call; region, credentials and endpoint from
//!   the environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, ...).
//! - `anchor-consumer bench --endpoint URL --calls N --concurrency C`: N calls against a local
//!   server, C at a time; prints process CPU time and wall time per call.

#[path = "../../common/harness.rs"]
mod harness;

use aws_config::BehaviorVersion;
use aws_sdk_workspacesweb as ws;
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = harness::parse_args(std::env::args().skip(1)).and_then(|mode| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start tokio: {e}"))?
            .block_on(run(mode))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anchor-consumer: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mode: harness::Mode) -> Result<(), String> {
    match mode {
        harness::Mode::Once { endpoint } => {
            let mut loader = aws_config::defaults(BehaviorVersion::latest());
            if let Some(url) = endpoint {
                loader = loader.endpoint_url(url);
            }
            let client = ws::Client::new(&loader.load().await);
            let arn = call(&client).await?;
            println!("CreateIdentityProvider: arn={arn}");
            Ok(())
        }
        harness::Mode::Bench {
            endpoint,
            calls,
            concurrency,
        } => {
            let config = aws_config::defaults(BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(endpoint)
                .credentials_provider(ws::config::Credentials::new(
                    "AKIDEXAMPLE",
                    "example-secret-key",
                    None,
                    None,
                    "bench",
                ))
                .load()
                .await;
            let client = ws::Client::new(&config);
            harness::run_calls(calls, concurrency, move || {
                let client = client.clone();
                async move {
                    let arn = call(&client).await?;
                    if arn == harness::EXPECTED_ARN {
                        Ok(())
                    } else {
                        Err(format!("unexpected ARN {arn}"))
                    }
                }
            })
            .await
        }
        harness::Mode::Validate { .. } => Err(
            "validate mode is anvil-consumer's (the SDK has no client-side validation to time)"
                .into(),
        ),
    }
}

/// One `CreateIdentityProvider` call with the same input anvil-consumer sends.
async fn call(client: &ws::Client) -> Result<String, String> {
    let tag = ws::types::Tag::builder()
        .key("team")
        .value("web")
        .build()
        .map_err(|e| e.to_string())?;
    let out = client
        .create_identity_provider()
        .portal_arn(harness::PORTAL_ARN)
        .identity_provider_name("corp-idp")
        .identity_provider_type(ws::types::IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
        .tags(tag)
        .send()
        .await
        .map_err(|e| format!("{}", aws_sdk_workspacesweb::error::DisplayErrorContext(e)))?;
    Ok(out.identity_provider_arn().to_string())
}
