//! Llama-architecture decoder with LoRA/QLoRA layers, in tch
