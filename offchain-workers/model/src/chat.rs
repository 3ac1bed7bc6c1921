//! Chat templates: how a checkpoint turns a conversation into its prompt. Hugging Face keeps the
//! template (Jinja) in `chat_template.jinja` or in `tokenizer_config.json`'s `chat_template`;
//! transformers renders it with Jinja2 (`trim_blocks`, `lstrip_blocks`, `raise_exception`), and so
//! does this module, with minijinja and its Python-compatible string methods. A checkpoint without
//! a template (the project's own pretrained models) uses [`ChatTemplate::plain`].
//!
//! Tools: a template that takes `tools` lists them for the model (OpenAI's tool objects, as
//! transformers passes them) and renders assistant messages' `tool_calls`; when it also shows the
//! model the Hermes syntax (`<tool_call>` JSON `</tool_call>`, as Qwen2.5/3 and SmolLM3 do), the
//! calls a model writes can be read back ([`ToolCallSyntax`]).

use crate::error::{ModelError, Result};
use serde::Serialize;
use std::path::Path;

pub const TOKENIZER_CONFIG_FILE: &str = "tokenizer_config.json";
pub const CHAT_TEMPLATE_FILE: &str = "chat_template.jinja";

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
	pub role: String,
	pub content: String,
	/// The tools an assistant message called.
	#[serde(skip_serializing_if = "Vec::is_empty")]
	pub tool_calls: Vec<ToolCall>,
	/// The call a `tool` message answers.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub tool_call_id: Option<String>,
}

impl Message {
	pub fn new(role: &str, content: &str) -> Message {
		Message {
			role: role.into(),
			content: content.into(),
			tool_calls: Vec::new(),
			tool_call_id: None,
		}
	}
}

/// A call of a tool in a conversation, shaped as chat templates read it (transformers' shape):
/// the arguments are JSON, not the string of it OpenAI's API carries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolCall {
	pub id: String,
	#[serde(rename = "type")]
	pub kind: String,
	pub function: FunctionCall,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionCall {
	pub name: String,
	pub arguments: serde_json::Value,
}

/// How the model of a template that takes `tools` writes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolCallSyntax {
	/// `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`, one block per call.
	Hermes,
}

impl ToolCallSyntax {
	/// What opens a call.
	pub fn open(self) -> &'static str {
		match self {
			ToolCallSyntax::Hermes => "<tool_call>",
		}
	}

	/// What closes a call.
	pub fn close(self) -> &'static str {
		match self {
			ToolCallSyntax::Hermes => "</tool_call>",
		}
	}
}

/// A checkpoint's chat template, compiled once, and the special tokens it may name.
#[derive(Clone, Debug)]
pub struct ChatTemplate {
	environment: minijinja::Environment<'static>,
	bos_token: String,
	eos_token: String,
	/// Whether the template takes `tools` and shows the model a syntax this module reads.
	tool_calls: Option<ToolCallSyntax>,
}

/// The name of the one template in a [`ChatTemplate`]'s environment.
const TEMPLATE: &str = "chat";

/// The template of checkpoints without one: each message as `<|role|>\n{content}\n`, then
/// `<|assistant|>\n` for the reply, so fine-tuning rows can be written in the same form.
const PLAIN: &str = "{% for message in messages %}<|{{ message.role }}|>\n{{ message.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

impl ChatTemplate {
	/// The project's template, for checkpoints that bring none.
	pub fn plain() -> ChatTemplate {
		ChatTemplate::compile(PLAIN.into(), String::new(), String::new())
			.expect("the plain template compiles")
	}

