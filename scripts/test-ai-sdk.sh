#!/usr/bin/env bash
# Runs the AI SDK client tests (tests/ai-sdk: the `ai` package's AbstractChat + DefaultChatTransport, as useChat runs
# them) against throwaway copies of the built service (scripts/with-service.sh): chat.test.mjs with the offline model,
# then branches.test.mjs and files.test.mjs, one after the other, with a fake OpenAI-compatible model each serves
# itself (fake-model.mjs) on the same free port. Builds nothing: build first.
# Installs the tests' packages from their lock file when node_modules is missing. The last line printed is
# "N passed, N failed, N skipped"; the exit code is non-zero when any test failed or none ran.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tests="$root/tests/ai-sdk"

if [ ! -d "$tests/node_modules" ]; then
    (cd "$tests" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $tests"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi

# The offline model's chunks come this far apart, so a test can act mid-reply (a reply takes 2 s, and a test acts
# within the 1.6 s after its first text even on a busy machine); the tests wait on events, not time.
export COPILOT_CHUNK_DELAY="${COPILOT_CHUNK_DELAY:-00:00:00.400}"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
(cd "$tests" && "$root/scripts/with-service.sh" node --test --test-reporter=spec chat.test.mjs) 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
fake_model_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
(cd "$tests" && COPILOT_FAKE_MODEL_PORT="$fake_model_port" "$root/scripts/with-service.sh" node --test --test-concurrency=1 --test-reporter=spec branches.test.mjs files.test.mjs) 2>&1 | tee -a "$output"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# Each run ends with its own counts: add them up.
count() { grep -E "^ℹ $1 [0-9]+$" "$output" | awk '{sum += $3} END {print sum + 0}'; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # the service did not start, or the runner failed outside any test
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # no test ran
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
