#!/usr/bin/env bash
# Runs the chat console's end-to-end tests (tests/console-e2e) in headless Chromium against the service, started on a
# throwaway PostgreSQL with the offline model streaming slowly enough to catch a reply mid-way. Installs Debian's
# chromium and the test project's packages (from its lock file) when they are missing. Screenshots are kept in
# $CONSOLE_E2E_ARTIFACTS (default: $TMPDIR/copilot-console-e2e). The last line is "N passed, N failed, N skipped".
# Arguments go to `node --test`, e.g. scripts/test-console.sh --test-name-pattern=Stop; CONSOLE_E2E_TESTS names the
# test files to run instead of the whole folder, e.g. CONSOLE_E2E_TESTS=tests/console-e2e/photos.test.mjs
set -uo pipefail
cd "$(dirname "$0")/.."

fail() {
    echo "$1" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
}

if ! command -v chromium >/dev/null 2>&1; then
    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >&2 || fail "could not install chromium"
fi
scripts/ensure-postgres.sh >&2 || fail "could not install PostgreSQL"
if [ ! -d tests/console-e2e/node_modules ]; then
    (cd tests/console-e2e && npm ci --no-audit --no-fund) >&2 || fail "npm ci failed in tests/console-e2e"
fi
dotnet build Copilot.Silo -c Release --nologo -v quiet >&2 || fail "the service did not build"

run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/copilot-console-run-XXXXXX")
chmod 755 "$run_tmp"   # the throwaway PostgreSQL runs as the postgres user when we are root
artifacts="${CONSOLE_E2E_ARTIFACTS:-${TMPDIR:-/tmp}/copilot-console-e2e}"
mkdir -p "$artifacts"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
silo_dll=Copilot.Silo/bin/Release/net10.0/Copilot.Silo.dll
export Copilot__Database__LocalDataDirectory="$run_tmp/postgres"
export Copilot__Auth__DevelopmentKeyPath="$run_tmp/dev-signing-key"
export Copilot__Cluster__SiloPort=$(free_port) Copilot__Cluster__GatewayPort=$(free_port)
export Copilot__ChatModel__OfflineChunkDelay=00:00:00.600
# The paging test fills a user's conversations through the API many at once, faster than a person types.
export Copilot__RateLimits__ConcurrentStreams=64 Copilot__RateLimits__SendsPerMinute=600
export ASPNETCORE_URLS="http://127.0.0.1:$http_port"
unset ConnectionStrings__Copilot

dotnet "$silo_dll" > "$run_tmp/service.log" 2>&1 &
service_pid=$!
stop_service() {
    kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
    rm -rf "$run_tmp"
}
trap stop_service EXIT

link=""
for _ in $(seq 1 240); do
    link=$(grep -o 'http://[^ ]*/#token=[^ ]*' "$run_tmp/service.log" | head -n 1)
    [ -n "$link" ] && break
    kill -0 "$service_pid" 2>/dev/null || { cat "$run_tmp/service.log" >&2; fail "the service exited before it was ready"; }
    sleep 0.5
done
[ -n "$link" ] || { cat "$run_tmp/service.log" >&2; fail "the service printed no console link within 120 s"; }
second_token=$(dotnet "$silo_dll" token 5ec0d000-0000-4000-8000-000000000002) || fail "could not issue a second user's token"
paging_token=$(dotnet "$silo_dll" token 5ec0d000-0000-4000-8000-000000000003) || fail "could not issue a third user's token"

results="$run_tmp/results.tap"
CONSOLE_LINK="$link" CONSOLE_SECOND_TOKEN="$second_token" CONSOLE_PAGING_TOKEN="$paging_token" CONSOLE_E2E_ARTIFACTS="$artifacts" \
    node --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$results" \
        "$@" ${CONSOLE_E2E_TESTS:-tests/console-e2e/}
status=$?

count() { grep -E "^# $1 [0-9]+$" "$results" | tail -n 1 | awk '{print $3}'; }
passed=$(count pass); failed=$(count fail); cancelled=$(count cancelled); skipped=$(count skipped); todo=$(count todo)
passed=${passed:-0}
failed=$((${failed:-0} + ${cancelled:-0}))
skipped=$((${skipped:-0} + ${todo:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    echo "Service log (last 40 lines):" >&2
    tail -n 40 "$run_tmp/service.log" >&2
fi
echo "Screenshots: $artifacts"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
