//! Endpoint resolution for a client: the service's rule set, parsed once per client; its
//! parameters bound from the configuration (built-ins, client context parameters), from the
//! credentials' account id and from the operation's own input ([`OperationParams`]); the
//! per-client endpoint cached for operations that bind nothing of their own.
//!
//! Parameters are bound least specific first, so that the more specific wins (the Smithy
//! rules engine's order): built-ins, client context parameters, then the operation's
//! operation-context paths, context members and static values.
//!
//! [`OperationParams`]: crate::endpoint::OperationParams

use std::borrow::Cow;

use super::{Config, ConfigBuilder, Handle, ResolvedEndpoint, prepare_endpoint};
use crate::codec::SerializeStruct;
use crate::endpoint::{AccountIdEndpointMode, Endpoint, EndpointError, Params, RuleSet, Value};
use crate::error::{ConfigError, ConstructionError, SdkError, SendError};
use crate::protocol::Operation;

/// Why a client has no endpoint; cached with the client's endpoint, made into a
/// [`ConfigError`] for each call.
#[derive(Clone, Debug)]
pub(super) enum Failure {
    /// The configuration (or the rule set) is unusable.
    Config(String),
    /// The rules rejected the parameters: their error, kept as the error's source.
    Rules(EndpointError),
}

impl Failure {
    pub(super) fn to_error(&self) -> ConfigError {
        match self {
            Failure::Config(m) => ConfigError::new(m.clone()),
            Failure::Rules(e) => {
                ConfigError::new("endpoint resolution failed").with_source(e.clone())
            }
        }
    }
}

/// The built-in the typed account-id setter fills.
const ACCOUNT_ID_ENDPOINT_MODE: &str = "AWS::Auth::AccountIdEndpointMode";

/// Endpoint built-ins and client context parameters.
impl ConfigBuilder {
    fn builtin(mut self, id: &'static str, value: Value) -> Self {
        match self.endpoint_builtins.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = value,
            None => self.endpoint_builtins.push((id, value)),
        }
        self
    }

    /// S3: addresses buckets in the path (`https://s3.<region>.amazonaws.com/<bucket>`)
    /// rather than the host (the `AWS::S3::ForcePathStyle` built-in; default false).
    pub fn force_path_style(self, on: bool) -> Self {
        self.builtin("AWS::S3::ForcePathStyle", Value::Bool(on))
    }

    /// S3: uses Transfer Acceleration endpoints (`<bucket>.s3-accelerate.amazonaws.com`;
    /// the `AWS::S3::Accelerate` built-in; default false).
    pub fn accelerate(self, on: bool) -> Self {
        self.builtin("AWS::S3::Accelerate", Value::Bool(on))
    }

    /// S3 and S3 Control: an ARN given as the bucket (or access point) may name another
    /// region than the client's, and requests then go to that region (the
    /// `AWS::S3::UseArnRegion` and `AWS::S3Control::UseArnRegion` built-ins).
    pub fn use_arn_region(self, on: bool) -> Self {
        self.builtin("AWS::S3::UseArnRegion", Value::Bool(on))
            .builtin("AWS::S3Control::UseArnRegion", Value::Bool(on))
    }

    /// S3: refuses Multi-Region Access Point ARNs (the
    /// `AWS::S3::DisableMultiRegionAccessPoints` built-in; default false).
    pub fn disable_multi_region_access_points(self, on: bool) -> Self {
        self.builtin("AWS::S3::DisableMultiRegionAccessPoints", Value::Bool(on))
    }

    /// S3: sends `us-east-1` requests to the global endpoint `s3.amazonaws.com` (the
    /// `AWS::S3::UseGlobalEndpoint` built-in; default false: the regional endpoint).
    pub fn s3_use_global_endpoint(self, on: bool) -> Self {
        self.builtin("AWS::S3::UseGlobalEndpoint", Value::Bool(on))
    }

    /// STS: sends requests from the legacy global regions to the global endpoint
    /// `sts.amazonaws.com` (the `AWS::STS::UseGlobalEndpoint` built-in; default false: the
    /// regional endpoint).
    pub fn sts_use_global_endpoint(self, on: bool) -> Self {
        self.builtin("AWS::STS::UseGlobalEndpoint", Value::Bool(on))
    }

    /// Whether requests go to account-based endpoints (DynamoDB) when the credentials name
    /// their account ([`crate::credentials::Credentials::with_account_id`]; the
    /// `AWS::Auth::AccountIdEndpointMode` built-in). Default
    /// [`AccountIdEndpointMode::Preferred`], as in the AWS SDKs.
    pub fn account_id_endpoint_mode(self, mode: AccountIdEndpointMode) -> Self {
        self.builtin(
            ACCOUNT_ID_ENDPOINT_MODE,
            Value::String(mode.as_str().to_owned()),
        )
    }

    /// Sets a client context parameter of the service's endpoint rules by name
    /// (`smithy.rules#clientContextParams`, e.g. S3's `ForcePathStyle`, `Accelerate`,
    /// `UseArnRegion`, `DisableMultiRegionAccessPoints`, `DisableS3ExpressSessionAuth`; each
    /// generated client lists its service's in its docs). It wins over the built-in of the
    /// same parameter and loses to what an operation binds itself. Services whose rules
    /// declare no such parameter ignore it.
    pub fn client_context_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Self {
        let (name, value) = (name.into(), value.into());
        match self
            .client_context_params
            .iter_mut()
            .find(|(k, _)| *k == name)
        {
            Some(slot) => slot.1 = value,
            None => self.client_context_params.push((name, value)),
        }
        self
    }
}

