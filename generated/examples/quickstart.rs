//! Exercises both generated clients against a local HTTP server on 127.0.0.1 that this
//! example starts itself: a validation failure first (nothing is sent), then a signed
//! `CreateIdentitySource` (MPA) and `CreateIdentityProvider` (WorkSpaces Web).
//!
//! Run with `cargo run -p anvil-clients --example quickstart`.

use anvil_clients::runtime::credentials::Credentials;
use anvil_clients::runtime::{Config, SdkError};
use anvil_clients::{mpa, workspacesweb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    println!("local service at {endpoint}");

    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(&endpoint)
        .credentials(Credentials::new("AKIDEXAMPLE", "example-secret-key", None))
        .build();

    // 1. Validation: every violation at once, with paths; the sensitive name is never shown.
    let web = workspacesweb::Client::new(&config);
    let mut invalid = web
        .create_identity_provider()
        .portal_arn("arn:aws:this-is-not-a-portal-arn")
        .identity_provider_name("a-name-that-is-far-too-long-to-be-valid")
        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata");
    for i in 0..201 {
        invalid = invalid.tags(
            workspacesweb::types::Tag::builder()
                .key(format!("key{i}"))
                .value("v")
                .build()?,
        );
    }
    match invalid.send().await {
        Err(SdkError::Validation(e)) => println!("validation refused the input: {e}"),
        other => return Err(format!("expected a validation error, got {other:?}").into()),
    }

    // 2. MPA CreateIdentitySource.
    let mpa = mpa::Client::new(&config);
    let source = mpa
        .create_identity_source()
        .identity_source_parameters(
            mpa::types::IdentitySourceParameters::builder()
                .iam_identity_center(
                    mpa::types::IamIdentityCenter::builder()
                        .instance_arn("arn:aws:sso:::instance/ssoins-1111111111111111")
                        .region("us-east-1")
                        .build()?,
                )
                .build(),
        )
        .tags("env", "demo")
        .send()
        .await?;
    println!(
        "CreateIdentitySource: arn={:?} type={:?} created={:?}",
        source.identity_source_arn, source.identity_source_type, source.creation_time
    );

    // 3. WorkSpaces Web CreateIdentityProvider.
    let provider = web
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("corp-idp")
        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
        .tags(
            workspacesweb::types::Tag::builder()
                .key("team")
                .value("web")
                .build()?,
        )
        .send()
        .await?;
    println!(
        "CreateIdentityProvider: arn={}",
        provider.identity_provider_arn
    );
    Ok(())
}

/// A minimal HTTP/1.1 responder: reads each request (headers and `content-length` body) and
/// answers with canned JSON for the two operations' paths.
async fn serve(mut stream: TcpStream) {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let request_line = head.lines().next().unwrap_or_default().to_string();
        let signed = head
            .to_ascii_lowercase()
            .contains("\nauthorization: aws4-hmac-sha256");
        println!("  server got `{request_line}` (SigV4-signed: {signed})");
        let body = if request_line.contains("/identity-sources") {
            r#"{"IdentitySourceArn":"arn:aws:mpa:us-east-1:123456789012:identity-source/demo","IdentitySourceType":"IAM_IDENTITY_CENTER","CreationTime":"2026-11-23T12:00:00Z"}"#.to_string()
        } else {
            format!(r#"{{"identityProviderArn":"{PORTAL}/66666666-7777-8888-9999-000000000000"}}"#)
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: demo\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}
