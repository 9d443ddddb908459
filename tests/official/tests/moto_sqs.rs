//! The client generated from the official SQS model (awsJson1_0 with `awsQueryCompatible`),
//! run signed against moto's server, which this test starts on 127.0.0.1 and stops (see
//! `support`).
//!
//! The scenario: CreateQueue, GetQueueUrl, SendMessage with message attributes (string,
//! number and binary), ReceiveMessage (body and attributes), DeleteMessage,
//! GetQueueAttributes, ListQueues through the paginator, and GetQueueUrl of a missing queue
//! (the typed `QueueDoesNotExist`, with the query API's error code from
//! `x-amzn-query-error`).
//!
//! What moto does differently from the service: ListQueues ignores `MaxResults` and
//! `NextToken` and lists every queue in one page (the paginator stops after it).

mod support;

use std::collections::BTreeMap;

use anvil_official_clients::runtime::{Blob, SdkError};
use anvil_official_clients::sqs::Client;
use anvil_official_clients::sqs::error::GetQueueUrlError;
use anvil_official_clients::sqs::types::{
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
};

const QUEUE: &str = "anvil-queue";
/// A body with characters JSON escapes and non-ASCII text.
const BODY: &str = "hello from anvil: ünïcödé, \"quotes\", <xml/> & newlines\n";
/// `BODY`'s MD5 (Python's `hashlib.md5(BODY.encode()).hexdigest()`).
const BODY_MD5: &str = "1f546fffd35148ed9d3ff493bb86a15e";
/// Not UTF-8: binary attributes travel as base64.
const BINARY: &[u8] = &[0x00, 0xff, 0xfe, 0x80, 0x7f, 0x0a];

fn string_attribute(data_type: &str, value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .expect("a complete message attribute")
}

#[tokio::test(flavor = "current_thread")]
async fn sqs_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&moto.config(3, true));

    // 1. CreateQueue with attributes.
    let queue_url = client
        .create_queue()
        .queue_name(QUEUE)
        .attributes(QueueAttributeName::VisibilityTimeout, "45")
        .attributes(QueueAttributeName::DelaySeconds, "0")
        .tags("created-by", "anvil")
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("CreateQueue returns the queue URL");
    assert!(queue_url.ends_with(&format!("/{QUEUE}")), "{queue_url}");
    println!("CreateQueue: {queue_url}");
    for name in ["anvil-other-1", "anvil-other-2"] {
        client
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateQueue {name}: {e:?}"));
    }

    // 2. GetQueueUrl finds it.
    let found = client
        .get_queue_url()
        .queue_name(QUEUE)
        .send()
        .await
        .expect("GetQueueUrl")
        .queue_url;
    assert_eq!(found.as_deref(), Some(queue_url.as_str()));

    // 3. SendMessage with string, number and binary attributes.
    let body = BODY;
    let binary = MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(Blob::new(BINARY))
        .build()
        .expect("a complete message attribute");
    let sent = client
        .send_message()
        .queue_url(&queue_url)
        .message_body(body)
        .message_attributes("colour", string_attribute("String", "blue"))
        .message_attributes("count", string_attribute("Number", "42"))
        .message_attributes("raw", binary.clone())
        .send()
        .await
        .expect("SendMessage");
    let message_id = sent.message_id.expect("a message id");
    assert_eq!(
        sent.md5_of_message_body.as_deref(),
        Some(BODY_MD5),
        "the body's MD5"
    );
    assert!(
        sent.md5_of_message_attributes.is_some(),
        "an attributes MD5"
    );
    println!("SendMessage: {message_id}");

    // 4. ReceiveMessage: the body and every attribute round-trip.
    let received = client
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("ReceiveMessage")
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1, "{received:?}");
    let message = &received[0];
    assert_eq!(message.message_id.as_deref(), Some(message_id.as_str()));
    assert_eq!(message.body.as_deref(), Some(body));
    let attributes = message
        .message_attributes
        .clone()
        .expect("message attributes");
    let expected = BTreeMap::from([
        ("colour".to_string(), string_attribute("String", "blue")),
        ("count".to_string(), string_attribute("Number", "42")),
        ("raw".to_string(), binary),
    ]);
    assert_eq!(attributes, expected);
    let system = message.attributes.clone().expect("system attributes");
    assert_eq!(
        system
            .get(&MessageSystemAttributeName::ApproximateReceiveCount)
            .map(String::as_str),
        Some("1")
    );
    assert!(system.contains_key(&MessageSystemAttributeName::SentTimestamp));
    let receipt = message.receipt_handle.clone().expect("a receipt handle");
    println!("ReceiveMessage: body and {} attributes", attributes.len());

    // 5. DeleteMessage; the queue is then empty.
    client
        .delete_message()
        .queue_url(&queue_url)
        .receipt_handle(&receipt)
        .send()
        .await
        .expect("DeleteMessage");

    // 6. GetQueueAttributes: what CreateQueue set, and no messages left.
    let attributes = client
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .expect("queue attributes");
    let get = |name: QueueAttributeName| attributes.get(&name).map(String::as_str);
    assert_eq!(get(QueueAttributeName::VisibilityTimeout), Some("45"));
    assert_eq!(get(QueueAttributeName::DelaySeconds), Some("0"));
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessages),
        Some("0")
    );
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        Some("0"),
        "the deleted message is gone, not in flight"
    );
    let arn = get(QueueAttributeName::QueueArn).expect("a queue ARN");
    assert!(arn.starts_with("arn:aws:sqs:us-east-1:"), "{arn}");
    assert!(arn.ends_with(&format!(":{QUEUE}")), "{arn}");
    println!("GetQueueAttributes: {} attributes", attributes.len());

    // 7. ListQueues through the paginator.
    let mut pages = client
        .list_queues()
        .queue_name_prefix("anvil-")
        .max_results(1)
        .into_paginator();
    let mut urls = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a ListQueues page");
        page_count += 1;
        assert!(page_count <= 10, "the paginator does not stop");
        urls.extend(page.queue_urls.unwrap_or_default());
    }
    let mut names: Vec<String> = urls
        .iter()
        .map(|u| u.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["anvil-other-1", "anvil-other-2", QUEUE]);
    // moto's ListQueues ignores MaxResults (and NextToken) and returns every queue at once:
    // one page without a NextToken, after which the paginator stops. (Following tokens is
    // covered by the DynamoDB and KMS scenarios.)
    assert_eq!(page_count, 1, "moto answers ListQueues in one page");
    println!("ListQueues: {} queues in {page_count} page(s)", urls.len());

    // 8. GetQueueUrl of a missing queue: the typed QueueDoesNotExist.
    let err = client
        .get_queue_url()
        .queue_name("anvil-no-such-queue")
        .send()
        .await
        .expect_err("GetQueueUrl of a missing queue fails");
    match &err {
        SdkError::Service(e) => {
            assert!(
                matches!(e.err(), GetQueueUrlError::QueueDoesNotExist(_)),
                "{err:?}"
            );
            assert_eq!(e.meta().status(), 400);
            // The shape comes from the JSON body's `__type`; the code is the query API's,
            // from `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`.
            assert_eq!(
                e.meta().code(),
                Some("AWS.SimpleQueueService.NonExistentQueue")
            );
            assert_eq!(
                e.meta().message(),
                Some("The specified queue does not exist.")
            );
            println!("GetQueueUrl of a missing queue: {:?}", e.meta());
        }
        other => {
            panic!("GetQueueUrl of a missing queue: expected QueueDoesNotExist, got {other:?}")
        }
    }
}