	/// `source` compiled as transformers' Jinja2 environment would run it: blocks trimmed,
	/// Python string methods, and `raise_exception`.
	fn compile(
		source: String,
		bos_token: String,
		eos_token: String,
	) -> std::result::Result<ChatTemplate, minijinja::Error> {
		let mut environment = minijinja::Environment::new();
		environment.set_trim_blocks(true);
		environment.set_lstrip_blocks(true);
		environment
			.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
		environment.add_filter("tojson", tojson);
		environment.add_function(
			"raise_exception",
			|message: String| -> std::result::Result<String, minijinja::Error> {
				Err(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message))
			},
		);
		let hermes = source.contains(ToolCallSyntax::Hermes.open());
		environment.add_template_owned(TEMPLATE, source)?;
		let takes_tools = environment
			.get_template(TEMPLATE)?
			.undeclared_variables(false)
			.contains("tools");
		let tool_calls = (takes_tools && hermes).then_some(ToolCallSyntax::Hermes);
		Ok(ChatTemplate { environment, bos_token, eos_token, tool_calls })
	}

	/// How the model writes tool calls, when its template lists tools in a syntax read here.
	pub fn tool_calls(&self) -> Option<ToolCallSyntax> {
		self.tool_calls
	}

	/// The template of the checkpoint in `dir`, or [`ChatTemplate::plain`] when it has none.
	pub fn from_dir(dir: &Path) -> Result<ChatTemplate> {
		let config_path = dir.join(TOKENIZER_CONFIG_FILE);
		let config: serde_json::Value = match std::fs::read_to_string(&config_path) {
			Ok(text) => serde_json::from_str(&text).map_err(|e| ModelError::InvalidConfig {
				path: config_path.clone(),
				reason: e.to_string(),
			})?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Value::Null,
			Err(e) => return Err(ModelError::io(&config_path)(e)),
		};
		let template_path = dir.join(CHAT_TEMPLATE_FILE);
		let source = match std::fs::read_to_string(&template_path) {
			Ok(text) => Some(text),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				default_template(&config["chat_template"])
			},
			Err(e) => return Err(ModelError::io(&template_path)(e)),
		};
		let Some(source) = source else { return Ok(ChatTemplate::plain()) };
		let invalid = |e: minijinja::Error| ModelError::InvalidConfig {
			path: config_path.clone(),
			reason: format!("chat_template: {e}"),
		};
		let template = ChatTemplate::compile(
			source,
			special_token(&config["bos_token"]),
			special_token(&config["eos_token"]),
		)
		.map_err(invalid)?;
		// A template that cannot render a one-message conversation is refused when loaded, not
		// at the first request.
		template.render(&[Message::new("user", "hello")], true).map_err(invalid)?;
		Ok(template)
	}

	/// The prompt of `messages`; with `add_generation_prompt`, ready for the assistant's reply.
	pub fn render(
		&self,
		messages: &[Message],
		add_generation_prompt: bool,
	) -> std::result::Result<String, minijinja::Error> {
		self.render_with_tools(messages, None, add_generation_prompt)
	}

	/// [`ChatTemplate::render`] with the `tools` (OpenAI's tool objects) the template lists for the
	/// model; `None` leaves `tools` none, as transformers does without tools.
	pub fn render_with_tools(
		&self,
		messages: &[Message],
		tools: Option<&[serde_json::Value]>,
		add_generation_prompt: bool,
	) -> std::result::Result<String, minijinja::Error> {
		self.environment.get_template(TEMPLATE)?.render(minijinja::context! {
				messages => messages,
				tools => tools,
				add_generation_prompt => add_generation_prompt,
				bos_token => &self.bos_token,
				eos_token => &self.eos_token,
		})
	}
}

/// transformers' `tojson` filter: Python's `json.dumps(value, ensure_ascii=False, indent=indent)`,
/// so `{"a": 1, "b": [1, 2]}` with its spaces (minijinja's own filter writes compact JSON with
/// HTML characters escaped, which would change the prompts tool templates render).
fn tojson(
	value: minijinja::Value,
	kwargs: minijinja::value::Kwargs,
) -> std::result::Result<String, minijinja::Error> {
	let indent: Option<usize> = kwargs.get("indent")?;
	kwargs.assert_all_used()?;
	let mut out = Vec::new();
	let written = match indent {
		Some(indent) => {
			let indent = " ".repeat(indent);
			let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
			value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, formatter))
		},
		None => value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, PythonJson)),
	};
	written.map_err(|e| {
		minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
	})?;
	String::from_utf8(out)
		.map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// JSON with Python's default separators: `", "` between items, `": "` after keys.
struct PythonJson;

impl serde_json::ser::Formatter for PythonJson {
	fn begin_array_value<W: ?Sized + std::io::Write>(
		&mut self,
		writer: &mut W,
		first: bool,
	) -> std::io::Result<()> {
		item_separator(writer, first)
	}

	fn begin_object_key<W: ?Sized + std::io::Write>(
		&mut self,
		writer: &mut W,
		first: bool,
	) -> std::io::Result<()> {
		item_separator(writer, first)
	}

	fn begin_object_value<W: ?Sized + std::io::Write>(
		&mut self,
		writer: &mut W,
	) -> std::io::Result<()> {
		writer.write_all(b": ")
	}
}

/// `", "` before every item but the first.
fn item_separator<W: ?Sized + std::io::Write>(writer: &mut W, first: bool) -> std::io::Result<()> {
	if first {
		Ok(())
	} else {
		writer.write_all(b", ")
	}
}

/// `chat_template` is a string, or a list of named templates of which `default` is the chat one.
fn default_template(value: &serde_json::Value) -> Option<String> {
	match value {
		serde_json::Value::String(source) => Some(source.clone()),
		serde_json::Value::Array(named) => named
			.iter()
			.find(|entry| entry["name"] == "default")
			.and_then(|entry| entry["template"].as_str())
			.map(Into::into),
		_ => None,
	}
}

