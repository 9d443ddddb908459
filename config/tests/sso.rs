//! SSO credentials against a local stand-in for the SSO portal (`GetRoleCredentials`) and
//! SSO-OIDC (`CreateToken`) on 127.0.0.1, reached through `AWS_ENDPOINT_URL_SSO` and
//! `AWS_ENDPOINT_URL_SSO_OIDC`; the token cache is a temporary `~/.aws/sso/cache`.

#[path = "../../runtime/tests/support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anvil_runtime::credentials::{Env, ProfileProvider, ProvideCredentials};
use anvil_runtime::{DateTime, TimestampFormat};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Seen) -> (u16, String) + Send + Sync>;

/// A one-request-per-connection HTTP/1.1 server that logs what it receives.
async fn serve(handler: Handler) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let log = seen.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                let (head, body_start) = loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break (String::from_utf8_lossy(&data[..i]).into_owned(), i + 4);
                    }
                };
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_owned();
                let target = first.next().unwrap_or("").to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while data.len() < body_start + length {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        break;
                    }
                    data.extend_from_slice(&buf[..n]);
                }
                let body = String::from_utf8_lossy(&data[body_start..]).into_owned();
                let seen = Seen {
                    method,
                    target,
                    headers,
                    body,
                };
                let (status, reply) = handler(&seen);
                log.lock().unwrap().push(seen);
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (url, log)
}

/// A temp dir (the runtime tests' helper) with an empty `.aws/sso/cache` in it.
fn sso_home(tag: &str) -> TempDir {
    let dir = TempDir::new(&format!("config-sso-{tag}"));
    std::fs::create_dir_all(dir.0.join(".aws/sso/cache")).unwrap();
    dir
}

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Developer
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 210987654321
sso_role_name = ReadOnly
";

/// The SSO portal and SSO-OIDC: role credentials for the bearer token `current`, and a
/// refresh that hands out `refreshed` (or fails with 400 when `refresh_ok` is false).
fn stand_in(refresh_ok: bool) -> Handler {
    Arc::new(move |req: &Seen| {
        if req.method == "GET" && req.target.starts_with("/federation/credentials") {
            let token = req.header("x-amz-sso_bearer_token").unwrap_or("");
            if token != "current-access-token" && token != "refreshed-access-token" {
                return (401, json!({"message": "bad token"}).to_string());
            }
            let expiration = (SystemTime::now() + Duration::from_secs(3600))
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
            let key = if token == "current-access-token" {
                "AKIDSSOCURRENT"
            } else {
                "AKIDSSOREFRESHED"
            };
            let body = json!({"roleCredentials": {
                "accessKeyId": key,
                "secretAccessKey": "sso-secret-key",
                "sessionToken": "sso-session-token",
                "expiration": expiration,
            }});
            return (200, body.to_string());
        }
        if req.method == "POST" && req.target == "/token" {
            if !refresh_ok {
                return (
                    400,
                    json!({"error": "invalid_grant", "error_description": "expired"}).to_string(),
                );
            }
            let body = json!({
                "accessToken": "refreshed-access-token",
                "tokenType": "Bearer",
                "expiresIn": 28800,
                "refreshToken": "next-refresh-token",
            });
            return (200, body.to_string());
        }
        (404, "{}".to_owned())
    })
}

fn iso(t: SystemTime) -> String {
    DateTime::from_system_time(t).format(TimestampFormat::DateTime)
}

fn write_cache(dir: &TempDir, key: &str, expires_in: i64, refreshable: bool) -> std::path::PathBuf {
    let spec = anvil_runtime::credentials::federation::SsoSpec {
        start_url: String::new(),
        sso_region: String::new(),
        account_id: String::new(),
        role_name: String::new(),
        session_name: Some(key.to_owned()),
        profile: String::new(),
        env: Env::from_vars([("HOME", dir.0.display().to_string())]),
    };
    let path = spec.cache_file().unwrap();
    let now = SystemTime::now();
    let expires = if expires_in >= 0 {
        now + Duration::from_secs(expires_in as u64)
    } else {
        now - Duration::from_secs(expires_in.unsigned_abs())
    };
    let mut token = json!({
        "startUrl": "https://corp.awsapps.com/start",
        "region": "eu-west-1",
        "accessToken": "current-access-token",
        "expiresAt": iso(expires),
    });
    if refreshable {
        let obj = token.as_object_mut().unwrap();
        obj.insert("clientId".into(), json!("client-id-1"));
        obj.insert("clientSecret".into(), json!("client-secret-1"));
        obj.insert("refreshToken".into(), json!("refresh-token-1"));
        obj.insert(
            "registrationExpiresAt".into(),
            json!(iso(now + Duration::from_secs(86400))),
        );
    }
    std::fs::write(&path, token.to_string()).unwrap();
    path
}

