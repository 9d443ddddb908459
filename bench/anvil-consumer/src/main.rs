//! The anvil consumer: calls WorkSpaces Web `CreateIdentityProvider` with the client anvil
//! generates (see `build.rs`).
//!
//! - `anvil-consumer [once [--endpoint URL]]`: one call; region, credentials and endpoint from
//!   the environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, ...).
//! - `anvil-consumer bench --endpoint URL --calls N --concurrency C`: N calls against a local
//!   server, C at a time; prints process CPU time and wall time per call.
//! - `anvil-consumer validate [--iterations N] [--detail-len L]`: median time of
//!   `validate()` on a maximal input (200 tags and 20 details; see `maximal_input`).

#[path = "../../common/harness.rs"]
mod harness;

use anvil_consumer::runtime::credentials::Credentials;
use anvil_consumer::runtime::{Config, client::ConfigBuilder};
use anvil_consumer::workspacesweb as ws;
use std::process::ExitCode;

fn main() -> ExitCode {
    // `--detail-len` is this binary's own flag (validate mode); the rest is the shared harness.
    let mut detail_len = 256usize;
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--detail-len" {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => detail_len = n,
                None => {
                    eprintln!("anvil-consumer: --detail-len needs a number");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            rest.push(arg);
        }
    }
    let result = harness::parse_args(rest.into_iter()).and_then(|mode| match mode {
        harness::Mode::Validate { iterations } => validate(iterations, detail_len),
        mode => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start tokio: {e}"))?
            .block_on(run(mode)),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anvil-consumer: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mode: harness::Mode) -> Result<(), String> {
    match mode {
        harness::Mode::Once { endpoint } => {
            let mut builder = ConfigBuilder::from_env();
            if let Some(url) = endpoint {
                builder = builder.endpoint_url(url);
            }
            let client = ws::Client::new(&builder.build());
            let arn = call(&client).await?;
            println!("CreateIdentityProvider: arn={arn}");
            Ok(())
        }
        harness::Mode::Bench {
            endpoint,
            calls,
            concurrency,
        } => {
            let config = Config::builder()
                .region("us-east-1")
                .endpoint_url(endpoint)
                .credentials(Credentials::new("AKIDEXAMPLE", "example-secret-key", None))
                .build();
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
        harness::Mode::Validate { iterations } => validate(iterations, 256),
    }
}

/// One `CreateIdentityProvider` call with the same input anchor-consumer sends.
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
        .map_err(|e| e.to_string())?;
    Ok(out.identity_provider_arn)
}

/// Times `validate()` on [`maximal_input`]; fails if the input is not valid.
fn validate(iterations: u64, detail_len: usize) -> Result<(), String> {
    let input = maximal_input(detail_len)?;
    input
        .validate()
        .map_err(|e| format!("the maximal input should be valid: {e}"))?;
    harness::time_each(iterations, || {
        std::hint::black_box(std::hint::black_box(&input).validate().is_ok());
    });
    Ok(())
}

/// The largest valid `CreateIdentityProvider` input: a 2,013-character portal ARN (the most
/// `/<36 hex>` segments that fit in 2,048), a 32-character name, a 512-character client token,
/// 200 tags (the list's maximum) with 128-character keys and 256-character values (their
/// maxima), and 20 identity-provider details with 32-character keys and `detail_len`-character
/// values (the model allows up to 131,072 each; 256 is the default, `--detail-len 131072` the
/// extreme).
fn maximal_input(detail_len: usize) -> Result<ws::types::CreateIdentityProviderRequest, String> {
    let mut arn = String::from("arn:aws:workspaces-web:us-east-1:123456789012:portal");
    while arn.len() + 37 <= 2048 {
        arn.push_str("/11111111-2222-3333-4444-555555555555");
    }
    let mut builder = ws::types::CreateIdentityProviderRequest::builder()
        .portal_arn(arn)
        .identity_provider_name(format!("{:x<32}", "corp-idp-"))
        .identity_provider_type(ws::types::IdentityProviderType::Saml)
        .client_token("t".repeat(512));
    for i in 0..20 {
        builder = builder.identity_provider_details(
            format!("{:k<32}", format!("detail{i:02}")),
            "v".repeat(detail_len),
        );
    }
    for i in 0..200 {
        let tag = ws::types::Tag::builder()
            .key(format!("{:k<128}", format!("key{i:03}")))
            .value(format!("{:v<256}", format!("value{i:03}")))
            .build()
            .map_err(|e| e.to_string())?;
        builder = builder.tags(tag);
    }
    builder.build().map_err(|e| e.to_string())
}