/// A special token as `tokenizer_config.json` writes it: a string or `{"content": ...}`.
fn special_token(value: &serde_json::Value) -> String {
	value.as_str().or_else(|| value["content"].as_str()).unwrap_or_default().into()
}

#[cfg(test)]
mod tests {
	use super::*;

	const CHATML: &str = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

	/// A template with tools in the Hermes syntax, as the worker's tests serve it.
	const HERMES: &str = "{% if tools %}<|system|>\nTools:\n{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}{% endif %}{% for message in messages %}<|{{ message.role }}|>\n{% if message.tool_calls %}{% for call in message.tool_calls %}<tool_call>\n{\"name\": \"{{ call.function.name }}\", \"arguments\": {{ call.function.arguments | tojson }}}\n</tool_call>\n{% endfor %}{% else %}{{ message.content }}\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

	fn checkpoint(config: serde_json::Value) -> tempfile::TempDir {
		let dir = tempfile::tempdir().unwrap();
		std::fs::write(dir.path().join(TOKENIZER_CONFIG_FILE), config.to_string()).unwrap();
		dir
	}

	#[test]
	fn a_checkpoints_template_renders_as_transformers_renders_it() {
		let dir = checkpoint(serde_json::json!({
			"chat_template": CHATML, "bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
		}));
		let template = ChatTemplate::from_dir(dir.path()).unwrap();
		let prompt = template
			.render(&[Message::new("user", "What is the capital of France?")], true)
			.unwrap();
		// transformers' apply_chat_template(..., add_generation_prompt=True) on SmolLM2-135M-Instruct.
		assert_eq!(
			prompt,
			"<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
		);
		let with_system = template
			.render(&[Message::new("system", "Be brief."), Message::new("user", "Hi")], false)
			.unwrap();
		assert_eq!(
			with_system,
			"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
		);
	}

	#[test]
	fn checkpoints_without_a_template_use_the_plain_one() {
		let dir = checkpoint(serde_json::json!({ "eos_token": { "content": "</s>" } }));
		let template = ChatTemplate::from_dir(dir.path()).unwrap();
		let prompt = template
			.render(&[Message::new("system", "S"), Message::new("user", "U")], true)
			.unwrap();
		assert_eq!(prompt, "<|system|>\nS\n<|user|>\nU\n<|assistant|>\n");
		let empty = tempfile::tempdir().unwrap();
		assert_eq!(
			ChatTemplate::from_dir(empty.path()).unwrap().render(&[], true).unwrap(),
			"<|assistant|>\n"
		);
	}

	#[test]
	fn a_hermes_template_lists_tools_and_renders_calls() {
		let dir = checkpoint(serde_json::json!({ "chat_template": HERMES }));
		let template = ChatTemplate::from_dir(dir.path()).unwrap();
		assert_eq!(template.tool_calls(), Some(ToolCallSyntax::Hermes));
		// Keys in sorted order: the same JSON whether or not serde_json keeps insertion order.
		let tool = serde_json::json!({ "function": { "name": "get_weather" }, "type": "function" });
		let call = ToolCall {
			id: "call_1".into(),
			kind: "function".into(),
			function: FunctionCall {
				name: "get_weather".into(),
				arguments: serde_json::json!({ "city": "Oslo" }),
			},
		};
		let messages = [
			Message::new("user", "Weather?"),
			Message { tool_calls: vec![call], ..Message::new("assistant", "") },
			Message { tool_call_id: Some("call_1".into()), ..Message::new("tool", "18 C") },
		];
		let prompt = template.render_with_tools(&messages, Some(&[tool]), true).unwrap();
		assert_eq!(
			prompt,
			"<|system|>\nTools:\n{\"function\": {\"name\": \"get_weather\"}, \"type\": \"function\"}\n<|user|>\nWeather?\n<|assistant|>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n<|tool|>\n18 C\n<|assistant|>\n"
		);
		assert_eq!(ChatTemplate::plain().tool_calls(), None);
		let chatml = checkpoint(serde_json::json!({ "chat_template": CHATML }));
		assert_eq!(ChatTemplate::from_dir(chatml.path()).unwrap().tool_calls(), None);
	}

	#[test]
	fn templates_that_raise_or_do_not_parse_are_errors() {
		let raising = checkpoint(serde_json::json!({
			"chat_template": "{% if messages[0]['role'] != 'system' %}{{ raise_exception('a system message comes first') }}{% endif %}ok",
		}));
		let error = ChatTemplate::from_dir(raising.path()).unwrap_err();
		assert!(error.to_string().contains("a system message comes first"), "{error}");
		let broken = checkpoint(serde_json::json!({ "chat_template": "{% for %}" }));
		assert!(ChatTemplate::from_dir(broken.path()).is_err());
	}
}
