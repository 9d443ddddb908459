//! The client generated from the official DynamoDB model (awsJson1_0), run signed against
//! moto's server, which this test starts on 127.0.0.1 and stops (see `support`).
//!
//! The scenario: CreateTable, DescribeTable, PutItem (several items), GetItem, Query through
//! the paginator over several pages (its page token is a map, `ExclusiveStartKey` /
//! `LastEvaluatedKey`), UpdateItem whose ConditionExpression fails (the typed
//! `ConditionalCheckFailedException`), BatchWriteItem, DeleteTable.

mod support;

use std::collections::BTreeMap;

use anvil_official_clients::dynamodb::Client;
use anvil_official_clients::dynamodb::error::{GetItemError, UpdateItemError};
use anvil_official_clients::dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, KeySchemaElement, KeyType,
    PutRequest, ScalarAttributeType, TableStatus, WriteRequest,
};
use anvil_official_clients::runtime::SdkError;

const TABLE: &str = "anvil-items";
/// The partition every queried item is in, and how many items it holds.
const PARTITION: &str = "user#1";
const ITEMS: u32 = 7;
/// Items per Query page: several pages for `ITEMS`.
const PAGE: i32 = 2;

type Item = BTreeMap<String, AttributeValue>;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: u32) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The key of item `sk` of `pk`.
fn key(pk: &str, sk: u32) -> Item {
    BTreeMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), n(sk))])
}

/// Item `sk` of `pk`, with a payload.
fn item(pk: &str, sk: u32) -> Item {
    let mut item = key(pk, sk);
    item.insert("label".into(), s(&format!("item {sk}")));
    item.insert(
        "tags".into(),
        AttributeValue::Ss(vec!["a".into(), "b".into()]),
    );
    item.insert("active".into(), AttributeValue::Bool(sk.is_multiple_of(2)));
    item
}

fn sk_of(item: &Item) -> u32 {
    match item.get("sk") {
        Some(AttributeValue::N(v)) => v.parse().expect("a numeric sort key"),
        other => panic!("sk is a number: {other:?}"),
    }
}

fn attribute(name: &str, ty: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ty)
        .build()
        .expect("a complete attribute definition")
}

fn key_element(name: &str, ty: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(ty)
        .build()
        .expect("a complete key schema element")
}

