//! The credential providers that call STS, run against moto's server (started on 127.0.0.1
//! by `support`) through `AWS_ENDPOINT_URL_STS`, with the STS client `anvil-config` carries:
//!
//! - a profile chain `top` → `middle` → `base` (static keys): two `AssumeRole` calls, the
//!   inner one signed with the base keys and the outer one with the middle role's
//!   credentials, with `role_session_name`, `external_id` and `duration_seconds`;
//! - web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`,
//!   `AWS_ROLE_SESSION_NAME`), as on EKS with IRSA: `AssumeRoleWithWebIdentity`, unsigned.
//!
//! Each result is checked with STS `GetCallerIdentity` signed with the credentials found:
//! moto answers the assumed role's ARN for them. moto checks no signature or trust policy,
//! and accepts any web identity token.

mod support;

use std::time::{Duration, SystemTime};

use anvil_official_clients::runtime::credentials::{Credentials, Env, ProvideCredentials};
use anvil_official_clients::sts;

const ACCOUNT: &str = "123456789012";

/// A fresh directory under the target's temp dir.
fn temp_dir(tag: &str) -> std::path::PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("federation-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The ARN moto says the credentials belong to.
async fn whoami(moto: &support::Moto, credentials: Credentials) -> String {
    let config = moto
        .config(3, true)
        .to_builder()
        .credentials(credentials)
        .build();
    sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity")
        .arn
        .expect("an ARN")
}

fn env(dir: &std::path::Path, moto: &support::Moto, extra: &[(&str, String)]) -> Env {
    let mut vars = vec![
        ("HOME", dir.display().to_string()),
        ("AWS_CONFIG_FILE", dir.join("config").display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("credentials").display().to_string(),
        ),
        ("AWS_ENDPOINT_URL_STS", moto.url()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    vars.extend(extra.iter().cloned());
    Env::from_vars(vars)
}

#[tokio::test(flavor = "current_thread")]
async fn assume_role_chain_and_web_identity_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let dir = temp_dir("chain");
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile middle]\n\
             role_arn = arn:aws:iam::{ACCOUNT}:role/middle\n\
             source_profile = base\n\
             [profile top]\n\
             region = {region}\n\
             role_arn = arn:aws:iam::{ACCOUNT}:role/top\n\
             source_profile = middle\n\
             role_session_name = anvil-chain\n\
             external_id = ext-42\n\
             duration_seconds = 1800\n",
            region = support::REGION
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[base]\naws_access_key_id = AKIDMOTOBASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();

    // 1. The profile chain, through the default chain as `load_defaults` builds it.
    let chain = anvil_config::default_credentials_chain(env(
        &dir,
        &moto,
        &[("AWS_PROFILE", "top".to_owned())],
    ));
    let credentials = chain.provide_credentials().await.expect("role chain");
    assert_ne!(credentials.access_key_id(), "AKIDMOTOBASE");
    assert!(credentials.session_token().is_some());
    assert_eq!(credentials.account_id(), Some(ACCOUNT));
    let expiry = credentials
        .expires_at()
        .expect("temporary credentials expire");
    assert!(
        expiry > SystemTime::now() + Duration::from_secs(600),
        "{expiry:?}"
    );
    let arn = whoami(&moto, credentials.clone()).await;
    assert_eq!(
        arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/top/anvil-chain")
    );
    println!("profile chain top -> middle -> base: {arn}");
    // Cached: moto makes new keys for every AssumeRole, so the same key id means no call.
    let again = chain.provide_credentials().await.unwrap();
    assert_eq!(again.access_key_id(), credentials.access_key_id());

    // 2. Web identity from the environment (IRSA).
    let token = dir.join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n").unwrap();
    let irsa = env(
        &dir,
        &moto,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
            ("AWS_ROLE_ARN", format!("arn:aws:iam::{ACCOUNT}:role/irsa")),
            ("AWS_ROLE_SESSION_NAME", "pod-7".to_owned()),
            ("AWS_REGION", support::REGION.to_owned()),
        ],
    );
    let credentials = anvil_config::default_credentials_chain(irsa.clone())
        .provide_credentials()
        .await
        .expect("web identity");
    assert!(credentials.expires_at().is_some());
    let arn = whoami(&moto, credentials).await;
    assert_eq!(
        arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/irsa/pod-7")
    );
    println!("web identity: {arn}");

    // 3. `defaults_with` gives a whole config whose clients use that chain.
    let config = anvil_config::defaults_with(irsa).await.build();
    assert_eq!(config.region(), Some(support::REGION));
    let me = sts::Client::new(&config.to_builder().endpoint_url(moto.url()).build())
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity through defaults_with");
    assert_eq!(
        me.arn.as_deref(),
        Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/irsa/pod-7").as_str())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
