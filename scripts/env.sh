# Sourced by the other scripts: one place for the build environment.
# - a persistent target dir outside the checkout, shared by every build, test and CI run;
# - libtorch from the project venv for the tch-based worker crates.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
export LIBTORCH_USE_PYTORCH=1
export PATH="$root/.venv/bin:$PATH"
torch_lib="$root/.venv/lib/python3.11/site-packages/torch/lib"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Creates venv $1 holding torch==$2 from PyPI. The CUDA wheels take about 5 GB installed and pip
# holds the 4.7 GB of downloads beside them until it is done, so it stops first with the numbers
# when the disk cannot take both; no pip cache, which would keep a third copy.
create_torch_venv() {
  local venv=$1 version=$2 need_gb=11 free_gb
  free_gb=$(df --output=avail -BG "$(dirname "$venv")" | tail -n 1 | tr -dc 0-9)
  if [ "$free_gb" -lt "$need_gb" ]; then
    echo "error: creating $venv with torch==$version needs about $need_gb GB free on its disk; $free_gb GB are" >&2
    return 1
  fi
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir "torch==$version"
}
