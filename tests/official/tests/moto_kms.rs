//! The client generated from the official KMS model (awsJson1_1), run signed against moto's
//! server, which this test starts on 127.0.0.1 and stops (see `support`).
//!
//! The scenario: CreateKey, Encrypt and Decrypt of binary data (not UTF-8: blobs travel as
//! base64), ListKeys through the paginator, DisableKey then Encrypt, and typed errors for an
//! unknown key and a corrupt ciphertext.

mod support;

use anvil_official_clients::kms::Client;
use anvil_official_clients::kms::error::{DecryptError, EncryptError};
use anvil_official_clients::kms::types::{
    EncryptionAlgorithmSpec, KeySpec, KeyState, KeyUsageType, Tag,
};
use anvil_official_clients::runtime::{Blob, SdkError};

/// Every byte value, twice, and bytes that are never valid UTF-8.
fn plaintext() -> Vec<u8> {
    let mut data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    data.extend_from_slice(&[0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe]);
    data
}

#[tokio::test(flavor = "current_thread")]
async fn kms_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&moto.config(3, true));
    let data = plaintext();
    assert!(
        std::str::from_utf8(&data).is_err(),
        "the plaintext is not UTF-8"
    );

    // 1. CreateKey: a symmetric encryption key, and a second one for ListKeys.
    let metadata = client
        .create_key()
        .description("anvil test key")
        .key_usage(KeyUsageType::EncryptDecrypt)
        .key_spec(KeySpec::SymmetricDefault)
        .tags(
            Tag::builder()
                .tag_key("created-by")
                .tag_value("anvil")
                .build()
                .expect("a complete tag"),
        )
        .send()
        .await
        .expect("CreateKey")
        .key_metadata
        .expect("CreateKey returns the key's metadata");
    let key_id = metadata.key_id.clone();
    let key_arn = metadata.arn.clone().expect("a key ARN");
    assert!(key_arn.starts_with("arn:aws:kms:us-east-1:"), "{key_arn}");
    assert!(key_arn.ends_with(&format!(":key/{key_id}")), "{key_arn}");
    assert!(metadata.enabled);
    assert_eq!(metadata.key_state, Some(KeyState::Enabled));
    assert_eq!(metadata.key_usage, Some(KeyUsageType::EncryptDecrypt));
    assert_eq!(metadata.key_spec, Some(KeySpec::SymmetricDefault));
    assert_eq!(metadata.description.as_deref(), Some("anvil test key"));
    assert!(metadata.creation_date.is_some(), "a creation date");
    println!("CreateKey: {key_arn}");
    let other = client
        .create_key()
        .send()
        .await
        .expect("CreateKey with defaults")
        .key_metadata
        .expect("CreateKey returns the key's metadata")
        .key_id;

    // 2. Encrypt and Decrypt: the bytes round-trip exactly.
    let encrypted = client
        .encrypt()
        .key_id(&key_id)
        .plaintext(Blob::new(data.clone()))
        .encryption_context("purpose", "anvil-test")
        .send()
        .await
        .expect("Encrypt");
    assert_eq!(encrypted.key_id.as_deref(), Some(key_arn.as_str()));
    let ciphertext = encrypted.ciphertext_blob.expect("a ciphertext");
    assert!(!ciphertext.is_empty());
    assert_ne!(ciphertext.as_bytes(), data.as_slice());
    let decrypted = client
        .decrypt()
        .ciphertext_blob(ciphertext.clone())
        .encryption_context("purpose", "anvil-test")
        .send()
        .await
        .expect("Decrypt");
    assert_eq!(decrypted.key_id.as_deref(), Some(key_arn.as_str()));
    let plain = decrypted.plaintext.expect("a plaintext");
    assert_eq!(
        plain.as_bytes(),
        data.as_slice(),
        "the plaintext round-trips"
    );
    if let Some(algorithm) = &decrypted.encryption_algorithm {
        assert_eq!(*algorithm, EncryptionAlgorithmSpec::SymmetricDefault);
    }
    println!("Encrypt/Decrypt: {} bytes round-tripped", plain.len());

    // A corrupt ciphertext: the typed InvalidCiphertextException.
    let err = client
        .decrypt()
        .ciphertext_blob(Blob::new(vec![0x00, 0xff, 0x10]))
        .send()
        .await
        .expect_err("Decrypt of a corrupt ciphertext fails");
    match &err {
        SdkError::Service(e) => {
            assert!(
                matches!(e.err(), DecryptError::InvalidCiphertextException(_)),
                "{err:?}"
            );
            assert_eq!(e.meta().status(), 400);
        }
        other => panic!("Decrypt of a corrupt ciphertext: {other:?}"),
    }

    // 3. ListKeys through the paginator: both keys.
    let mut pages = client.list_keys().limit(1).into_paginator();
    let mut ids = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a ListKeys page");
        page_count += 1;
        assert!(page_count <= 10, "the paginator does not stop");
        for entry in page.keys.unwrap_or_default() {
            let id = entry.key_id.expect("a key id");
            assert_eq!(
                entry.key_arn.as_deref(),
                Some(format!("{}{id}", &key_arn[..key_arn.len() - key_id.len()]).as_str())
            );
            ids.push(id);
        }
    }
    ids.sort();
    let mut expected = vec![key_id.clone(), other];
    expected.sort();
    assert_eq!(ids, expected);
    // moto's ListKeys ignores Limit and Marker: every key in one page, `NextMarker: null`
    // and `Truncated: false` (read as no next page), after which the paginator stops.
    assert_eq!(page_count, 1, "moto answers ListKeys in one page");
    println!("ListKeys: {} keys in {page_count} page(s)", ids.len());

    // 4. DisableKey: DescribeKey then says Disabled.
    client
        .disable_key()
        .key_id(&key_id)
        .send()
        .await
        .expect("DisableKey");
    let described = client
        .describe_key()
        .key_id(&key_id)
        .send()
        .await
        .expect("DescribeKey")
        .key_metadata
        .expect("DescribeKey returns the key's metadata");
    assert!(!described.enabled);
    assert_eq!(described.key_state, Some(KeyState::Disabled));

    // Encrypt with the disabled key.
    let disabled = client
        .encrypt()
        .key_id(&key_id)
        .plaintext(Blob::new(data.clone()))
        .send()
        .await;
    match &disabled {
        // What the service returns: the modeled DisabledException.
        Err(SdkError::Service(e)) if matches!(e.err(), EncryptError::DisabledException(_)) => {
            assert_eq!(e.meta().status(), 400);
            println!("Encrypt with the disabled key: DisabledException");
        }
        // What moto (5.x) does: it never checks a key's state on Encrypt (it has no
        // DisabledException at all), so the call succeeds.
        Ok(out) => {
            assert!(out.ciphertext_blob.is_some(), "{out:?}");
            println!("Encrypt with the disabled key: moto encrypts anyway");
        }
        Err(other) => panic!("Encrypt with the disabled key: unexpected error {other:?}"),
    }

    // An unknown key: the typed NotFoundException (what moto returns for a key it does not
    // have, as the service does).
    let err = client
        .encrypt()
        .key_id("00000000-0000-0000-0000-000000000000")
        .plaintext(Blob::new(data))
        .send()
        .await
        .expect_err("Encrypt with an unknown key fails");
    match &err {
        SdkError::Service(e) => {
            assert!(
                matches!(e.err(), EncryptError::NotFoundException(_)),
                "{err:?}"
            );
            assert_eq!(e.meta().status(), 400);
            assert_eq!(e.meta().code(), Some("NotFoundException"));
            println!("Encrypt with an unknown key: {:?}", e.meta().message());
        }
        other => panic!("Encrypt with an unknown key: {other:?}"),
    }
}