#[tokio::test(flavor = "current_thread")]
async fn dynamodb_scenario_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let client = Client::new(&moto.config(3, true));

    // 1. CreateTable: pk (string) + sk (number), on demand.
    let created = client
        .create_table()
        .table_name(TABLE)
        .attribute_definitions(attribute("pk", ScalarAttributeType::S))
        .attribute_definitions(attribute("sk", ScalarAttributeType::N))
        .key_schema(key_element("pk", KeyType::Hash))
        .key_schema(key_element("sk", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("CreateTable")
        .table_description
        .expect("CreateTable returns the table");
    assert_eq!(created.table_name.as_deref(), Some(TABLE));
    let arn = created.table_arn.clone().expect("a table ARN");
    assert!(arn.starts_with("arn:aws:dynamodb:us-east-1:"), "{arn}");
    assert!(arn.ends_with(&format!(":table/{TABLE}")), "{arn}");
    println!("CreateTable: {arn}");

    // 2. DescribeTable: the key schema and attribute definitions round-trip.
    let table = client
        .describe_table()
        .table_name(TABLE)
        .send()
        .await
        .expect("DescribeTable")
        .table
        .expect("DescribeTable returns the table");
    assert_eq!(table.table_arn.as_deref(), Some(arn.as_str()));
    assert_eq!(table.table_status, Some(TableStatus::Active));
    let schema: Vec<(String, KeyType)> = table
        .key_schema
        .expect("a key schema")
        .into_iter()
        .map(|k| (k.attribute_name, k.key_type))
        .collect();
    assert_eq!(
        schema,
        [
            ("pk".to_string(), KeyType::Hash),
            ("sk".to_string(), KeyType::Range)
        ]
    );
    let mut attributes: Vec<(String, ScalarAttributeType)> = table
        .attribute_definitions
        .expect("attribute definitions")
        .into_iter()
        .map(|a| (a.attribute_name, a.attribute_type))
        .collect();
    attributes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        attributes,
        [
            ("pk".to_string(), ScalarAttributeType::S),
            ("sk".to_string(), ScalarAttributeType::N)
        ]
    );
    assert!(created.creation_date_time.is_some(), "a creation time");

    // 3. PutItem: ITEMS items in one partition, one in another.
    for sk in 1..=ITEMS {
        client
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item(PARTITION, sk)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutItem {sk}: {e:?}"));
    }
    client
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item("user#2", 1)))
        .send()
        .await
        .expect("PutItem in another partition");

    // 4. GetItem: the item round-trips, every attribute type included; a missing key has
    // no item.
    let got = client
        .get_item()
        .table_name(TABLE)
        .set_key(Some(key(PARTITION, 3)))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item;
    assert_eq!(got, Some(item(PARTITION, 3)));
    let missing = client
        .get_item()
        .table_name(TABLE)
        .set_key(Some(key(PARTITION, 99)))
        .send()
        .await
        .expect("GetItem of a missing key");
    assert_eq!(missing.item, None);
    println!("GetItem: round-tripped");

    // GetItem on a missing table: the typed ResourceNotFoundException.
    match client
        .get_item()
        .table_name("anvil-no-such-table")
        .set_key(Some(key(PARTITION, 1)))
        .send()
        .await
    {
        Err(SdkError::Service(e)) => {
            assert!(
                matches!(e.err(), GetItemError::ResourceNotFoundException(_)),
                "{e:?}"
            );
            assert_eq!(e.meta().status(), 400);
        }
        other => {
            panic!("GetItem on a missing table: expected ResourceNotFoundException, got {other:?}")
        }
    }

    // 5. Query through the paginator, PAGE items a page: the map token goes round.
    let mut pages = client
        .query()
        .table_name(TABLE)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(PARTITION))
        .limit(PAGE)
        .into_paginator();
    let mut queried = Vec::new();
    let mut page_count = 0;
    let mut tokens = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a Query page");
        page_count += 1;
        assert!(page_count <= 10, "the paginator does not stop");
        let items = page.items.unwrap_or_default();
        assert!(items.len() <= PAGE as usize, "at most `limit` items a page");
        assert_eq!(page.count as usize, items.len());
        if let Some(last) = &page.last_evaluated_key {
            tokens += 1;
            // The token is the key of the page's last item.
            assert_eq!(
                Some(last),
                items.last().map(|i| key(PARTITION, sk_of(i))).as_ref()
            );
        }
        queried.extend(items);
    }
    let sks: Vec<u32> = queried.iter().map(sk_of).collect();
    assert_eq!(
        sks,
        (1..=ITEMS).collect::<Vec<_>>(),
        "every item, in sort-key order"
    );
    assert!(page_count > 1, "several pages: {page_count}");
    assert!(
        page_count >= ITEMS.div_ceil(PAGE as u32) as usize,
        "{page_count} pages"
    );
    assert_eq!(
        tokens,
        page_count - 1,
        "each page but the last hands on a token"
    );
    assert_eq!(queried[0], item(PARTITION, 1));
    println!("Query: {} items in {page_count} pages", queried.len());

    // The same through the item paginator.
    let mut items = client
        .query()
        .table_name(TABLE)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(PARTITION))
        .limit(3)
        .into_item_paginator();
    let mut count = 0;
    while let Some(i) = items.next_item().await {
        count += 1;
        assert_eq!(sk_of(&i.expect("a queried item")), count);
    }
    assert_eq!(count, ITEMS);

    // 6. UpdateItem whose condition fails: the typed ConditionalCheckFailedException; the
    // item is unchanged.
    let err = client
        .update_item()
        .table_name(TABLE)
        .set_key(Some(key(PARTITION, 1)))
        .update_expression("SET #l = :l")
        .condition_expression("attribute_not_exists(pk)")
        .expression_attribute_names("#l", "label")
        .expression_attribute_values(":l", s("overwritten"))
        .send()
        .await
        .expect_err("UpdateItem on an existing item with attribute_not_exists(pk) fails");
    match &err {
        SdkError::Service(e) => {
            match e.err() {
                UpdateItemError::ConditionalCheckFailedException(x) => {
                    println!(
                        "UpdateItem: ConditionalCheckFailedException: {:?}",
                        x.message
                    );
                }
                other => {
                    panic!("UpdateItem: expected ConditionalCheckFailedException, got {other:?}")
                }
            }
            assert_eq!(e.meta().status(), 400);
            assert_eq!(e.meta().code(), Some("ConditionalCheckFailedException"));
        }
        other => panic!("UpdateItem: expected a service error, got {other:?}"),
    }
    let label = client
        .get_item()
        .table_name(TABLE)
        .set_key(Some(key(PARTITION, 1)))
        .send()
        .await
        .expect("GetItem after the failed update")
        .item
        .and_then(|mut i| i.remove("label"));
    assert_eq!(
        label,
        Some(s("item 1")),
        "the failed update changed nothing"
    );

    // ... and one whose condition holds: ALL_NEW comes back.
    let updated = client
        .update_item()
        .table_name(TABLE)
        .set_key(Some(key(PARTITION, 1)))
        .update_expression("SET #l = :l")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_names("#l", "label")
        .expression_attribute_values(":l", s("updated"))
        .return_values(anvil_official_clients::dynamodb::types::ReturnValue::AllNew)
        .send()
        .await
        .expect("UpdateItem whose condition holds")
        .attributes
        .expect("ALL_NEW attributes");
    assert_eq!(updated.get("label"), Some(&s("updated")));

    // 7. BatchWriteItem: two puts and a delete in one request.
    let put = |sk| {
        WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(item("user#3", sk)))
                    .build()
                    .expect("a complete put request"),
            )
            .build()
    };
    let delete = WriteRequest::builder()
        .delete_request(
            DeleteRequest::builder()
                .set_key(Some(key(PARTITION, ITEMS)))
                .build()
                .expect("a complete delete request"),
        )
        .build();
    let batch = client
        .batch_write_item()
        .request_items(TABLE, vec![put(1), put(2), delete])
        .send()
        .await
        .expect("BatchWriteItem");
    assert!(
        batch
            .unprocessed_items
            .unwrap_or_default()
            .values()
            .all(Vec::is_empty),
        "nothing left unprocessed"
    );
    let count_of = |pk: &'static str| {
        let client = client.clone();
        async move {
            client
                .query()
                .table_name(TABLE)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(pk))
                .send()
                .await
                .expect("Query a partition")
                .count
        }
    };
    assert_eq!(count_of("user#3").await, 2, "the batch's puts");
    assert_eq!(
        count_of(PARTITION).await,
        ITEMS as i32 - 1,
        "the batch's delete"
    );
    println!("BatchWriteItem: 2 puts, 1 delete");

    // 8. DeleteTable; describing it then fails with ResourceNotFoundException.
    let deleted = client
        .delete_table()
        .table_name(TABLE)
        .send()
        .await
        .expect("DeleteTable")
        .table_description
        .expect("DeleteTable returns the table");
    assert_eq!(deleted.table_name.as_deref(), Some(TABLE));
    let err = client
        .describe_table()
        .table_name(TABLE)
        .send()
        .await
        .expect_err("DescribeTable after DeleteTable fails");
    match &err {
        SdkError::Service(e) => assert!(
            matches!(
                e.err(),
                anvil_official_clients::dynamodb::error::DescribeTableError::ResourceNotFoundException(_)
            ),
            "{err:?}"
        ),
        other => panic!("DescribeTable after DeleteTable: {other:?}"),
    }
    println!("DeleteTable: {TABLE} is gone");
}
