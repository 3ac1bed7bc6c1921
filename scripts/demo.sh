#!/usr/bin/env bash
# The whole Tributary flow, narrated step by step on a fresh pair of validators with their worker
# sidecars (all on 127.0.0.1, all real processes): datanet rows -> fine-tune job trained and
# verified by the off-chain workers (with a sidecar crash in the middle) -> an attributed answer
# through the OpenAI API -> the user's signed receipt on chain -> final record -> claims that match
# the fee split. It is node/tests/end_to_end.rs with its narration shown; about 3 minutes once built.
# Then the real instruct base model, SmolLM2-135M-Instruct, on one sidecar: fine-tuned on the
# planted facts of scripts/demo/planted-facts.txt, it answers what the base model cannot, and the
# answer's attribution names the rows that planted the fact (offchain-workers/worker/tests/
# instruct_model.rs; about 3 minutes). Last, the same on chain and in the AI Studio: a
# two-validator network serving SmolLM2-135M-Instruct as base model 0; in headless chromium a
# datanet of the planted facts is created, uploaded, approved and published, the validators
# fine-tune and verify it, the answer's span attribution names the planted rows, the receipt is
# signed and its record finalizes, the contributor claims (scripts/studio-e2e.sh; about 10 minutes;
# screenshots in .data/studio-e2e/screenshots/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
echo "[demo] building (the first build takes 40-60 minutes on 2 cores)"
cargo test --workspace --locked --no-run 2>/dev/null
cargo test --workspace --locked --test end_to_end -- --nocapture 2>/dev/null
echo "[demo] SmolLM2-135M-Instruct learns planted facts, and attribution names their rows"
cargo test --workspace --locked --test instruct_model -- --nocapture 2>/dev/null | grep '^\[demo\]'
echo "[demo] The AI Studio on SmolLM2-135M-Instruct: fine-tuned by the validators through the chain, answers attributed to the planted rows"
TRIBUTARY_DEV_SKIP_BUILD=1 TRIBUTARY_E2E_BASE_MODEL=smollm2 EPOCHS=48 ATTRIBUTION_METHOD=suffix_span \
	scripts/studio-e2e.sh
