//! Chat templates: how a checkpoint turns a conversation into its prompt. Hugging Face keeps the
//! template (Jinja) in `chat_template.jinja` or in `tokenizer_config.json`'s `chat_template`;
//! transformers renders it with Jinja2 (`trim_blocks`, `lstrip_blocks`, `raise_exception`), and so
//! does this module, with minijinja and its Python-compatible string methods. A checkpoint without
//! a template (the project's own pretrained models) uses [`ChatTemplate::plain`].

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
}

impl Message {
	pub fn new(role: &str, content: &str) -> Message {
		Message { role: role.into(), content: content.into() }
	}
}

/// A checkpoint's chat template, compiled once, and the special tokens it may name.
#[derive(Clone, Debug)]
pub struct ChatTemplate {
	environment: minijinja::Environment<'static>,
	bos_token: String,
	eos_token: String,
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
		environment.add_function(
			"raise_exception",
			|message: String| -> std::result::Result<String, minijinja::Error> {
				Err(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message))
			},
		);
		environment.add_template_owned(TEMPLATE, source)?;
		Ok(ChatTemplate { environment, bos_token, eos_token })
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
		self.environment.get_template(TEMPLATE)?.render(minijinja::context! {
				messages => messages,
				add_generation_prompt => add_generation_prompt,
				bos_token => &self.bos_token,
				eos_token => &self.eos_token,
		})
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
