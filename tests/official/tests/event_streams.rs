//! Event streams end to end: the clients generated from the official models against a local
//! peer (`tests/support/event_stream_peer.py`) whose frame encoder, decoder and signature
//! check are written in Python, independently of the runtime.
//!
//! - Bedrock Runtime `ConverseStream` (restJson1): text deltas and metadata; a modeled
//!   `throttlingException` in mid-stream as the operation's typed error; an unmodeled error;
//!   a corrupted CRC and a truncated frame as typed framing errors.
//! - Lambda `InvokeWithResponseStream` (restJson1): blob `@eventPayload` chunks, output
//!   members from the response head.
//! - S3 `SelectObjectContent` (restXml): records, XML `@eventPayload` structures, empty events.
//! - Kinesis `SubscribeToShard` (awsJson1_1) over HTTP/2 with prior knowledge (h2c): the
//!   `initial-response` event, then records.
//! - CloudWatch Logs `StartLiveTail` (awsJson1_1, an `@endpoint` host prefix turned off for
//!   the local peer): sessions and log events, then a modeled `SessionTimeoutException`.
//! - Transcribe `StartStreamTranscription` (restJson1) over h2c, full duplex: each audio event
//!   is signed and chained (the peer checks every signature and the end frame) and answered
//!   with a transcript before the next one is sent.
//!
//! Needs python3 with `h2` (PyPI) and botocore; without them the tests are skipped with a
//! message, except under `CI=true`, where that is a failure.

#[path = "../../../runtime/tests/support/python.rs"]
mod python;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anvil_official_clients::runtime::credentials::Credentials;
use anvil_official_clients::runtime::{Config, SdkError};
use serde_json::Value;

/// The peer's script.
const PEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/event_stream_peer.py"
);
const ACCESS_KEY: &str = "AKIDEVENTSTREAMS";
const SECRET_KEY: &str = "event/stream+secret";

/// The peer, serving one scenario; killed on drop.
struct Peer {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<Value>,
}

