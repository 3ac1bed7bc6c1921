//! A row's perplexity under the base model: an advisory quality signal (text the model finds
//! very unlikely is often noise, keyboard mashing or another language than the datanet's).

use std::path::PathBuf;

use tch::{Device, Kind};
use tokenizers::Tokenizer;
use tributary_model::hf::{load_model, load_tokenizer};
use tributary_model::model::Llama;
use tributary_trainer::data::{tokenize, Window};
use tributary_trainer::finetune::eval_loss;

/// Tokens of a row scored (its first ones): enough to judge it, bounded in time.
const MAX_SCORED_TOKENS: usize = 512;

/// The base model, loaded on the first row scored (the checker thread owns it).
pub struct PerplexityScorer {
	base_dir: PathBuf,
	loaded: Option<Result<(Llama, Tokenizer), String>>,
}

impl PerplexityScorer {
	pub fn new(base_dir: PathBuf) -> PerplexityScorer {
		PerplexityScorer { base_dir, loaded: None }
	}

	/// `exp` of the mean next-token loss of the row's first tokens (the end-of-text token
	/// included, as the trainer sees rows); `None` for a row of one token, or when the model
	/// cannot be loaded or run (said once on stderr).
	pub fn perplexity(&mut self, text: &str) -> Option<f64> {
		let base_dir = &self.base_dir;
		let loaded = self.loaded.get_or_insert_with(|| {
			let model = load_model(base_dir, Kind::Float, Device::Cpu).map_err(|e| e.to_string());
			let tokenizer = load_tokenizer(base_dir).map_err(|e| e.to_string());
			let loaded = model.and_then(|model| tokenizer.map(|tokenizer| (model, tokenizer)));
			if let Err(error) = &loaded {
				eprintln!(
					"row checks: no perplexity signal, the base model in {} does not load: {error}",
					base_dir.display()
				);
			}
			loaded
		});
		let (model, tokenizer) = loaded.as_ref().ok()?;
		let mut tokens = tokenize(tokenizer, [text]).ok()?;
		let limit = MAX_SCORED_TOKENS.min(model.config.max_position_embeddings as usize + 1);
		tokens.truncate(limit);
		if tokens.len() < 2 {
			return None;
		}
		let (loss, _) = eval_loss(model, &[Window::trained(tokens)], 1).ok()?;
		Some(loss.exp())
	}
}
