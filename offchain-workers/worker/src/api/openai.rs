//! OpenAI request bodies: the fields this worker honours, the OpenAI fields it refuses by name
//! (never silently: each would change what the answer means), and the prompt of a chat. Fields
//! OpenAI does not define are ignored, as OpenAI's own clients send a few.

use serde::Deserialize;
use std::collections::HashMap;
use tributary_model::chat::{FunctionCall, Message, ToolCall};

/// A string or a list of strings (`prompt`, `stop`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
	One(String),
	Many(Vec<String>),
}

impl OneOrMany {
	pub fn into_vec(self) -> Vec<String> {
		match self {
			OneOrMany::One(s) => vec![s],
			OneOrMany::Many(v) => v,
		}
	}
}

/// `prompt` of `/v1/completions`: a text, texts, token ids or lists of token ids.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum PromptInput {
	Text(String),
	Texts(Vec<String>),
	Tokens(Vec<u32>),
	TokenLists(Vec<Vec<u32>>),
}

/// One prompt of a completion request.
#[derive(Clone, Debug)]
pub enum Prompt {
	Text(String),
	Tokens(Vec<u32>),
}

impl PromptInput {
	pub fn into_prompts(self) -> Vec<Prompt> {
		match self {
			PromptInput::Text(text) => vec![Prompt::Text(text)],
			PromptInput::Texts(texts) => texts.into_iter().map(Prompt::Text).collect(),
			PromptInput::Tokens(tokens) => vec![Prompt::Tokens(tokens)],
			PromptInput::TokenLists(lists) => lists.into_iter().map(Prompt::Tokens).collect(),
		}
	}
}

/// `stream_options`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StreamOptions {
	/// Send a last chunk with no choices and the whole request's usage.
	#[serde(default)]
	pub include_usage: bool,
}

/// Settings shared by both endpoints.
#[derive(Clone, Debug, Deserialize)]
pub struct GenerationFields {
	pub model: String,
	#[serde(default)]
	pub max_tokens: Option<usize>,
	/// The chat API's newer name for `max_tokens`.
	#[serde(default)]
	pub max_completion_tokens: Option<usize>,
	#[serde(default)]
	pub temperature: Option<f64>,
	#[serde(default)]
	pub top_p: Option<f64>,
	/// Extension (as in vLLM): sample only from the k most likely tokens.
	#[serde(default)]
	pub top_k: Option<i64>,
	#[serde(default)]
	pub seed: Option<u64>,
	#[serde(default)]
	pub stop: Option<OneOrMany>,
	#[serde(default)]
	pub n: Option<usize>,
	#[serde(default)]
	pub stream: bool,
	#[serde(default)]
	pub stream_options: Option<StreamOptions>,
	#[serde(default)]
	pub presence_penalty: Option<f64>,
	#[serde(default)]
	pub frequency_penalty: Option<f64>,
	/// Token id (decimal string) → bias added to its logit, in [-100, 100].
	#[serde(default)]
	pub logit_bias: Option<HashMap<String, f64>>,
	/// Extension: also report which training rows the answer draws on, and by which method.
	#[serde(default)]
	pub attribution: super::attribution::AttributionMethod,
	/// Extension: retrieve rows of the adapter's corpus into the prompt and cite them (implies
	/// `"attribution": "rag"`).
	#[serde(default)]
	pub rag: Option<super::rag::RagRequest>,
	/// Extension: issue an inference receipt for the answer (implies attribution).
	#[serde(default)]
	pub receipt: Option<super::receipts::ReceiptRequest>,
}

// A request body is read twice, once as `GenerationFields` and once as the endpoint's own part,
// instead of one struct with `#[serde(flatten)]`: flatten buffers the body, and with serde_json's
// `arbitrary_precision` (which polkadot-sdk crates turn on in this workspace) a buffered float no
// longer deserializes as `f64`.

/// The fields of a completion request that chat requests do not have.
#[derive(Debug, Deserialize)]
pub struct CompletionFields {
	pub prompt: PromptInput,
	/// Generate this many choices per prompt and return the `n` with the highest mean token
	/// log-probability.
	#[serde(default)]
	pub best_of: Option<usize>,
	/// Report each token's log-probability and this many likeliest alternatives.
	#[serde(default)]
	pub logprobs: Option<usize>,
	/// Answer the prompt followed by the completion (with the prompt's log-probabilities).
	#[serde(default)]
	pub echo: bool,
}

