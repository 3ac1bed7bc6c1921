"""The train step of `cargo bench -p tributary-trainer --bench train_step`, in PyTorch + PEFT.

One long-lived process, driven over stdin/stdout so that the benchmark can interleave its rounds
with the tch side's: at start it builds a randomly initialised LlamaForCausalLM of the given
shape once per variant, wraps each with a PEFT LoRA config (same rank, alpha, dropout, all seven
projections), and prints one JSON line {"ready": true, "variants": [...], "missing": {...},
"threads": n}. Then each input line "VARIANT N" runs N train steps (forward + backward + clip +
AdamW, on a fixed random batch) of that variant and prints {"variant": ..., "ms": [per step]};
"quit" or end of input ends it.

Variants: lora, rslora (use_rslora=True), dora (use_dora=True), and, when bitsandbytes is
importable, qlora-nf4 and qlora-int8 (the base loaded through BitsAndBytesConfig, as a QLoRA user
does); otherwise "missing" says why they are absent. Only JSON goes to stdout; library chatter
goes to stderr.
"""

import argparse
import json
import sys
import tempfile
import time
import warnings

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.utils import logging as hf_logging

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    for name in ["vocab", "hidden", "intermediate", "layers", "heads", "kv-heads", "head-dim"]:
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--rope-theta", type=float, required=True)
    parser.add_argument("--rms-eps", type=float, required=True)
    parser.add_argument("--rank", type=int, required=True)
    parser.add_argument("--alpha", type=float, required=True)
    parser.add_argument("--dropout", type=float, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--seq", type=int, required=True)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    return parser.parse_args()


def model_config(args: argparse.Namespace) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads,
        head_dim=args.head_dim,
        rope_theta=args.rope_theta,
        rms_norm_eps=args.rms_eps,
        max_position_embeddings=max(1024, args.seq),
        tie_word_embeddings=True,
        attn_implementation="sdpa",
    )


class Trainer:
    """One PEFT-wrapped model with its optimizer and a fixed batch."""

    def __init__(self, model, args: argparse.Namespace, device: torch.device, **lora_options) -> None:
        lora = LoraConfig(
            r=args.rank,
            lora_alpha=args.alpha,
            lora_dropout=args.dropout,
            target_modules=TARGETS,
            bias="none",
            task_type="CAUSAL_LM",
            **lora_options,
        )
        self.model = get_peft_model(model, lora).to(device)
        self.model.train()
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.params, lr=1e-3, weight_decay=0.0)
        batch = torch.randint(0, args.vocab, (args.batch, args.seq + 1)).to(device)
        self.inputs, self.targets = batch[:, :-1], batch[:, 1:]
        self.vocab = args.vocab
        self.device = device

    def step(self) -> None:
        logits = self.model(input_ids=self.inputs).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, self.vocab), self.targets.reshape(-1))
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()

    def timed_steps(self, n: int) -> list:
        """Milliseconds of each of n steps, waiting for a GPU's queued kernels after each."""
        times = []
        for _ in range(n):
            started = time.perf_counter()
            self.step()
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)
            times.append((time.perf_counter() - started) * 1e3)
        return times


def quantized_trainers(args: argparse.Namespace, config: LlamaConfig, device: torch.device) -> dict:
    """QLoRA NF4 and int8 through bitsandbytes, which quantizes only at `from_pretrained`: the
    random base model is saved to a temporary folder and loaded back quantized."""
    from transformers import BitsAndBytesConfig

    quant_configs = {
        "qlora-nf4": BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32
        ),
        "qlora-int8": BitsAndBytesConfig(load_in_8bit=True),
    }
    trainers = {}
    with tempfile.TemporaryDirectory() as folder:
        torch.manual_seed(0)
        LlamaForCausalLM(config).save_pretrained(folder)
        for name, quant in quant_configs.items():
            model = LlamaForCausalLM.from_pretrained(
                folder, quantization_config=quant, device_map={"": device}, dtype=torch.float32
            )
            trainers[name] = Trainer(model, args, device)
    return trainers


def main() -> None:
    args = parse_args()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    # bitsandbytes' int8 matmul warns on every call that it casts fp32 inputs to fp16, and PEFT
    # calls a transformers API that warns of its renaming.
    warnings.filterwarnings("ignore", message="MatMul8bitLt")
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    config = model_config(args)
    trainers = {}
    for name, options in [("lora", {}), ("rslora", {"use_rslora": True}), ("dora", {"use_dora": True})]:
        torch.manual_seed(0)
        trainers[name] = Trainer(LlamaForCausalLM(config), args, device, **options)
    missing = {}
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as e:
        missing = {name: f"bitsandbytes not importable ({e})" for name in ["qlora-nf4", "qlora-int8"]}
    else:
        trainers.update(quantized_trainers(args, config, device))
    ready = {"ready": True, "variants": list(trainers), "missing": missing, "threads": torch.get_num_threads()}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        name, steps = words[0], int(words[1])
        print(json.dumps({"variant": name, "ms": trainers[name].timed_steps(steps)}), flush=True)


if __name__ == "__main__":
    main()
