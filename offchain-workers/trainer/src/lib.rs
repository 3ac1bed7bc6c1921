//! LoRA/QLoRA fine-tuning and base-model pretraining on datanet rows