impl Peer {
    /// Starts the peer on `scenario` (over h2c when `h2c`); `None` (skipped) without python3,
    /// h2 and botocore.
    fn start(scenario: &str, h2c: bool) -> Option<Peer> {
        if !python::available(
            "event_streams",
            "import h2, botocore.eventstream",
            "python3 with h2 and botocore is not available (pip install h2 botocore)",
            true,
        ) {
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/event_stream_peer.py"
        );
        let mut cmd = Command::new("python3");
        cmd.args([script, "serve", scenario, "--secret-key", SECRET_KEY]);
        if h2c {
            cmd.arg("--h2c");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the peer starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("the peer prints its port");
        let port = first
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the peer's first line is `PORT <n>`, not {first:?}"));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && tx.send(v).is_err()
                {
                    return;
                }
            }
        });
        Some(Peer { child, port, lines })
    }

    fn config(&self) -> Config {
        Config::builder()
            .region("us-east-1")
            .endpoint_url(format!("http://127.0.0.1:{}", self.port))
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
            .max_attempts(1)
            .build()
    }

    /// The lines the peer printed so far (waiting briefly for stragglers).
    fn lines(&self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(v) = self.lines.recv_timeout(Duration::from_millis(300)) {
            out.push(v);
        }
        out
    }

    /// The one request the peer saw.
    fn request(lines: &[Value]) -> &Value {
        let requests: Vec<&Value> = lines.iter().filter(|l| l["event"] == "request").collect();
        assert_eq!(requests.len(), 1, "one request: {lines:?}");
        requests[0]
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The peer's own check: its encoder against botocore's decoder (every header type), its
/// decoder and signature check against known vectors, every scenario's frames.
#[test]
fn the_peer_agrees_with_botocore() {
    if !python::available(
        "event_streams",
        "import h2, botocore.eventstream",
        "python3 with h2 and botocore is not available (pip install h2 botocore)",
        true,
    ) {
        return;
    }
    let out = Command::new("python3")
        .args([PEER, "selftest"])
        .output()
        .expect("the peer runs");
    assert!(
        out.status.success() && out.stdout.starts_with(b"selftest ok"),
        "the peer's selftest failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

mod bedrock {
    use super::*;
    use anvil_official_clients::bedrockruntime::types::{
        ContentBlockDelta, ConversationRole, ConverseStreamOutput, StopReason,
    };
    use anvil_official_clients::bedrockruntime::{Client, error::ConverseStreamError};

    async fn converse(
        peer: &Peer,
    ) -> anvil_official_clients::bedrockruntime::types::ConverseStreamResponse {
        Client::new(&peer.config())
            .converse_stream()
            .model_id("anthropic.claude-3-haiku")
            .send()
            .await
            .expect("ConverseStream")
    }

    #[tokio::test(flavor = "current_thread")]
    async fn converse_stream_text_deltas_and_metadata() {
        let Some(peer) = Peer::start("converse-stream", false) else {
            return;
        };
        let mut out = converse(&peer).await;
        let mut text = String::new();
        let mut kinds = Vec::new();
        while let Some(event) = out.stream.recv().await.expect("an event") {
            match &event {
                ConverseStreamOutput::MessageStart(m) => {
                    assert_eq!(m.role, ConversationRole::Assistant);
                    kinds.push("start");
                }
                ConverseStreamOutput::ContentBlockDelta(d) => {
                    assert_eq!(d.content_block_index, 0);
                    match &d.delta {
                        ContentBlockDelta::Text(t) => text.push_str(t),
                        other => panic!("a text delta, not {other:?}"),
                    }
                    kinds.push("delta");
                }
                ConverseStreamOutput::ContentBlockStop(s) => {
                    assert_eq!(s.content_block_index, 0);
                    kinds.push("stop");
                }
                ConverseStreamOutput::MessageStop(s) => {
                    assert_eq!(s.stop_reason, StopReason::EndTurn);
                    kinds.push("message-stop");
                }
                ConverseStreamOutput::Metadata(m) => {
                    assert_eq!(
                        (
                            m.usage.input_tokens,
                            m.usage.output_tokens,
                            m.usage.total_tokens
                        ),
                        (5, 2, 7)
                    );
                    assert_eq!(m.metrics.latency_ms, 42);
                    kinds.push("metadata");
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
        assert_eq!(text, "Hello world");
        assert_eq!(
            kinds,
            [
                "start",
                "delta",
                "delta",
                "stop",
                "message-stop",
                "metadata"
            ]
        );
        let lines = peer.lines();
        let request = Peer::request(&lines);
        assert_eq!(
            request["path"],
            "/model/anthropic.claude-3-haiku/converse-stream"
        );
        let auth = request["headers"]["authorization"]
            .as_str()
            .unwrap_or_default();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEVENTSTREAMS/"),
            "{auth}"
        );
        assert!(auth.contains("/us-east-1/bedrock/aws4_request"), "{auth}");
        // Ended: more reads give nothing.
        assert!(out.stream.recv().await.expect("the end").is_none());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_modeled_exception_mid_stream_is_the_operations_typed_error() {
        let Some(peer) = Peer::start("converse-stream-throttled", false) else {
            return;
        };
        let mut out = converse(&peer).await;
        let first = out.stream.recv().await.expect("messageStart");
        assert!(matches!(first, Some(ConverseStreamOutput::MessageStart(_))));
        let delta = out.stream.recv().await.expect("a delta");
        assert!(matches!(
            delta,
            Some(ConverseStreamOutput::ContentBlockDelta(_))
        ));
        let err = out
            .stream
            .recv()
            .await
            .expect_err("the throttling exception");
        let SdkError::Service(service) = &err else {
            panic!("a service error, not {err:?}");
        };
        let ConverseStreamError::ThrottlingException(e) = service.err() else {
            panic!("ThrottlingException, not {:?}", service.err());
        };
        assert_eq!(e.message.as_deref(), Some("Too many tokens, slow down"));
        assert_eq!(service.meta().code(), Some("ThrottlingException"));
        assert_eq!(service.meta().message(), Some("Too many tokens, slow down"));
        assert!(out.stream.recv().await.expect("ended").is_none());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_unmodeled_error_message_is_unhandled_with_its_code() {
        let Some(peer) = Peer::start("converse-stream-error", false) else {
            return;
        };
        let mut out = converse(&peer).await;
        assert!(out.stream.recv().await.expect("messageStart").is_some());
        let err = out.stream.recv().await.expect_err("the error");
        let SdkError::Service(service) = &err else {
            panic!("a service error, not {err:?}");
        };
        assert!(matches!(service.err(), ConverseStreamError::Unhandled(_)));
        assert_eq!(service.meta().code(), Some("InternalFailure"));
        assert_eq!(service.meta().message(), Some("boom"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn corrupted_and_truncated_frames_are_typed_framing_errors() {
        use anvil_official_clients::runtime::codec::event_stream::EventStreamError;
        for (scenario, want) in [
            ("converse-stream-corrupt", "crc"),
            ("converse-stream-truncated", "truncated"),
            ("converse-stream-oversized", "headers"),
        ] {
            let Some(peer) = Peer::start(scenario, false) else {
                return;
            };
            let mut out = converse(&peer).await;
            assert!(out.stream.recv().await.expect("messageStart").is_some());
            let err = out.stream.recv().await.expect_err(scenario);
            let SdkError::Response(r) = &err else {
                panic!("{scenario}: a response error, not {err:?}");
            };
            let cause = r.event_stream_error().expect("a framing error");
            match want {
                "crc" => assert!(
                    matches!(cause, EventStreamError::MessageCrcMismatch { .. }),
                    "{cause:?}"
                ),
                "truncated" => assert!(
                    matches!(cause, EventStreamError::Truncated { .. }),
                    "{cause:?}"
                ),
                _ => assert!(
                    matches!(cause, EventStreamError::HeadersTooLarge { len } if *len > 128 * 1024),
                    "{cause:?}"
                ),
            }
            assert!(
                out.stream.recv().await.expect("ended").is_none(),
                "{scenario}"
            );
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn dropping_the_receiver_cancels_the_request() {
        let Some(peer) = Peer::start("converse-stream-endless", false) else {
            return;
        };
        let mut out = converse(&peer).await;
        for _ in 0..4 {
            assert!(out.stream.recv().await.expect("an event").is_some());
        }
        drop(out);
        // The peer sends a delta every 20 ms for 30 s unless its writes start failing.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        // Waits without blocking the runtime: the connection's task must run to close it.
        let aborted = loop {
            match peer.lines.try_recv() {
                Ok(line) if line["event"] == "response-aborted" => break line,
                Ok(_) => continue,
                Err(_) if std::time::Instant::now() > deadline => {
                    panic!("the peer kept writing 10 s after the receiver was dropped")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        let sent = aborted["sent"].as_u64().expect("frames sent");
        assert!((4..1500).contains(&sent), "{aborted}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn lambda_invoke_with_response_stream() {
    use anvil_official_clients::lambda::Client;
    use anvil_official_clients::lambda::types::InvokeWithResponseStreamResponseEvent as Event;
    let Some(peer) = Peer::start("lambda-stream", false) else {
        return;
    };
    let mut out = Client::new(&peer.config())
        .invoke_with_response_stream()
        .function_name("streamer")
        .payload(b"{}".to_vec())
        .send()
        .await
        .expect("InvokeWithResponseStream");
    assert_eq!(out.status_code, 200);
    assert_eq!(out.executed_version.as_deref(), Some("7"));
    let mut payload: Vec<u8> = Vec::new();
    let mut completed = None;
    while let Some(event) = out.event_stream.recv().await.expect("an event") {
        match event {
            Event::PayloadChunk(c) => payload.extend(c.payload.expect("bytes").as_ref()),
            Event::InvokeComplete(c) => completed = Some(c),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(payload, b"{\"a\": 1}\n".to_vec());
    let completed = completed.expect("InvokeComplete");
    assert_eq!(completed.log_result.as_deref(), Some("bG9n"));
    let lines = peer.lines();
    let request = Peer::request(&lines);
    assert_eq!(
        request["path"],
        "/2021-11-15/functions/streamer/response-streaming-invocations"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn s3_select_object_content() {
    use anvil_official_clients::s3::Client;
    use anvil_official_clients::s3::types::{
        CsvInput, CsvOutput, ExpressionType, InputSerialization, OutputSerialization,
        SelectObjectContentEventStream as Event,
    };
    let Some(peer) = Peer::start("s3-select", false) else {
        return;
    };
    let mut out = Client::new(&peer.config())
        .select_object_content()
        .bucket("data")
        .key("table.csv")
        .expression("select * from s3object")
        .expression_type(ExpressionType::Sql)
        .input_serialization(
            InputSerialization::builder()
                .csv(CsvInput::builder().build())
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .csv(CsvOutput::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("SelectObjectContent");
    let mut records: Vec<u8> = Vec::new();
    let mut seen = Vec::new();
    while let Some(event) = out.payload.recv().await.expect("an event") {
        match event {
            Event::Records(r) => {
                records.extend(r.payload.expect("bytes").as_ref());
                seen.push("records");
            }
            Event::Stats(s) => {
                let d = s.details.expect("stats");
                assert_eq!(
                    (d.bytes_scanned, d.bytes_processed, d.bytes_returned),
                    (Some(10), Some(10), Some(8))
                );
                seen.push("stats");
            }
            Event::Progress(p) => {
                assert!(p.details.is_some());
                seen.push("progress");
            }
            Event::Cont(_) => seen.push("cont"),
            Event::End(_) => seen.push("end"),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(records, b"a,b\n1,2\n".to_vec());
    assert_eq!(seen, ["records", "stats", "progress", "cont", "end"]);
    let lines = peer.lines();
    let request = Peer::request(&lines);
    assert_eq!(request["method"], "POST");
    let path = request["path"].as_str().unwrap_or_default();
    assert!(
        path.contains("select") && path.contains("select-type=2"),
        "{path}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn kinesis_subscribe_to_shard_over_h2c() {
    use anvil_official_clients::kinesis::Client;
    use anvil_official_clients::kinesis::types::SubscribeToShardEventStream as Event;
    use anvil_official_clients::kinesis::types::{ShardIteratorType, StartingPosition};
    let Some(peer) = Peer::start("kinesis-subscribe", true) else {
        return;
    };
    let mut out = Client::new(&peer.config())
        .subscribe_to_shard()
        .consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1")
        .shard_id("shardId-000000000000")
        .starting_position(
            StartingPosition::builder()
                .r#type(ShardIteratorType::TrimHorizon)
                .build()
                .expect("a position"),
        )
        .send()
        .await
        .expect("SubscribeToShard");
    let mut data = Vec::new();
    let mut behind = Vec::new();
    while let Some(event) = out.event_stream.recv().await.expect("an event") {
        match event {
            Event::SubscribeToShardEvent(e) => {
                for r in &e.records {
                    data.push(String::from_utf8(r.data.as_ref().to_vec()).expect("text"));
                    assert_eq!(r.partition_key, "pk");
                }
                behind.push(e.millis_behind_latest);
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(data, ["r1", "r2"]);
    assert_eq!(behind, [100, 0]);
    let lines = peer.lines();
    let request = Peer::request(&lines);
    assert_eq!(
        request["http_version"], "2",
        "SubscribeToShard needs HTTP/2"
    );
    assert_eq!(
        request["headers"]["x-amz-target"],
        "Kinesis_20131202.SubscribeToShard"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn cloudwatch_logs_start_live_tail() {
    use anvil_official_clients::cloudwatchlogs::Client;
    use anvil_official_clients::cloudwatchlogs::error::StartLiveTailError;
    use anvil_official_clients::cloudwatchlogs::types::StartLiveTailResponseStream as Event;
    let Some(peer) = Peer::start("logs-live-tail", false) else {
        return;
    };
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:app";
    // `StartLiveTail` goes to `streaming-<endpoint host>`: not to an IP address.
    let config = peer.config().to_builder().disable_host_prefix(true).build();
    let mut out = Client::new(&config)
        .start_live_tail()
        .log_group_identifiers(group)
        .send()
        .await
        .expect("StartLiveTail");
    let Some(Event::SessionStart(start)) = out.response_stream.recv().await.expect("start") else {
        panic!("sessionStart first");
    };
    assert_eq!(start.session_id.as_deref(), Some("session-1"));
    assert_eq!(
        start.log_group_identifiers.as_deref(),
        Some(&[group.to_owned()][..])
    );
    let Some(Event::SessionUpdate(update)) = out.response_stream.recv().await.expect("update")
    else {
        panic!("a sessionUpdate");
    };
    assert_eq!(update.session_metadata.map(|m| m.sampled), Some(false));
    let results = update.session_results.expect("results");
    assert_eq!(results[0].message.as_deref(), Some("GET / 200"));
    assert_eq!(results[0].timestamp, Some(1_700_000_000_000));
    let err = out.response_stream.recv().await.expect_err("the timeout");
    let SdkError::Service(service) = &err else {
        panic!("a service error, not {err:?}");
    };
    let StartLiveTailError::SessionTimeoutException(e) = service.err() else {
        panic!("SessionTimeoutException, not {:?}", service.err());
    };
    assert_eq!(e.message.as_deref(), Some("the session timed out"));
    let lines = peer.lines();
    let request = Peer::request(&lines);
    assert_eq!(
        request["headers"]["x-amz-target"],
        "Logs_20140328.StartLiveTail"
    );
    let body = request["body_b64"].as_str().expect("a body");
    assert!(!body.is_empty(), "the input is sent as JSON");
}

#[tokio::test(flavor = "current_thread")]
async fn transcribe_audio_events_are_signed_and_answered_full_duplex_over_h2c() {
    use anvil_official_clients::runtime::Blob;
    use anvil_official_clients::transcribestreaming::Client;
    use anvil_official_clients::transcribestreaming::types::{
        AudioEvent, AudioStream, LanguageCode, MediaEncoding, TranscriptResultStream,
    };
    let Some(peer) = Peer::start("transcribe", true) else {
        return;
    };
    // Each audio event is sent only after the transcript of the previous one arrived: the
    // exchange is full duplex or this test hangs (it times out instead).
    let (tx, rx) = tokio::sync::mpsc::channel::<AudioStream>(1);
    let audio = futures_stream(rx);
    let run = async {
        let chunk = |n: usize| {
            AudioStream::AudioEvent(
                AudioEvent::builder()
                    .audio_chunk(Blob::new(vec![7u8; n]))
                    .build(),
            )
        };
        tx.send(chunk(320)).await.expect("the first event is taken");
        let mut out = Client::new(&peer.config())
            .start_stream_transcription()
            .language_code(LanguageCode::EnUs)
            .media_sample_rate_hertz(16000)
            .media_encoding(MediaEncoding::Pcm)
            .audio_stream(
                anvil_official_clients::runtime::event_stream::EventStreamSender::from_stream(
                    audio,
                ),
            )
            .send()
            .await
            .expect("StartStreamTranscription");
        assert_eq!(out.language_code, Some(LanguageCode::EnUs));
        assert!(out.session_id.is_some());
        let mut heard = Vec::new();
        let sizes = [1000usize, 40_000];
        let mut next = sizes.iter();
        let mut tx = Some(tx);
        while let Some(event) = out.transcript_result_stream.recv().await.expect("an event") {
            let TranscriptResultStream::TranscriptEvent(e) = event else {
                panic!("a transcript event");
            };
            let results = e.transcript.and_then(|t| t.results).unwrap_or_default();
            let text = results[0].alternatives.as_ref().expect("alternatives")[0]
                .transcript
                .clone()
                .expect("text");
            heard.push(text);
            match next.next() {
                Some(n) => {
                    let sender = tx.as_ref().expect("open");
                    sender.send(chunk(*n)).await.expect("sent");
                }
                // Closing the input stream sends the end frame; the peer then ends.
                None => drop(tx.take()),
            }
        }
        heard
    };
    let heard = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the duplex exchange finishes");
    assert_eq!(
        heard,
        ["heard 320 bytes", "heard 1000 bytes", "heard 40000 bytes"]
    );
    let lines = peer.lines();
    let request = Peer::request(&lines);
    assert_eq!(
        request["http_version"], "2",
        "Transcribe streaming needs HTTP/2"
    );
    assert_eq!(
        request["headers"]["x-amz-content-sha256"],
        "STREAMING-AWS4-HMAC-SHA256-EVENTS"
    );
    assert_eq!(
        request["headers"]["content-type"],
        "application/vnd.amazon.eventstream"
    );
    let messages: Vec<&Value> = lines.iter().filter(|l| l["event"] == "message").collect();
    assert_eq!(messages.len(), 3, "{lines:?}");
    for m in &messages {
        assert_eq!(m["signature_ok"], true, "{m}");
        assert_eq!(m["headers"][":event-type"], "AudioEvent");
        assert_eq!(m["headers"][":content-type"], "application/octet-stream");
    }
    let end: Vec<&Value> = lines.iter().filter(|l| l["event"] == "end-frame").collect();
    assert_eq!(end.len(), 1, "{lines:?}");
    assert_eq!(end[0]["signature_ok"], true);
}

/// A tokio receiver as a `Stream` (the tests have no futures-util).
fn futures_stream<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_core::Stream<Item = T> + Send + 'static {
    struct Rx<T>(tokio::sync::mpsc::Receiver<T>);
    impl<T> futures_core::Stream for Rx<T> {
        type Item = T;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
    Rx(rx)
}
