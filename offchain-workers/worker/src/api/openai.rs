//! OpenAI request bodies (the fields this worker honours; unknown fields are ignored, as OpenAI's
//! own clients send several) and the prompt of a chat.

use serde::Deserialize;
use tributary_model::chat::Message;

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

/// The prompt of a completion request.
#[derive(Debug, Deserialize)]
pub struct CompletionPrompt {
	pub prompt: OneOrMany,
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

/// The messages of a chat request.
#[derive(Debug, Deserialize)]
pub struct ChatMessages {
	pub messages: Vec<ChatMessage>,
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
			Ok(Message { role: message.role.clone(), content: message.text()? })
		})
		.collect()
}