fn env(dir: &TempDir, url: &str, profile: &str) -> Env {
    let config = dir.0.join("config");
    std::fs::write(&config, CONFIG).unwrap();
    Env::from_vars([
        ("HOME", dir.0.display().to_string()),
        ("AWS_CONFIG_FILE", config.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.0.join("none").display().to_string(),
        ),
        ("AWS_PROFILE", profile.to_owned()),
        ("AWS_ENDPOINT_URL_SSO", url.to_owned()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url.to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ])
}

fn provider(env: Env) -> ProfileProvider {
    ProfileProvider::with_env(env).federation(Arc::new(anvil_config::AwsFederation))
}

#[tokio::test]
async fn a_valid_cached_token_is_exchanged_for_role_credentials() {
    let dir = sso_home("valid");
    let (url, log) = serve(stand_in(true)).await;
    write_cache(&dir, "corp", 3600, true);
    let credentials = provider(env(&dir, &url, "dev"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDSSOCURRENT");
    assert_eq!(credentials.secret_access_key(), "sso-secret-key");
    assert_eq!(credentials.session_token(), Some("sso-session-token"));
    assert_eq!(credentials.account_id(), Some("123456789012"));
    let expiry = credentials.expires_at().expect("an expiry");
    assert!(expiry > SystemTime::now() + Duration::from_secs(3000));
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let call = &seen[0];
    assert!(
        call.target.contains("role_name=Developer")
            && call.target.contains("account_id=123456789012"),
        "{}",
        call.target
    );
    assert_eq!(
        call.header("x-amz-sso_bearer_token"),
        Some("current-access-token")
    );
    // Unsigned: the operation is modeled `@auth([])`.
    assert_eq!(call.header("authorization"), None);
    // Nothing secret in the credentials' Debug.
    let debug = format!("{credentials:?}");
    assert!(!debug.contains("sso-secret-key") && !debug.contains("sso-session-token"));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_written_back() {
    let dir = sso_home("refresh");
    let (url, log) = serve(stand_in(true)).await;
    let path = write_cache(&dir, "corp", 60, true);
    let credentials = provider(env(&dir, &url, "dev"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDSSOREFRESHED");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let refresh: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(seen[0].target, "/token");
    assert_eq!(refresh["grantType"], "refresh_token");
    assert_eq!(refresh["clientId"], "client-id-1");
    assert_eq!(refresh["clientSecret"], "client-secret-1");
    assert_eq!(refresh["refreshToken"], "refresh-token-1");
    assert_eq!(
        seen[1].header("x-amz-sso_bearer_token"),
        Some("refreshed-access-token")
    );
    // The cache now holds the new token, its expiry and refresh token; the rest is kept.
    let cached: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(cached["accessToken"], "refreshed-access-token");
    assert_eq!(cached["refreshToken"], "next-refresh-token");
    assert_eq!(cached["clientId"], "client-id-1");
    assert_eq!(cached["startUrl"], "https://corp.awsapps.com/start");
    let expires = DateTime::parse(
        TimestampFormat::DateTime,
        cached["expiresAt"].as_str().unwrap(),
    )
    .unwrap()
    .to_system_time()
    .unwrap();
    assert!(expires > SystemTime::now() + Duration::from_secs(28000));

    // The next load uses the refreshed token without refreshing again.
    provider(env(&dir, &url, "dev"))
        .provide_credentials()
        .await
        .unwrap();
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(seen[2].target.starts_with("/federation/credentials"));
}

#[tokio::test]
async fn an_expired_token_that_cannot_be_refreshed_asks_for_a_login() {
    let dir = sso_home("expired");
    let (url, log) = serve(stand_in(false)).await;
    // Expired, refreshable, but the refresh is refused.
    write_cache(&dir, "corp", -60, true);
    let err = provider(env(&dir, &url, "dev"))
        .provide_credentials()
        .await
        .expect_err("expired");
    let text = err.to_string();
    assert!(err.is_failed(), "{text}");
    assert!(text.contains("refreshing it failed"), "{text}");
    assert!(text.contains("aws sso login --sso-session corp"), "{text}");
    for secret in ["current-access-token", "client-secret-1", "refresh-token-1"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert_eq!(log.lock().unwrap().len(), 1, "only the refresh was tried");

    // A legacy profile is never refreshed: an expired token means logging in again.
    let legacy_key = "https://legacy.awsapps.com/start";
    write_cache(&dir, legacy_key, -60, false);
    let err = provider(env(&dir, &url, "legacy"))
        .provide_credentials()
        .await
        .expect_err("legacy expired");
    assert!(
        err.to_string().contains("aws sso login --profile legacy"),
        "{err}"
    );
    // And a missing cache says so.
    let other = sso_home("none");
    let err = provider(env(&other, &url, "dev"))
        .provide_credentials()
        .await
        .expect_err("no cache");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert_eq!(log.lock().unwrap().len(), 1, "no further calls");
}
