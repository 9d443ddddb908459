//! Arbitrary status, headers and body as the answer to WorkSpaces Web
//! `CreateIdentityProvider`: the client must return `Ok` or a typed error, never panic.
#![no_main]

mod common;

use anvil_clients::workspacesweb;
use anvil_runtime::http::test::ReplayClient;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let rt = RT.get_or_init(common::runtime);
    let response = common::response(data);
    let status = response.status;
    let replay = ReplayClient::new(vec![response]);
    let client = workspacesweb::Client::new(&common::config(&replay));
    let result = rt.block_on(
        client
            .create_identity_provider()
            .portal_arn(
                "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555",
            )
            .identity_provider_name("name")
            .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
            .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
            .send(),
    );
    if let Err(anvil_runtime::SdkError::Validation(e)) = &result {
        panic!("the harness input is invalid: {e}");
    }
    match &result {
        Ok(out) => {
            assert!((200..300).contains(&status), "Ok from HTTP {status}");
            let _ = format!("{out:?}");
        }
        Err(e) => {
            let _ = format!("{e} {e:?}");
        }
    }
    assert_eq!(replay.requests().len(), 1, "exactly one attempt");
});