impl Config {
    /// The value a typed setter gave an endpoint built-in (`AWS::S3::ForcePathStyle`), if
    /// any. The region, FIPS, dual-stack and endpoint URL have their own getters.
    pub fn endpoint_builtin(&self, id: &str) -> Option<&Value> {
        self.endpoint_builtins
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, v)| v)
    }

    /// The client context parameters set with [`ConfigBuilder::client_context_param`].
    pub fn client_context_params(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.client_context_params
            .iter()
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The value of the endpoint built-in `id` for this configuration.
    fn builtin_value(&self, id: &str, account_id: Option<&str>) -> Option<Value> {
        match id {
            "AWS::Region" => self.region.clone().map(Value::String),
            "AWS::UseFIPS" => Some(Value::Bool(self.use_fips)),
            "AWS::UseDualStack" => Some(Value::Bool(self.use_dual_stack)),
            "SDK::Endpoint" => self.endpoint_url.clone().map(Value::String),
            "AWS::Auth::AccountId" => account_id.map(|a| Value::String(a.to_owned())),
            ACCOUNT_ID_ENDPOINT_MODE => {
                Some(self.endpoint_builtin(id).cloned().unwrap_or_else(|| {
                    Value::String(AccountIdEndpointMode::default().as_str().to_owned())
                }))
            }
            _ => self.endpoint_builtin(id).cloned(),
        }
    }
}

impl Handle {
    /// The service's rule set, parsed on first use (`None`: the service has none).
    fn rules(&self) -> Result<Option<&RuleSet>, Failure> {
        let Some(text) = self.inner.service.endpoint_rules else {
            return Ok(None);
        };
        self.inner
            .rules
            .get_or_init(|| {
                RuleSet::from_json(text).map_err(|e| format!("invalid endpoint rules: {e}"))
            })
            .as_ref()
            .map(Some)
            .map_err(|m| Failure::Config(m.clone()))
    }

    /// The parameters `op` binds from `input` (`None` when it binds none, so the client's
    /// cached endpoint serves it). Checked before anything is sent.
    pub(super) fn operation_params(
        &self,
        op: &'static Operation,
        input: &dyn SerializeStruct,
    ) -> Result<Option<Params>, SendError> {
        if op.endpoint_params.is_empty() {
            return Ok(None);
        }
        let mut params = Params::new();
        op.endpoint_params
            .bind(op.input, input, &mut params)
            .map_err(|e| SdkError::Construction(ConstructionError::new(e.message())))?;
        Ok(Some(params))
    }

