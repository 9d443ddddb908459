//! The client generated from the official S3 model (restXml; only the operations these tests
//! call, see `build.rs`), run signed against moto's server, which each test starts on
//! 127.0.0.1 and stops (see `support`). Buckets are addressed in the path
//! (`ConfigBuilder::force_path_style`): a local endpoint has no per-bucket host names.
//!
//! The scenario (`s3_scenario_against_moto`): CreateBucket; PutObject from memory; HeadObject
//! (content length, ETag); GetObject streamed and compared byte for byte; ListObjectsV2
//! through the paginator over several pages (5 objects, `MaxKeys` 2); CopyObject; a
//! multipart upload of 3 parts (two of 5 MiB, one smaller; then GetObject compares);
//! DeleteObjects; GetObject of a missing key (the typed `NoSuchKey`).
//!
//! Separate tests, so that each can fail on its own:
//! - `s3_put_object_with_crc32_checksum`: PutObject with `ChecksumAlgorithm::Crc32`; moto's
//!   stored CRC32 (HeadObject and GetObject with `ChecksumMode::Enabled`) must be the one
//!   Python's `zlib.crc32` gives for the body;
//! - `s3_default_crc32_is_recorded`: PutObject without naming an algorithm; the default
//!   CRC32 the client computes must be what moto stores;
//! - `s3_streamed_upload_of_unknown_length`: PutObject of 8 MiB from a reader whose length
//!   is not declared (sent `content-encoding: aws-chunked` over `transfer-encoding: chunked`,
//!   with its CRC32 as the `aws-chunked` trailer), read back and compared; the ETag (MD5)
//!   and the CRC32 moto stores must be those computed independently in Python;
//! - `s3_presigned_get_with_plain_http_client`: a presigned GetObject URL fetched by a
//!   minimal HTTP/1.0 client over `std::net::TcpStream` (no credentials, no SDK).
//!
//! What moto does differently from the service:
//! - moto does not enforce the 5 MiB minimum part size (the scenario respects it anyway);
//! - a request body of unknown length: S3's documentation asks for
//!   `x-amz-decoded-content-length` on every `aws-chunked` upload, and S3 refuses
//!   `transfer-encoding: chunked` request bodies (501 `NotImplemented`), while moto's server
//!   de-chunks the body, decodes the `aws-chunked` framing and stores the bytes; the
//!   unknown-length test thus shows the client sends a well-formed body, not that S3 would
//!   accept it;
//! - moto records an upload's checksum only when `x-amz-sdk-checksum-algorithm` names the
//!   algorithm (S3 reads the `x-amz-checksum-*` header or the `x-amz-trailer` it announces);
//!   botocore sends that header with its default CRC32 too, so
//!   `s3_default_crc32_is_recorded` expects it of this client;
//! - moto checks no signature (header or query) unless its IAM authentication is turned on,
//!   so the presigned test shows the URL is well formed (path-style, query parameters, no
//!   header to send with it), not that its signature is right: that is checked against
//!   botocore's presigner in `runtime/tests/presign_botocore.rs`.

// `Moto::config` is not used: S3 needs path-style addressing, which is set on the builder.
#[allow(dead_code)]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anvil_official_clients::runtime::credentials::Credentials;
use anvil_official_clients::runtime::{ByteStream, Config, PresigningConfig, SdkError};
use anvil_official_clients::s3::Client;
use anvil_official_clients::s3::error::GetObjectError;
use anvil_official_clients::s3::types::{
    ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart, Delete,
    ObjectIdentifier,
};

/// A body with non-ASCII text and XML's special characters.
const BODY: &str = "hello from anvil over restXml: ünïcödé & <xml/>\n";
/// `BODY`'s MD5, the ETag of a single-part upload (Python's
/// `hashlib.md5(BODY.encode()).hexdigest()`).
const BODY_MD5: &str = "467b59cc6ccba21609c2b06d5844646c";
/// The body of the checksum test, and its CRC32 as S3 spells it (base64 of the big-endian
/// value): Python's
/// `base64.b64encode(zlib.crc32(CHECKSUMMED).to_bytes(4, "big"))` (0x042e7a59).
const CHECKSUMMED: &str = "checksummed by anvil: CRC32 over these bytes\n";
const CHECKSUMMED_CRC32: &str = "BC56WQ==";
const MIB: usize = 1024 * 1024;
/// The MD5 (its ETag) and the CRC32 of the unknown-length test's body, `pattern(8 * MIB,
/// 0xfeed)`, from the same xorshift written in Python (`hashlib.md5`, `zlib.crc32`).
const STREAM_MD5: &str = "06e27adb2deff77d9ccb92eb4e356524";
const STREAM_CRC32: &str = "oo1Ykw==";

