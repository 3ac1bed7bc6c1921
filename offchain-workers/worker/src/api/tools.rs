//! Tool calls of chat answers (`tools`, `tool_choice`): the schema a forced call is decoded
//! under, and the calls read back from an answer's text in the template's syntax.

use super::completions::response_id;
use super::responses::{FunctionView, ToolCallView};
use serde_json::{json, Value};
use tributary_model::chat::ToolCallSyntax;

/// How a request's tools shape its answers.
pub struct ToolUse {
	pub syntax: ToolCallSyntax,
	/// The answer is one call, decoded under [`call_schema`] after the syntax's opening.
	pub forced: bool,
	/// The functions that may be called.
	pub names: Vec<String>,
}

/// An answer read for calls: its text without them, and the calls.
pub struct ReadAnswer {
	pub content: Option<String>,
	pub calls: Vec<ToolCallView>,
}

/// JSON Schema of one call of one of `functions` (name, parameters' schema): the name a constant,
/// the arguments valid under the function's parameters.
pub fn call_schema(functions: &[(String, Value)]) -> Value {
	let call = |(name, parameters): &(String, Value)| {
		json!({
			"type": "object",
			"properties": { "name": { "const": name }, "arguments": parameters },
			"required": ["name", "arguments"],
			"additionalProperties": false,
		})
	};
	match functions {
		[function] => call(function),
		functions => json!({ "anyOf": functions.iter().map(call).collect::<Vec<_>>() }),
	}
}

impl ToolUse {
	/// Reads an answer's `text`. A forced call's text is the call's JSON; otherwise each block in
	/// the syntax (`<tool_call>` JSON, closed or ended by the answer) naming a known function with
	/// object arguments is a call, and the text before the first block is the content. Text that
	/// does not read as calls is all content.
	pub fn read(&self, text: &str) -> ReadAnswer {
		let as_content = || ReadAnswer { content: Some(text.to_string()), calls: Vec::new() };
		if self.forced {
			return match self.call(text) {
				Some(call) => ReadAnswer { content: None, calls: vec![call] },
				None => as_content(),
			};
		}
		let (open, close) = (self.syntax.open(), self.syntax.close());
		let Some(first) = text.find(open) else { return as_content() };
		let mut calls = Vec::new();
		for block in text[first..].split(open).skip(1) {
			let body = block.split(close).next().unwrap_or_default();
			match self.call(body) {
				Some(call) => calls.push(call),
				None => return as_content(),
			}
		}
		let before = text[..first].trim();
		ReadAnswer { content: (!before.is_empty()).then(|| before.to_string()), calls }
	}

	/// `{"name": …, "arguments": {…}}` naming a known function, as a call with a fresh id.
	fn call(&self, json_text: &str) -> Option<ToolCallView> {
		let call: Value = serde_json::from_str(json_text.trim()).ok()?;
		let name = call.get("name")?.as_str()?;
		let arguments = call.get("arguments").filter(|arguments| arguments.is_object())?;
		self.names.iter().any(|known| known == name).then(|| ToolCallView {
			index: None,
			id: response_id("call"),
			kind: "function",
			function: FunctionView { name: name.to_string(), arguments: arguments.to_string() },
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn tools(forced: bool) -> ToolUse {
		ToolUse { syntax: ToolCallSyntax::Hermes, forced, names: vec!["get_weather".into()] }
	}

	#[test]
	fn calls_are_read_from_blocks_or_a_forced_json_text() {
		let forced = tools(true).read(r#"{"name": "get_weather", "arguments": {"city": "Oslo"}}"#);
		assert_eq!(forced.content, None);
		assert_eq!(forced.calls[0].function.name, "get_weather");
		assert_eq!(forced.calls[0].function.arguments, r#"{"city":"Oslo"}"#);
		let text = "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}";
		let read = tools(false).read(text);
		assert_eq!(read.content.as_deref(), Some("Let me look."));
		assert_eq!(read.calls.len(), 2);
		assert_ne!(read.calls[0].id, read.calls[1].id);
		// Unknown functions, broken JSON and plain answers are text.
		for text in
			["<tool_call>{\"name\": \"other\", \"arguments\": {}}", "<tool_call>{", "Sunny."]
		{
			let read = tools(false).read(text);
			assert!(read.calls.is_empty() && read.content.as_deref() == Some(text), "{text}");
		}
		assert!(tools(true).read("{\"name\": \"get_weather\"").calls.is_empty());
	}

	#[test]
	fn a_call_schema_fixes_the_name_and_checks_the_arguments() {
		let parameters = json!({ "type": "object" });
		let one = call_schema(&[("f".into(), parameters.clone())]);
		assert_eq!(one["properties"]["name"], json!({ "const": "f" }));
		let two = call_schema(&[("f".into(), parameters.clone()), ("g".into(), parameters)]);
		assert_eq!(two["anyOf"].as_array().unwrap().len(), 2);
	}
}