/// The fields of a chat request that completion requests do not have.
#[derive(Debug, Deserialize)]
pub struct ChatFields {
	pub messages: Vec<ChatMessage>,
	#[serde(default)]
	pub logprobs: bool,
	#[serde(default)]
	pub top_logprobs: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
	Text(String),
	Parts(Vec<ContentPart>),
}

#[derive(Debug, Deserialize)]
pub struct ContentPart {
	#[serde(rename = "type")]
	pub kind: String,
	#[serde(default)]
	pub text: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ChatMessage {
	pub role: String,
	pub content: Option<MessageContent>,
	/// An assistant message's calls (earlier answers sent back with the tools' results).
	#[serde(default)]
	pub tool_calls: Option<Vec<RequestToolCall>>,
	/// The call a `tool` message answers.
	#[serde(default)]
	pub tool_call_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RequestToolCall {
	pub id: String,
	pub function: RequestFunctionCall,
}

#[derive(Debug, Deserialize)]
pub struct RequestFunctionCall {
	pub name: String,
	/// JSON text, as OpenAI writes it.
	pub arguments: String,
}

impl ChatMessage {
	/// The message's text: its content string, or its text parts joined; other parts are refused.
	pub fn text(&self) -> Result<String, String> {
		match &self.content {
			None => Ok(String::new()),
			Some(MessageContent::Text(text)) => Ok(text.clone()),
			Some(MessageContent::Parts(parts)) => {
				let mut text = String::new();
				for part in parts {
					match (part.kind.as_str(), &part.text) {
						("text", Some(t)) => text.push_str(t),
						(kind, _) => {
							return Err(format!(
								"content part type {kind:?} is not supported; only text"
							))
						},
					}
				}
				Ok(text)
			},
		}
	}
}

/// The conversation of a chat request, each message's text checked: a known role, text parts
/// only. The model's chat template turns it into the prompt.
pub fn chat_messages(messages: &[ChatMessage]) -> Result<Vec<Message>, String> {
	if messages.is_empty() {
		return Err("messages must not be empty".into());
	}
	messages
		.iter()
		.map(|message| {
			if !matches!(
				message.role.as_str(),
				"system" | "developer" | "user" | "assistant" | "tool"
			) {
				return Err(format!("unknown message role {:?}", message.role));
			}
			let mut tool_calls = Vec::new();
			for call in message.tool_calls.iter().flatten() {
				let arguments = serde_json::from_str(&call.function.arguments).map_err(|e| {
					format!("the arguments of tool call {:?} are not JSON: {e}", call.id)
				})?;
				tool_calls.push(ToolCall {
					id: call.id.clone(),
					kind: "function".into(),
					function: FunctionCall { name: call.function.name.clone(), arguments },
				});
			}
			Ok(Message {
				role: message.role.clone(),
				content: message.text()?,
				tool_calls,
				tool_call_id: message.tool_call_id.clone(),
			})
		})
		.collect()
}

/// Which endpoint a body was sent to: they define different fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
	Completions,
	Chat,
}

/// The first OpenAI field of `body` that this worker does not support with the value given,
/// with why. A field that is absent or `null` is never refused.
pub fn unsupported_field(
	body: &serde_json::Value,
	endpoint: Endpoint,
) -> Option<(&'static str, String)> {
	use serde_json::Value;
	let field = |name: &str| body.get(name).filter(|value| !value.is_null());
	let refused: &[(&'static str, &str)] = match endpoint {
		Endpoint::Completions => &[("suffix", "suffix (insertion) is not supported")],
		Endpoint::Chat => &[
			(
				"functions",
				"functions are not supported (and deprecated by OpenAI in favour of tools)",
			),
			("function_call", "function_call is not supported (and deprecated by OpenAI)"),
			("audio", "audio output is not supported; this worker answers text"),
			("prediction", "predicted outputs are not supported"),
			("web_search_options", "web search is not supported"),
		],
	};
	for (name, why) in refused {
		if field(name).is_some() {
			return Some((name, why.to_string()));
		}
	}
	if endpoint == Endpoint::Chat {
		if let Some(modalities) = field("modalities") {
			if modalities != &serde_json::json!(["text"]) {
				return Some(("modalities", "only [\"text\"] is supported".into()));
			}
		}
	}
	if let Some(format) = field("response_format") {
		let kind = format.get("type").and_then(Value::as_str).unwrap_or("");
		if !matches!(kind, "text" | "json_object" | "json_schema") {
			return Some((
				"response_format",
				format!(
					"response_format type {kind:?} is not supported; use \"text\", \"json_object\" or \"json_schema\""
				),
			));
		}
	}
	if field("store") == Some(&Value::Bool(true)) {
		return Some(("store", "this worker does not store completions".into()));
	}
	None
}

/// What a request's `response_format` constrains the output to.
#[derive(Clone, Debug)]
pub enum ResponseFormat {
	/// Any JSON object.
	JsonObject,
	/// JSON matching this schema.
	JsonSchema(serde_json::Value),
	/// A tool call matching this schema, laid out as chat templates write calls.
	ToolCall(serde_json::Value),
}

/// The `response_format` of `body` (`text` or absent: none), read from the JSON value itself:
/// a schema may hold any JSON, which a typed field would reshape.
pub fn response_format(body: &serde_json::Value) -> Result<Option<ResponseFormat>, String> {
	let Some(format) = body.get("response_format").filter(|value| !value.is_null()) else {
		return Ok(None);
	};
	match format.get("type").and_then(serde_json::Value::as_str) {
		Some("text") => Ok(None),
		Some("json_object") => Ok(Some(ResponseFormat::JsonObject)),
		Some("json_schema") => {
			let schema = format
				.get("json_schema")
				.and_then(|described| described.get("schema"))
				.filter(|schema| schema.is_object())
				.ok_or(
					"response_format json_schema needs json_schema.schema, a JSON Schema object",
				)?;
			Ok(Some(ResponseFormat::JsonSchema(schema.clone())))
		},
		_ => {
			Err("response_format needs a type: \"text\", \"json_object\" or \"json_schema\"".into())
		},
	}
}

/// A chat request's `tools` and `tool_choice`.
#[derive(Clone, Debug)]
pub struct ToolRequest {
	/// The tool objects as sent: what the chat template lists for the model.
	pub tools: Vec<serde_json::Value>,
	/// Each function's name and its parameters' JSON Schema.
	pub functions: Vec<(String, serde_json::Value)>,
	pub choice: ToolChoice,
}

/// `tool_choice`: whether the model may (`Auto`), must (`Required`, `Named`) or must not call.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolChoice {
	None,
	Auto,
	Required,
	Named(String),
}

/// The `tools` and `tool_choice` of `body`, checked: function tools with names of up to 64
/// letters, digits, `_` or `-` and object parameters; a named choice among them. The field at
/// fault and why, otherwise.
pub fn tool_request(
	body: &serde_json::Value,
) -> Result<Option<ToolRequest>, (&'static str, String)> {
	use serde_json::Value;
	let tools = match body.get("tools") {
		None | Some(Value::Null) => Vec::new(),
		Some(Value::Array(tools)) => tools.clone(),
		Some(_) => return Err(("tools", "tools must be a list of tool objects".into())),
	};
	let mut functions = Vec::with_capacity(tools.len());
	for tool in &tools {
		if tool.get("type").and_then(Value::as_str) != Some("function") {
			return Err(("tools", "every tool must have type \"function\"".into()));
		}
		let function = &tool["function"];
		let name = function.get("name").and_then(Value::as_str).unwrap_or_default();
		let valid = (1..=64).contains(&name.len())
			&& name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
		if !valid {
			let message = format!("tool name {name:?} must be 1 to 64 letters, digits, _ or -");
			return Err(("tools", message));
		}
		let parameters = match function.get("parameters") {
			None | Some(Value::Null) => serde_json::json!({ "type": "object", "properties": {} }),
			Some(parameters) if parameters.is_object() => parameters.clone(),
			Some(_) => {
				return Err((
					"tools",
					format!("the parameters of {name} must be a JSON Schema object"),
				))
			},
		};
		functions.push((name.to_string(), parameters));
	}
	let choice = match body.get("tool_choice") {
		None | Some(Value::Null) => ToolChoice::Auto,
		Some(Value::String(choice)) => match choice.as_str() {
			"none" => ToolChoice::None,
			"auto" => ToolChoice::Auto,
			"required" => ToolChoice::Required,
			other => return Err(("tool_choice", format!("unknown tool_choice {other:?}"))),
		},
		Some(named) => {
			let name = named["function"]["name"].as_str().unwrap_or_default();
			if !functions.iter().any(|(known, _)| known == name) {
				let message = format!("tool_choice names {name:?}, which is not among the tools");
				return Err(("tool_choice", message));
			}
			ToolChoice::Named(name.to_string())
		},
	};
	if functions.is_empty() {
		return match choice {
			ToolChoice::None | ToolChoice::Auto => Ok(None),
			_ => Err(("tool_choice", "tool_choice needs tools".into())),
		};
	}
	Ok(Some(ToolRequest { tools, functions, choice }))
}