/// Client configuration for `moto`: static credentials, `us-east-1`, the local endpoint,
/// path-style addressing.
fn s3_config(moto: &support::Moto) -> Config {
    Config::builder()
        .region(support::REGION)
        .endpoint_url(moto.url())
        .credentials(Credentials::new(
            "AKIDMOTOEXAMPLE",
            "moto/example+secret",
            None,
        ))
        .max_attempts(3)
        .validate_constraints(true)
        .force_path_style(true)
        .build()
}

/// `len` pseudo-random bytes (xorshift64 from `seed`): large bodies that are not one
/// repeated byte, so that misplaced chunks are noticed.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

async fn create_bucket(client: &Client, bucket: &str) {
    let out = client
        .create_bucket()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
    println!("CreateBucket {bucket}: location {:?}", out.location);
}

/// GetObject of `key`, read chunk by chunk and compared with `expected` as it arrives;
/// returns the number of chunks.
async fn get_and_compare(client: &Client, bucket: &str, key: &str, expected: &[u8]) -> usize {
    let mut out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"));
    assert_eq!(
        out.content_length,
        Some(expected.len() as i64),
        "GetObject {key}: content length"
    );
    let mut offset = 0;
    let mut chunks = 0;
    while let Some(chunk) = out.body.next().await {
        let chunk = chunk.unwrap_or_else(|e| panic!("GetObject {key}: body chunk: {e}"));
        let end = offset + chunk.len();
        assert!(
            end <= expected.len(),
            "GetObject {key}: {end} bytes or more, {} expected",
            expected.len()
        );
        assert!(
            chunk[..] == expected[offset..end],
            "GetObject {key}: bytes {offset}..{end} differ"
        );
        offset = end;
        chunks += 1;
    }
    assert_eq!(offset, expected.len(), "GetObject {key}: body length");
    chunks
}

