//! Arbitrary status, headers and body as the answer to MPA `CreateIdentitySource`: the
//! client must return `Ok` or a typed error, never panic.
#![no_main]

mod common;

use anvil_clients::mpa;
use anvil_runtime::http::test::ReplayClient;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let rt = RT.get_or_init(common::runtime);
    let response = common::response(data);
    let status = response.status;
    let replay = ReplayClient::new(vec![response]);
    let client = mpa::Client::new(&common::config(&replay));
    let Ok(center) = mpa::types::IamIdentityCenter::builder()
        .instance_arn("arn:aws:sso:::instance/ssoins-1111111111111111")
        .region("us-east-1")
        .build()
    else {
        return;
    };
    let result = rt.block_on(
        client
            .create_identity_source()
            .identity_source_parameters(
                mpa::types::IdentitySourceParameters::builder()
                    .iam_identity_center(center)
                    .build(),
            )
            .tags("env", "fuzz")
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
