#!/usr/bin/env bash
# Runs every test: the .NET suite (xunit, on a throwaway PostgreSQL it starts itself, or COPILOT_TEST_CONNECTION_STRING),
# and the suites that run the built service: the AI SDK's own chat client (Node), the chat console in headless
# Chromium, and the deployment files in containers (podman: the image, the compose cluster, the Kubernetes manifests),
# one after another beside the .NET suite; then, alone, a 30-second chaos run of three silos under injected faults.
# Each suite's output is shown whole, in that order. The last line is the totals:
# "totals: N passed, N failed, N skipped".
#
#   ./test.sh                                        everything
#   ./test.sh --filter "FullyQualifiedName~Expiry"   only the .NET tests, with these `dotnet test` arguments
set -uo pipefail
cd "$(dirname "$0")"

scripts/ensure-postgres.sh || exit 1
dotnet build Copilot.sln -c Release -warnaserror --nologo -v quiet || { echo "totals: 0 passed, 1 failed, 0 skipped"; exit 1; }

# The run's temporary files (the throwaway server's data directory among them) go in a folder of its own, removed
# at the end: the test host may exit before it can delete them itself. The server runs as the postgres user when
# the tests run as root, so the folder must be traversable.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/copilot-test-run-XXXXXX")
chmod 755 "$run_tmp"
trap '[ -n "${side:-}" ] && kill "$side" 2>/dev/null; rm -rf "$run_tmp"' EXIT

passed=0 failed=0 skipped=0
number() { # number WORD LINE: the N of "N WORD" in LINE, 0 when absent
    local n
    n=$(grep -oE "[0-9]+ $1" <<<"$2" | tail -n 1 | grep -oE '^[0-9]+')
    echo "${n:-0}"
}

count() { # adds a suite's "N passed, N failed[, N skipped]" line to the totals; a suite without one counts as failed
    local line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$2: no result line" >&2
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(number passed "$line")))
    failed=$((failed + $(number failed "$line")))
    skipped=$((skipped + $(number skipped "$line")))
}

suite() { # suite NAME COMMAND...: runs one suite, shows its output, and counts its result line
    local name=$1 log="$run_tmp/$1.log" status started=$SECONDS
    shift
    echo "==> $name"
    "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    echo "--> $name: $((SECONDS - started)) s"
    count "$log" "$name"
    if [ "$status" -ne 0 ] && ! grep -qE '[1-9][0-9]* failed' "$log"; then
        failed=$((failed + 1)) # exited non-zero without saying what failed
    fi
}

shown() { # shown NAME: prints the output of a suite that ran in the background, and ends with its exit code
    cat "$run_tmp/$1.out"
    return "$(cat "$run_tmp/$1.status" 2>/dev/null || echo 1)"
}

dotnet_suite() {
    TMPDIR="$run_tmp" dotnet test Copilot.Tests -c Release --no-build --nologo "$@" | tee "$run_tmp/dotnet-raw.log"
    local status=${PIPESTATUS[0]} summary
    summary=$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$run_tmp/dotnet-raw.log" | tail -n 1)
    [ -n "$summary" ] || return 1
    echo "dotnet: $(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary") passed, $(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary") failed, $(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary") skipped"
    return "$status"
}

side_names="ai-sdk console containers" # the suites that mostly wait (on a model's chunk delay, a browser, containers)
side_suites() { # runs them one after another
    local name started
    for name in $side_names; do
        started=$SECONDS
        "scripts/test-$name.sh" >"$run_tmp/$name.out" 2>&1
        echo $? >"$run_tmp/$name.status"
        echo "--> $name ran beside the .NET tests: $((SECONDS - started)) s" >>"$run_tmp/$name.out"
    done
}

if [ $# -eq 0 ]; then
    # The .NET tests keep the cores busy only part of the time, and the waiting suites hardly at all: they run side by
    # side, the waiting suites' output shown once each is done. The chaos run, which loads both cores, runs alone last.
    side_suites &
    side=$!
    suite dotnet dotnet_suite
    wait "$side"
    side=""
    for name in $side_names; do
        suite "$name" shown "$name"
    done
    suite chaos scripts/test-chaos.sh
else
    suite dotnet dotnet_suite "$@"
fi

echo "totals: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