#[tokio::test(flavor = "current_thread")]
async fn s3_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&s3_config(&moto));
    let bucket = "anvil-bucket";

    // 1. CreateBucket (us-east-1: no location constraint).
    create_bucket(&client, bucket).await;

    // 2. PutObject from memory.
    let put = client
        .put_object()
        .bucket(bucket)
        .key("dir/hello.txt")
        .content_type("text/plain; charset=utf-8")
        .metadata("origin", "anvil")
        .body(BODY)
        .send()
        .await
        .expect("PutObject");
    let etag = put.e_tag.expect("PutObject returns an ETag");
    assert_eq!(
        etag,
        format!("\"{BODY_MD5}\""),
        "a single-part ETag is the MD5"
    );
    println!("PutObject dir/hello.txt: ETag {etag}");

    // 3. HeadObject: length, ETag, content type, metadata.
    let head = client
        .head_object()
        .bucket(bucket)
        .key("dir/hello.txt")
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_length, Some(BODY.len() as i64));
    assert_eq!(head.e_tag.as_deref(), Some(etag.as_str()));
    assert_eq!(
        head.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        head.metadata
            .as_ref()
            .and_then(|m| m.get("origin"))
            .map(String::as_str),
        Some("anvil"),
        "{:?}",
        head.metadata
    );
    println!(
        "HeadObject dir/hello.txt: {} bytes, ETag {etag}",
        BODY.len()
    );

    // 4. GetObject, streamed and compared byte for byte.
    let chunks = get_and_compare(&client, bucket, "dir/hello.txt", BODY.as_bytes()).await;
    println!("GetObject dir/hello.txt: equal, {chunks} chunk(s)");

    // 5. ListObjectsV2 through the paginator: 5 objects, 2 a page.
    for i in 0..5 {
        client
            .put_object()
            .bucket(bucket)
            .key(format!("list/item-{i}"))
            .body(format!("item {i}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject list/item-{i}: {e:?}"));
    }
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix("list/")
        .max_keys(2)
        .into_paginator();
    let mut keys = Vec::new();
    let mut page_sizes = Vec::new();
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a ListObjectsV2 page");
        assert!(page_sizes.len() < 10, "the paginator does not stop");
        let contents = page.contents.unwrap_or_default();
        page_sizes.push(contents.len());
        keys.extend(contents.into_iter().map(|o| o.key.unwrap_or_default()));
    }
    assert_eq!(
        keys,
        (0..5).map(|i| format!("list/item-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(page_sizes, [2, 2, 1], "pages of at most MaxKeys");
    println!(
        "ListObjectsV2: {} keys in {} pages {page_sizes:?}",
        keys.len(),
        page_sizes.len()
    );

    // 6. CopyObject, then the copy reads back the same.
    let copy = client
        .copy_object()
        .bucket(bucket)
        .key("copy/hello.txt")
        .copy_source(format!("{bucket}/dir/hello.txt"))
        .send()
        .await
        .expect("CopyObject");
    let copy_etag = copy
        .copy_object_result
        .and_then(|r| r.e_tag)
        .expect("CopyObject returns the copy's ETag");
    assert_eq!(copy_etag, etag, "the copy has the source's content");
    get_and_compare(&client, bucket, "copy/hello.txt", BODY.as_bytes()).await;
    println!("CopyObject dir/hello.txt -> copy/hello.txt: ETag {copy_etag}");

    // 7. A multipart upload of 3 parts: 5 MiB, 5 MiB, 1 MiB + 17 bytes.
    let key = "multi/big.bin";
    let data = pattern(11 * MIB + 17, 0x5eed);
    let upload_id = client
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("CreateMultipartUpload")
        .upload_id
        .expect("CreateMultipartUpload returns an upload id");
    println!("CreateMultipartUpload {key}: upload id {upload_id}");
    let mut completed = CompletedMultipartUpload::builder();
    for (number, part) in (1..).zip(data.chunks(5 * MIB)) {
        let out = client
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .part_number(number)
            .body(part.to_vec())
            .send()
            .await
            .unwrap_or_else(|e| panic!("UploadPart {number}: {e:?}"));
        let part_etag = out.e_tag.expect("UploadPart returns an ETag");
        println!(
            "UploadPart {number}: {} bytes, ETag {part_etag}",
            part.len()
        );
        completed = completed.parts(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(part_etag)
                .build(),
        );
    }
    let done = client
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(&upload_id)
        .multipart_upload(completed.build())
        .send()
        .await
        .expect("CompleteMultipartUpload");
    let multi_etag = done.e_tag.expect("CompleteMultipartUpload returns an ETag");
    assert!(
        multi_etag.trim_matches('"').ends_with("-3"),
        "a 3-part ETag: {multi_etag}"
    );
    assert_eq!(done.key.as_deref(), Some(key));
    println!("CompleteMultipartUpload {key}: ETag {multi_etag}");
    let chunks = get_and_compare(&client, bucket, key, &data).await;
    println!(
        "GetObject {key}: {} bytes equal, {chunks} chunk(s)",
        data.len()
    );

    // 8. DeleteObjects: the listed objects; then they are gone.
    let mut delete = Delete::builder().quiet(false);
    for i in 0..5 {
        delete = delete.objects(
            ObjectIdentifier::builder()
                .key(format!("list/item-{i}"))
                .build()
                .expect("a complete object identifier"),
        );
    }
    let deleted = client
        .delete_objects()
        .bucket(bucket)
        .delete(delete.build().expect("a complete Delete"))
        .send()
        .await
        .expect("DeleteObjects");
    assert!(
        deleted.errors.as_ref().is_none_or(Vec::is_empty),
        "{:?}",
        deleted.errors
    );
    let mut gone: Vec<String> = deleted
        .deleted
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.key)
        .collect();
    gone.sort();
    assert_eq!(
        gone,
        (0..5).map(|i| format!("list/item-{i}")).collect::<Vec<_>>()
    );
    let left = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix("list/")
        .send()
        .await
        .expect("ListObjectsV2 after DeleteObjects");
    assert!(
        left.contents.as_ref().is_none_or(Vec::is_empty),
        "{:?}",
        left.contents
    );
    println!("DeleteObjects: {} deleted, none left", gone.len());

    // 9. GetObject of a missing key: the typed NoSuchKey.
    let err = client
        .get_object()
        .bucket(bucket)
        .key("list/item-0")
        .send()
        .await
        .expect_err("GetObject of a deleted key fails");
    match &err {
        SdkError::Service(e) => {
            assert!(matches!(e.err(), GetObjectError::NoSuchKey(_)), "{err:?}");
            assert_eq!(e.meta().status(), 404);
            assert_eq!(e.meta().code(), Some("NoSuchKey"));
            println!("GetObject of a missing key: NoSuchKey {:?}", e.meta());
        }
        other => panic!("GetObject of a missing key: expected NoSuchKey, got {other:?}"),
    }
}

/// (a) PutObject with a CRC32 checksum: moto stores the CRC32 of the body.
#[tokio::test(flavor = "current_thread")]
async fn s3_put_object_with_crc32_checksum() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&s3_config(&moto));
    let bucket = "anvil-checksums";
    create_bucket(&client, bucket).await;

    let put = client
        .put_object()
        .bucket(bucket)
        .key("crc32.txt")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(CHECKSUMMED)
        .send()
        .await
        .expect("PutObject with ChecksumAlgorithm::Crc32");
    println!(
        "PutObject crc32.txt (Crc32): ETag {:?}, checksum {:?}",
        put.e_tag, put.checksum_crc32
    );
    assert_eq!(put.checksum_crc32.as_deref(), Some(CHECKSUMMED_CRC32));

    let head = client
        .head_object()
        .bucket(bucket)
        .key("crc32.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("HeadObject with ChecksumMode::Enabled");
    assert_eq!(head.content_length, Some(CHECKSUMMED.len() as i64));
    assert_eq!(
        head.checksum_crc32.as_deref(),
        Some(CHECKSUMMED_CRC32),
        "HeadObject: the stored CRC32"
    );
    println!("HeadObject crc32.txt: CRC32 {CHECKSUMMED_CRC32}");

    let get = client
        .get_object()
        .bucket(bucket)
        .key("crc32.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("GetObject with ChecksumMode::Enabled");
    assert_eq!(
        get.checksum_crc32.as_deref(),
        Some(CHECKSUMMED_CRC32),
        "GetObject: the stored CRC32"
    );
    let body = get.body.collect().await.expect("the GetObject body");
    assert_eq!(&body[..], CHECKSUMMED.as_bytes());
    println!("GetObject crc32.txt: CRC32 {CHECKSUMMED_CRC32}, body equal");
}

/// PutObject from memory without naming an algorithm: the client computes the default
/// CRC32 (`RequestChecksumCalculation::WhenSupported`) and moto must record it, as S3 does.
/// moto records an upload's checksum only when `x-amz-sdk-checksum-algorithm` (the header
/// of PutObject's `requestAlgorithmMember`, `ChecksumAlgorithm`) names the algorithm, which
/// botocore sets whenever it applies its default; this fails while the client sends the
/// `x-amz-checksum-crc32` header without it.
#[tokio::test(flavor = "current_thread")]
async fn s3_default_crc32_is_recorded() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&s3_config(&moto));
    let bucket = "anvil-default-checksum";
    create_bucket(&client, bucket).await;

    let put = client
        .put_object()
        .bucket(bucket)
        .key("default.txt")
        .body(CHECKSUMMED)
        .send()
        .await
        .expect("PutObject with the default checksum");
    println!(
        "PutObject default.txt (no algorithm named): ETag {:?}, CRC32 {:?}",
        put.e_tag, put.checksum_crc32
    );
    let head = client
        .head_object()
        .bucket(bucket)
        .key("default.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("HeadObject with ChecksumMode::Enabled");
    println!("HeadObject default.txt: CRC32 {:?}", head.checksum_crc32);
    assert_eq!(
        put.checksum_crc32.as_deref(),
        Some(CHECKSUMMED_CRC32),
        "PutObject: the default CRC32 is acknowledged"
    );
    assert_eq!(
        head.checksum_crc32.as_deref(),
        Some(CHECKSUMMED_CRC32),
        "HeadObject: the default CRC32 is stored"
    );
}

