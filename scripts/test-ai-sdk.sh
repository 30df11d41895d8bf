#!/usr/bin/env bash
# Runs the AI SDK client tests (tests/ai-sdk: the `ai` package's AbstractChat + DefaultChatTransport, as useChat runs
# them) against a throwaway copy of the built service (scripts/with-service.sh). Builds nothing: build first.
# Installs the tests' packages from their lock file when node_modules is missing. The last line printed is
# "N passed, N failed, N skipped"; the exit code is non-zero when any test failed or none ran.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tests="$root/tests/ai-sdk"

if [ ! -d "$tests/node_modules" ]; then
    (cd "$tests" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $tests"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi

# The offline model's chunks come this far apart, so a test can act mid-reply; the tests wait on events, not time.
export COPILOT_CHUNK_DELAY="${COPILOT_CHUNK_DELAY:-00:00:00.250}"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
(cd "$tests" && "$root/scripts/with-service.sh" node --test --test-reporter=spec) 2>&1 | tee "$output"
status=${PIPESTATUS[0]}

count() { grep -E "^ℹ $1 [0-9]+$" "$output" | tail -1 | awk '{print $3}'; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # the service did not start, or the runner failed outside any test
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # no test ran
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
