# Sourced by the other scripts: one place for the build environment.
# - a persistent target dir outside the checkout, shared by every build, test and CI run;
# - libtorch from the project venv for the tch-based worker crates.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
export LIBTORCH_USE_PYTORCH=1
export PATH="$root/.venv/bin:$PATH"
torch_lib="$root/.venv/lib/python3.11/site-packages/torch/lib"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
