//! The client generated from the official SNS model (awsQuery), with the SQS client
//! (awsJson1_0 with `awsQueryCompatible`) beside it, run signed against moto's server, which
//! this test starts on 127.0.0.1 and stops (see `support`).
//!
//! The scenario: SNS CreateTopic; SQS CreateQueue and GetQueueAttributes (its ARN); SNS
//! Subscribe of the queue (protocol `sqs`); SNS Publish with a subject and a message
//! attribute; SQS ReceiveMessage, polled until the notification arrives, whose body is SNS's
//! JSON envelope carrying the published message, subject and topic.
//!
//! The envelope is JSON whose strings may be escaped any way JSON allows (moto's escapes
//! non-ASCII characters, `\u00fc`), so the message is compared once the envelope is parsed.
//!
//! What moto does differently from the service:
//! - Subscribe of an SQS queue needs no queue policy allowing the topic to send to it (SNS
//!   would deliver nothing without one), and the subscription is confirmed at once;
//! - the envelope's `UnsubscribeURL` names another subscription ARN than Subscribe returned
//!   (not checked).

mod support;

use anvil_official_clients::runtime::serde_json::{self, Value};
use anvil_official_clients::sns;
use anvil_official_clients::sns::types::MessageAttributeValue;
use anvil_official_clients::sqs;
use anvil_official_clients::sqs::types::QueueAttributeName;

const TOPIC: &str = "anvil-topic";
const QUEUE: &str = "anvil-sns-target";
/// A message with characters that the query encoding and JSON both escape.
const MESSAGE: &str = "published by anvil: ünïcödé, \"quotes\", a+b=c & <xml/>\nline two";
const SUBJECT: &str = "anvil notification";

#[tokio::test(flavor = "current_thread")]
async fn sns_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let config = moto.config(3, true);
    let sns = sns::Client::new(&config);
    let sqs = sqs::Client::new(&config);

    // 1. CreateTopic.
    let topic_arn = sns
        .create_topic()
        .name(TOPIC)
        .attributes("DisplayName", "anvil")
        .send()
        .await
        .expect("CreateTopic")
        .topic_arn
        .expect("CreateTopic returns the topic ARN");
    assert!(
        topic_arn.starts_with("arn:aws:sns:us-east-1:")
            && topic_arn.ends_with(&format!(":{TOPIC}")),
        "{topic_arn}"
    );
    println!("CreateTopic: {topic_arn}");

    // 2. An SQS queue and its ARN.
    let queue_url = sqs
        .create_queue()
        .queue_name(QUEUE)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("CreateQueue returns the queue URL");
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("the queue's ARN");
    println!("CreateQueue: {queue_url} ({queue_arn})");

    // 3. Subscribe the queue to the topic.
    let subscription_arn = sns
        .subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .return_subscription_arn(true)
        .send()
        .await
        .expect("Subscribe")
        .subscription_arn
        .expect("Subscribe returns the subscription ARN");
    assert!(
        subscription_arn.starts_with(&format!("{topic_arn}:")),
        "{subscription_arn}"
    );
    println!("Subscribe: {subscription_arn}");

    // 4. Publish.
    let message_id = sns
        .publish()
        .topic_arn(&topic_arn)
        .subject(SUBJECT)
        .message(MESSAGE)
        .message_attributes(
            "colour",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("blue")
                .build()
                .expect("a complete message attribute"),
        )
        .send()
        .await
        .expect("Publish")
        .message_id
        .expect("Publish returns a message id");
    println!("Publish: {message_id}");

    // 5. Receive the notification from the queue (delivery may lag: poll a few times, each
    //    a long poll of one second).
    let mut body = None;
    for attempt in 1..=10 {
        let messages = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage")
            .messages
            .unwrap_or_default();
        if let Some(message) = messages.into_iter().next() {
            println!("ReceiveMessage: a message on attempt {attempt}");
            body = message.body;
            break;
        }
    }
    let body = body.expect("the notification reaches the queue within 10 polls");
    // The body is JSON (moto escapes non-ASCII as `\u00fc`): the message is compared below,
    // once the envelope is parsed, rather than as a substring.
    assert!(
        body.contains("published by anvil"),
        "the envelope carries the message: {body}"
    );
    let envelope: Value = serde_json::from_str(&body).expect("an SNS JSON envelope");
    assert_eq!(envelope["Type"], "Notification", "{envelope}");
    assert_eq!(envelope["MessageId"], message_id.as_str(), "{envelope}");
    assert_eq!(envelope["TopicArn"], topic_arn.as_str(), "{envelope}");
    assert_eq!(envelope["Subject"], SUBJECT, "{envelope}");
    assert_eq!(envelope["Message"], MESSAGE, "{envelope}");
    assert_eq!(
        envelope["MessageAttributes"]["colour"]["Value"], "blue",
        "{envelope}"
    );
    println!("the notification's envelope carries the message, subject and attribute");
}