/// A reader of `data` handing out at most `step` bytes a call: a body whose length the
/// client cannot know in advance.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// (b) An 8 MiB PutObject from a reader of undeclared length.
#[tokio::test(flavor = "current_thread")]
async fn s3_streamed_upload_of_unknown_length() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&s3_config(&moto));
    let bucket = "anvil-streams";
    create_bucket(&client, bucket).await;

    let data = pattern(8 * MIB, 0xfeed);
    let body = ByteStream::from_reader(Trickle {
        data: data.clone(),
        at: 0,
        step: 300 * 1024,
    });
    assert_eq!(body.content_length(), None, "the length is not declared");
    let put = client
        .put_object()
        .bucket(bucket)
        .key("stream.bin")
        // Named, not left to the default: moto records a checksum only when
        // `x-amz-sdk-checksum-algorithm` names it (see `s3_default_crc32_is_recorded`).
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(body)
        .send()
        .await
        .expect("PutObject of unknown length");
    println!(
        "PutObject stream.bin: {} bytes of unknown length, ETag {:?}, CRC32 {:?}",
        data.len(),
        put.e_tag,
        put.checksum_crc32
    );
    assert_eq!(
        put.e_tag,
        Some(format!("\"{STREAM_MD5}\"")),
        "the body's MD5"
    );
    // A one-shot body carries its CRC32 as an `aws-chunked` trailer.
    assert_eq!(
        put.checksum_crc32.as_deref(),
        Some(STREAM_CRC32),
        "the trailer's CRC32"
    );

    let head = client
        .head_object()
        .bucket(bucket)
        .key("stream.bin")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_length, Some(data.len() as i64));
    assert_eq!(head.checksum_crc32.as_deref(), Some(STREAM_CRC32));
    println!(
        "HeadObject stream.bin: {} bytes, CRC32 {STREAM_CRC32}",
        data.len()
    );
    let chunks = get_and_compare(&client, bucket, "stream.bin", &data).await;
    println!("GetObject stream.bin: equal, {chunks} chunk(s)");
}

