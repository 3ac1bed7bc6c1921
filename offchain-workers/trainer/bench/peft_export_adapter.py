"""Writes a LoRA adapter with Hugging Face PEFT for a base made by `tributary-trainer pretrain`,
so `tributary-trainer eval --adapter OUT_DIR` can be checked against `peft_load_check.py` on it
(the PEFT → Rust direction of the format round trip).

usage: peft_export_adapter.py BASE_DIR OUT_DIR
"""

import sys

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaForCausalLM


def main() -> None:
    base_dir, out_dir = sys.argv[1:3]
    torch.manual_seed(0)
    base = LlamaForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32)
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        lora_dropout=0.0,
        target_modules=["q_proj", "v_proj", "down_proj"],
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base, config)
    # PEFT starts B at zero; give it values so the adapter changes the output.
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.05)
    model.save_pretrained(out_dir)


if __name__ == "__main__":
    main()
