"""Checks that an adapter written by `tributary-trainer train` loads in Hugging Face PEFT and
computes the same eval loss there as `tributary-trainer eval` computes in Rust.

usage: peft_load_check.py BASE_DIR ADAPTER_DIR STORE_DIR ROWS_FILE SEQ_LEN

Rows are read like the trainer reads them: unique hashes in ascending order, each row's text
followed by the end-of-text token, the stream cut into windows of SEQ_LEN + 1 tokens that overlap
by one. Prints JSON with the PEFT-side loss; compare it with the `eval` command's.
"""

import hashlib
import json
import sys
from pathlib import Path

import torch
from peft import PeftModel
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import LlamaForCausalLM


def main() -> None:
    base_dir, adapter_dir, store_dir, rows_file, seq_len = sys.argv[1:6]
    seq_len = int(seq_len)
    hashes = sorted({line.strip() for line in Path(rows_file).read_text().splitlines() if line.strip()})
    texts = []
    for h in hashes:
        data = (Path(store_dir) / h).read_bytes()
        assert hashlib.blake2b(data, digest_size=32).hexdigest() == h, f"row {h} does not match its hash"
        texts.append(data.decode("utf-8"))

    tokenizer = Tokenizer.from_file(str(Path(base_dir) / "tokenizer.json"))
    eos = tokenizer.token_to_id("<|endoftext|>")
    stream = []
    for text in texts:
        stream.extend(tokenizer.encode(text, add_special_tokens=False).ids)
        if eos is not None:
            stream.append(eos)
    window = seq_len + 1
    if len(stream) < window:
        windows = [stream]
    else:
        windows = [stream[i * seq_len : i * seq_len + window] for i in range((len(stream) - window) // seq_len + 1)]

    base = LlamaForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32)
    model = PeftModel.from_pretrained(base, adapter_dir)
    model.eval()
    file_tensors = load_file(str(Path(adapter_dir) / "adapter_model.safetensors"))
    loaded = {
        name.replace(".default", ""): p.detach()
        for name, p in model.named_parameters()
        if "lora_" in name
    }
    assert set(loaded) == set(file_tensors), "PEFT loaded different LoRA tensors than the file holds"
    for name, tensor in file_tensors.items():
        assert torch.equal(loaded[name], tensor), f"{name} differs after loading"

    total, tokens = 0.0, 0
    with torch.no_grad():
        for w in windows:
            ids = torch.tensor([w])
            logits = model(input_ids=ids[:, :-1]).logits
            total += torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="sum"
            ).item()
            tokens += ids.shape[1] - 1
    print(json.dumps({"lora_tensors": len(file_tensors), "tokens": tokens, "loss": total / tokens}))


if __name__ == "__main__":
    main()
