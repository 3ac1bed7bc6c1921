"""The Hugging Face side of tests/hf_interop.rs: tiny random checkpoints of every family the crate
runs, written by transformers with what transformers computes on them, and the logits PEFT computes
with adapters trained by the crate.

usage: hf_reference.py checkpoints ROOT   writes ROOT/<family>/ (config.json, model.safetensors,
                                          reference.safetensors: input_ids, logits, greedy)
       hf_reference.py peft ROOT          for every adapter directory ROOT/<family>/adapter*/,
                                          writes ROOT/<family>/peft-<adapter>.safetensors: logits
                                          on input_ids

Weights are redrawn with a spread (biases and norms included) so that every tensor matters and
greedy choices are not near-ties; attention is transformers' eager reference implementation.
"""

import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, GemmaConfig, LlamaConfig, MistralConfig, Qwen2Config
from transformers.utils import logging

logging.disable_progress_bar()

SIZES = dict(
    vocab_size=101,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    rms_norm_eps=1e-5,
)
# Longer than the sliding windows below, so the windows hide keys in prefill and decoding.
SEQUENCE = 20
PROMPT = 8


def families():
    return {
        # Llama 3.x: llama3 RoPE scaling whose wavelength bands all occur at head_dim 8.
        "llama3": LlamaConfig(
            **SIZES,
            rope_parameters=dict(
                rope_type="llama3",
                rope_theta=500000.0,
                factor=8.0,
                low_freq_factor=1.0,
                high_freq_factor=4.0,
                original_max_position_embeddings=64,
            ),
        ),
        # SmolLM2: Llama with tied embeddings and rope_theta 100000.
        "smollm": LlamaConfig(
            **SIZES,
            tie_word_embeddings=True,
            rope_parameters=dict(rope_type="default", rope_theta=100000.0),
        ),
        # Llama's bias switches and linear RoPE scaling.
        "llama-bias": LlamaConfig(
            **SIZES,
            attention_bias=True,
            mlp_bias=True,
            rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0),
        ),
        # Qwen2.5: q/k/v biases, tied embeddings; the sliding window in layers from 1 on.
        "qwen2": Qwen2Config(
            **SIZES,
            tie_word_embeddings=True,
            use_sliding_window=True,
            sliding_window=6,
            max_window_layers=1,
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
        ),
        # Mistral: sliding window in every layer, head_dim apart from hidden_size / heads.
        "mistral": MistralConfig(**SIZES, sliding_window=6, head_dim=16),
        # Gemma: tanh GELU, norms scaled by 1 + w, embeddings by √hidden, tied embeddings.
        "gemma": GemmaConfig(**SIZES, head_dim=8, hidden_act="gelu_pytorch_tanh"),
    }


def load(path, **kwargs):
    model = AutoModelForCausalLM.from_pretrained(
        path, dtype=torch.float32, attn_implementation="eager", **kwargs
    )
    return model.eval()


@torch.no_grad()
def checkpoints(root: Path) -> None:
    for seed, (family, config) in enumerate(families().items()):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(
            config, dtype=torch.float32, attn_implementation="eager"
        ).eval()
        for name, parameter in model.named_parameters():
            if name.endswith("norm.weight"):
                parameter.copy_(1.0 + 0.1 * torch.randn_like(parameter))
            else:
                parameter.copy_(0.3 * torch.randn_like(parameter))
        directory = root / family
        model.save_pretrained(directory)
        # Reloaded as any user would, so the reference is computed from the files the crate reads.
        model = load(directory)
        input_ids = torch.randint(0, SIZES["vocab_size"], (2, SEQUENCE))
        logits = model(input_ids).logits
        greedy = input_ids[:1, :PROMPT]
        while greedy.shape[1] < SEQUENCE:
            following = model(greedy).logits[:, -1].argmax(-1, keepdim=True)
            greedy = torch.cat([greedy, following], dim=1)
        save_file(
            {"input_ids": input_ids, "logits": logits.contiguous(), "greedy": greedy},
            directory / "reference.safetensors",
        )
        print(f"{family}: {type(model).__name__} written")


@torch.no_grad()
def peft(root: Path) -> None:
    from peft import PeftModel

    for adapter in sorted(root.glob("*/adapter*")):
        directory = adapter.parent
        model = PeftModel.from_pretrained(load(directory), adapter).eval()
        input_ids = load_file(directory / "reference.safetensors")["input_ids"]
        logits = model(input_ids).logits
        save_file({"logits": logits.contiguous()}, directory / f"peft-{adapter.name}.safetensors")
        print(f"{directory.name}/{adapter.name}: scored by PEFT")


if __name__ == "__main__":
    command, root = sys.argv[1], Path(sys.argv[2])
    {"checkpoints": checkpoints, "peft": peft}[command](root)