    /// The account id of the configured credentials, when the rules take the
    /// `AWS::Auth::AccountId` built-in and the credentials name one.
    async fn account_id(&self) -> Option<String> {
        let rules = self.rules().ok().flatten()?;
        let takes = rules
            .parameters()
            .iter()
            .any(|p| p.built_in.as_deref() == Some("AWS::Auth::AccountId"));
        if !takes {
            return None;
        }
        let provider = self.inner.config.credentials.as_ref()?;
        let credentials = provider.provide_credentials().await.ok()?;
        credentials.account_id().map(str::to_owned)
    }

    /// The endpoint of one call: the client's cached one, unless the operation binds
    /// parameters of its own or the credentials name an account, which are resolved now.
    pub(super) async fn endpoint_for(
        &self,
        op_params: Option<Params>,
    ) -> Result<Cow<'_, ResolvedEndpoint>, ConfigError> {
        let account_id = self.account_id().await;
        if op_params.is_none() && account_id.is_none() {
            return self.endpoint().map(Cow::Borrowed);
        }
        self.resolve(op_params.as_ref(), account_id.as_deref())
            .map(Cow::Owned)
            .map_err(|f| f.to_error())
    }

    /// Resolves an endpoint: from the service's endpoint rules when it has them (a
    /// configured endpoint URL is their `SDK::Endpoint` built-in, so the rules still apply to
    /// it: FIPS or dual-stack with a custom endpoint is their error, as in the AWS SDKs),
    /// otherwise (no rules, or rules without an `SDK::Endpoint` parameter) the configured
    /// endpoint URL as is.
    pub(super) fn resolve(
        &self,
        op_params: Option<&Params>,
        account_id: Option<&str>,
    ) -> Result<ResolvedEndpoint, Failure> {
        let config = &self.inner.config;
        let rules = self.rules()?;
        let rules_take_endpoint = rules.is_some_and(|r| {
            r.parameters()
                .iter()
                .any(|p| p.built_in.as_deref() == Some("SDK::Endpoint"))
        });
        let endpoint = match (rules, &config.endpoint_url) {
            (Some(rules), url) if url.is_none() || rules_take_endpoint => {
                let mut params = Params::new();
                for p in rules.parameters() {
                    if let Some(v) = p
                        .built_in
                        .as_deref()
                        .and_then(|b| config.builtin_value(b, account_id))
                    {
                        params.set(&p.name, v);
                    }
                }
                for (name, value) in &config.client_context_params {
                    params.set(name, value.clone());
                }
                if let Some(op) = op_params {
                    for (name, value) in op.iter() {
                        params.set(name, value.clone());
                    }
                }
                rules.resolve(&params).map_err(Failure::Rules)?
            }
            (_, Some(url)) => Endpoint {
                url: url.clone(),
                headers: Default::default(),
                properties: Default::default(),
            },
            (_, None) => {
                return Err(Failure::Config(
                    "no endpoint: the service has no endpoint rules; set an endpoint URL"
                        .to_owned(),
                ));
            }
        };
        prepare_endpoint(endpoint).map_err(Failure::Config)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::ServiceMeta;
    use crate::codec::{SerializeShape, ShapeSerializer};
    use crate::credentials::Credentials;
    use crate::endpoint::{PathExpr, StaticParam};
    use crate::http::test::ReplayClient;
    use crate::http::{HttpRequest, HttpResponse};
    use crate::protocol::aws_json::AWS_JSON_1_0;
    use crate::schema::{Member, Schema, prelude};

    /// Rules that put every parameter they know in the URL, and an account-based host when
    /// an account id is given.
    const RULES: &str = r#"{"version":"1.0","parameters":{
        "Region":{"type":"String","builtIn":"AWS::Region"},
        "AccountId":{"type":"String","builtIn":"AWS::Auth::AccountId"},
        "Mode":{"type":"String","builtIn":"AWS::Auth::AccountIdEndpointMode"},
        "PathStyle":{"type":"Boolean","builtIn":"AWS::S3::ForcePathStyle","required":true,"default":false},
        "Client":{"type":"String"},
        "Table":{"type":"String"},
        "Static":{"type":"Boolean"},
        "Keys":{"type":"stringArray"}},
      "rules":[
        {"type":"error","conditions":[{"fn":"stringEquals","argv":[{"ref":"Table"},"bad"]}],
         "error":"table {Table} is refused"},
        {"type":"endpoint","conditions":[{"fn":"isSet","argv":[{"ref":"AccountId"}]}],
         "endpoint":{"url":"https://{AccountId}.{Mode}.example.com"}},
        {"type":"endpoint","conditions":[{"fn":"isSet","argv":[{"ref":"Table"}]},
            {"fn":"isSet","argv":[{"ref":"Keys"}]},{"fn":"isSet","argv":[{"ref":"Static"}]}],
         "endpoint":{"url":"https://{Table}.{Keys#[0]}.{Region}.example.com/{Client}",
            "properties":{"authSchemes":[{"name":"sigv4a","signingRegionSet":["*"]},
                {"name":"sigv4","signingName":"tables","signingRegion":"eu-west-3","disableDoubleEncoding":true}]}}},
        {"type":"endpoint","conditions":[{"fn":"booleanEquals","argv":[{"ref":"PathStyle"},true]}],
         "endpoint":{"url":"https://path.{Region}.example.com/{Client}"}},
        {"type":"endpoint","conditions":[],"endpoint":{"url":"https://plain.{Region}.example.com",
            "properties":{"authSchemes":[{"name":"sigv4a","signingRegionSet":["*"]}]}}}]}"#;

    static SERVICE: ServiceMeta = ServiceMeta {
        sdk_id: "Tables",
        signing_name: "tables",
        endpoint_prefix: "tables",
        api_version: "2020-01-01",
        endpoint_rules: Some(RULES),
        env_name: "",
        shape_name: "Tables",
        protocols: &[&AWS_JSON_1_0],
        query_compatible: false,
        xml_namespace: None,
    };

    static STRINGS: Schema = Schema::list(
        "t#Strings",
        "Strings",
        &[Member::new("member", 0, &prelude::STRING)],
    );
    static ITEMS: Schema = Schema::map(
        "t#Items",
        "Items",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &STRINGS),
        ],
    );
    static INPUT_MEMBERS: [Member; 2] = [
        Member::new("TableName", 0, &prelude::STRING).required(),
        Member::new("Items", 1, &ITEMS),
    ];
    static INPUT: Schema = Schema::structure("t#Input", "Input", &INPUT_MEMBERS);

    struct Input {
        table: String,
        items: BTreeMap<String, Vec<String>>,
    }

    impl SerializeStruct for Input {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            s.write_string(&INPUT_MEMBERS[0], &self.table);
            self.items.serialize(s, &INPUT_MEMBERS[1]);
        }
    }

    static OP: Operation = Operation::new("Get", &INPUT, &prelude::UNIT, &[])
        .context_params(&[("Table", "TableName")])
        .static_context_params(&[("Static", StaticParam::Bool(true))])
        .operation_context_params(&[("Keys", PathExpr::Keys(&PathExpr::Field("Items")))]);
    static PLAIN: Operation = Operation::new("List", &prelude::UNIT, &prelude::UNIT, &[]);

    fn input(table: &str) -> Input {
        Input {
            table: table.into(),
            items: BTreeMap::from([("k1".into(), vec!["x".into()]), ("k2".into(), vec![])]),
        }
    }

    fn call(
        config: ConfigBuilder,
        op: &'static Operation,
        input: &(dyn SerializeStruct + Sync),
    ) -> Result<HttpRequest, SendError> {
        let replay = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
        let config = config.http_client(replay.clone()).max_attempts(1).build();
        let handle = Handle::new(&config, &SERVICE);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(handle.call(op, input))?;
        Ok(replay.requests().remove(0))
    }

    fn base() -> ConfigBuilder {
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .client_context_param("Client", "c1")
    }

    fn scope(request: &HttpRequest) -> String {
        let auth = request.headers["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        let credential = auth.split("Credential=").nth(1).unwrap();
        let credential = credential.split(',').next().unwrap();
        credential.split_once('/').unwrap().1.to_owned()
    }

    #[test]
    fn operation_params_are_bound_per_call_and_drive_signing() {
        let req = call(base(), &OP, &input("t1")).unwrap();
        assert!(
            req.uri
                .starts_with("https://t1.k1.us-west-2.example.com/c1"),
            "{}",
            req.uri
        );
        // The first scheme is SigV4a: used with the `sigv4a` feature, else skipped for the
        // SigV4 one after it.
        let want = if cfg!(feature = "sigv4a") {
            "/tables/aws4_request"
        } else {
            "/eu-west-3/tables/aws4_request"
        };
        assert!(scope(&req).ends_with(want), "{}", scope(&req));
        // The rules' own error, typed, and nothing sent.
        match call(base(), &OP, &input("bad")).unwrap_err() {
            SdkError::Config(c) => {
                assert_eq!(
                    c.endpoint_error().unwrap().message(),
                    "table bad is refused"
                );
            }
            other => panic!("{other:?}"),
        }
        // A required context member that is blank is refused before anything is sent.
        match call(base(), &OP, &input("  ")).unwrap_err() {
            SdkError::Construction(c) => assert!(c.to_string().contains("must not be empty")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn builtins_client_params_and_account_ids() {
        let req = call(base().force_path_style(true), &PLAIN, &crate::codec::Unit).unwrap();
        assert!(
            req.uri.starts_with("https://path.us-west-2.example.com/c1"),
            "{}",
            req.uri
        );
        assert!(scope(&req).ends_with("/us-west-2/tables/aws4_request"));
        // The default endpoint offers SigV4a only: without the `sigv4a` feature refused
        // when signing, sent unsigned.
        match call(base(), &PLAIN, &crate::codec::Unit) {
            Ok(req) if cfg!(feature = "sigv4a") => assert_eq!(req.headers["x-amz-region-set"], "*"),
            Err(SdkError::Config(c)) => assert!(c.to_string().contains("`sigv4a`"), "{c}"),
            other => panic!("{other:?}"),
        }
        let unsigned = call(
            Config::builder().region("us-west-2"),
            &PLAIN,
            &crate::codec::Unit,
        )
        .unwrap();
        assert!(unsigned.headers.get("authorization").is_none());
        // An account id from the credentials, the mode defaulting to `preferred`.
        let with_account = || {
            Config::builder()
                .region("us-west-2")
                .credentials(Credentials::new("AKID", "SECRET", None).with_account_id("123"))
        };
        let req = call(with_account(), &PLAIN, &crate::codec::Unit).unwrap();
        assert!(
            req.uri.starts_with("https://123.preferred.example.com"),
            "{}",
            req.uri
        );
        let req = call(
            with_account().account_id_endpoint_mode(AccountIdEndpointMode::Required),
            &PLAIN,
            &crate::codec::Unit,
        )
        .unwrap();
        assert!(
            req.uri.starts_with("https://123.required.example.com"),
            "{}",
            req.uri
        );
        let config = base().use_arn_region(true).build();
        assert_eq!(
            config.endpoint_builtin("AWS::S3Control::UseArnRegion"),
            Some(&Value::Bool(true))
        );
        assert_eq!(config.client_context_params().count(), 1);
    }
}
