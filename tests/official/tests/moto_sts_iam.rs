//! The clients generated from the official STS and IAM models (both awsQuery; IAM with only
//! the operations this test calls, see `build.rs`), run signed against moto's server, which
//! this test starts on 127.0.0.1 and stops (see `support`).
//!
//! The scenario: STS GetCallerIdentity; IAM CreateRole (with a trust policy), STS AssumeRole
//! of it, and a second STS client signing with the returned temporary credentials (session
//! token included) whose GetCallerIdentity is the assumed role's ARN; IAM CreateUser of
//! three users; ListUsers through the paginator (`MaxItems` 2); ListRoles through the
//! paginator over several pages (`MaxItems` 1); a duplicate CreateUser (the typed
//! `EntityAlreadyExistsException`, whose query error code is `EntityAlreadyExists`).
//!
//! What moto does differently from the service:
//! - moto checks no signature and accepts any access key; GetCallerIdentity of an unknown key
//!   is moto's default identity `arn:aws:sts::123456789012:user/moto`;
//! - AssumeRole does not check the role's trust policy (any caller may assume any role that
//!   exists);
//! - ListUsers ignores `MaxItems` and `Marker` and answers every user in one page with
//!   `IsTruncated` false (the paginator stops after it). Following `Marker`s over several
//!   pages is therefore shown with ListRoles, which moto does paginate.

mod support;

use anvil_official_clients::iam;
use anvil_official_clients::iam::error::CreateUserError;
use anvil_official_clients::runtime::credentials::Credentials;
use anvil_official_clients::runtime::{Config, SdkError};
use anvil_official_clients::sts;

/// moto's account.
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "anvil-role";
const SESSION: &str = "anvil-session";
/// A trust policy letting the account assume the role.
const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

#[tokio::test(flavor = "current_thread")]
async fn sts_and_iam_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let config = moto.config(3, true);
    let sts = sts::Client::new(&config);
    let iam = iam::Client::new(&config);

    // 1. GetCallerIdentity with the static test credentials.
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(me.account.as_deref(), Some(ACCOUNT));
    let my_arn = me.arn.expect("GetCallerIdentity returns an ARN");
    assert!(my_arn.starts_with("arn:aws:"), "{my_arn}");
    println!(
        "GetCallerIdentity: {my_arn} (account {ACCOUNT}, user id {:?})",
        me.user_id
    );

    // 2. CreateRole, then AssumeRole of it.
    let role = iam
        .create_role()
        .role_name(ROLE)
        .assume_role_policy_document(TRUST_POLICY)
        .description("assumed by the anvil scenario")
        .send()
        .await
        .expect("CreateRole")
        .role;
    assert_eq!(role.role_name, ROLE);
    assert_eq!(role.arn, format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}"));
    println!("CreateRole: {}", role.arn);

    let assumed = sts
        .assume_role()
        .role_arn(&role.arn)
        .role_session_name(SESSION)
        .duration_seconds(900)
        .send()
        .await
        .expect("AssumeRole");
    let user = assumed
        .assumed_role_user
        .expect("AssumeRole returns the assumed-role user");
    let assumed_arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{SESSION}");
    assert_eq!(user.arn, assumed_arn);
    let creds = assumed.credentials.expect("AssumeRole returns credentials");
    assert!(!creds.access_key_id.is_empty());
    assert!(!creds.secret_access_key.is_empty());
    assert!(!creds.session_token.is_empty());
    assert_ne!(creds.access_key_id, "AKIDMOTOEXAMPLE");
    println!(
        "AssumeRole: {} (key {}, expires {:?})",
        user.arn, creds.access_key_id, creds.expiration
    );

    // 3. A second client signing with the temporary credentials sees the assumed role.
    let assumed_config = Config::builder()
        .region(support::REGION)
        .endpoint_url(moto.url())
        .credentials(Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.clone(),
            Some(creds.session_token.clone()),
        ))
        .max_attempts(3)
        .build();
    let as_role = sts::Client::new(&assumed_config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the assumed role's credentials");
    assert_eq!(as_role.arn.as_deref(), Some(assumed_arn.as_str()));
    assert_eq!(as_role.account.as_deref(), Some(ACCOUNT));
    println!("GetCallerIdentity as the role: {assumed_arn}");

    // 4. CreateUser, three times.
    let names = ["anvil-user-1", "anvil-user-2", "anvil-user-3"];
    for name in names {
        let user = iam
            .create_user()
            .user_name(name)
            .path("/anvil/")
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateUser {name}: {e:?}"))
            .user
            .expect("CreateUser returns the user");
        assert_eq!(user.user_name, name);
        assert_eq!(user.path, "/anvil/");
        assert_eq!(
            user.arn,
            format!("arn:aws:iam::{ACCOUNT}:user/anvil/{name}")
        );
        println!("CreateUser: {}", user.arn);
    }

    // 5. ListUsers through the paginator, two a page.
    let mut pages = iam
        .list_users()
        .path_prefix("/anvil/")
        .max_items(2)
        .into_paginator();
    let mut listed = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a ListUsers page");
        page_count += 1;
        assert!(page_count <= 10, "the paginator does not stop");
        listed.extend(page.users.into_iter().map(|u| u.user_name));
    }
    listed.sort();
    assert_eq!(listed, names);
    // moto ignores MaxItems here: one page, IsTruncated false, no Marker (see the header).
    assert_eq!(page_count, 1, "moto answers ListUsers in one page");
    println!("ListUsers: {} users in {page_count} page(s)", listed.len());

    // 6. ListRoles through the paginator, one a page: moto follows the Marker.
    for name in ["anvil-role-a", "anvil-role-b"] {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST_POLICY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateRole {name}: {e:?}"));
    }
    let mut pages = iam.list_roles().max_items(1).into_paginator();
    let mut roles = Vec::new();
    let mut truncated = Vec::new();
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a ListRoles page");
        assert!(truncated.len() < 10, "the paginator does not stop");
        assert!(page.roles.len() <= 1, "MaxItems 1: {:?}", page.roles);
        truncated.push(page.is_truncated);
        roles.extend(page.roles.into_iter().map(|r| r.role_name));
    }
    roles.sort();
    assert_eq!(roles, ["anvil-role", "anvil-role-a", "anvil-role-b"]);
    assert_eq!(truncated, [true, true, false], "IsTruncated of each page");
    println!(
        "ListRoles: {} roles in {} pages",
        roles.len(),
        truncated.len()
    );

    // 7. A duplicate CreateUser: the typed EntityAlreadyExistsException.
    let err = iam
        .create_user()
        .user_name(names[0])
        .send()
        .await
        .expect_err("a duplicate CreateUser fails");
    match &err {
        SdkError::Service(e) => {
            assert!(
                matches!(e.err(), CreateUserError::EntityAlreadyExistsException(_)),
                "{err:?}"
            );
            assert_eq!(e.meta().status(), 409);
            assert_eq!(e.meta().code(), Some("EntityAlreadyExists"));
            assert_eq!(
                e.meta().message(),
                Some(format!("User {} already exists", names[0]).as_str())
            );
            println!("duplicate CreateUser: {:?}", e.meta());
        }
        other => {
            panic!("duplicate CreateUser: expected EntityAlreadyExistsException, got {other:?}")
        }
    }
}