/// A plain HTTP/1.0 GET of `url` (`http://host:port/path?query`) over a `TcpStream`:
/// the status code and the body (HTTP/1.0, so the server closes after the body and sends
/// it without chunked encoding).
fn plain_http_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority).expect("connect to moto");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: {authority}\r\nAccept: */*\r\n\r\n"
    )
    .expect("send the request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("read the response");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head}"));
    (status, response[split + 4..].to_vec())
}

/// (c) A presigned GetObject URL, fetched without the SDK.
#[tokio::test(flavor = "current_thread")]
async fn s3_presigned_get_with_plain_http_client() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&s3_config(&moto));
    let bucket = "anvil-presigned";
    create_bucket(&client, bucket).await;
    client
        .put_object()
        .bucket(bucket)
        .key("shared/hello.txt")
        .body(BODY)
        .send()
        .await
        .expect("PutObject");

    let presigned = client
        .get_object()
        .bucket(bucket)
        .key("shared/hello.txt")
        .presigned(&PresigningConfig::expires_in(Duration::from_secs(300)).expect("a valid expiry"))
        .await
        .expect("a presigned GetObject");
    assert_eq!(presigned.method(), "GET");
    let url = presigned.uri().to_string();
    assert!(url.contains("X-Amz-Signature="), "{presigned:?}");
    assert_eq!(
        presigned.headers().count(),
        0,
        "nothing to send beside the URL"
    );
    println!("presigned GetObject: {presigned:?}");

    let (status, body) = plain_http_get(&url);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(body, BODY.as_bytes());
    println!("plain GET of the presigned URL: {status}, body equal");
}
