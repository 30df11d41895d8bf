#!/usr/bin/env bash
# Runs every test. Each run starts its own throwaway PostgreSQL server (or uses COPILOT_TEST_CONNECTION_STRING).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Expiry".
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-postgres.sh
dotnet build Copilot.sln -c Release -warnaserror --nologo -v quiet

# The run's temporary files (the throwaway server's data directory among them) go in a folder of its own, removed
# at the end: the test host may exit before it can delete them itself. The server runs as the postgres user when
# the tests run as root, so the folder must be traversable.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/copilot-test-run-XXXXXX")
chmod 755 "$run_tmp"
trap 'rm -rf "$run_tmp"' EXIT
TMPDIR="$run_tmp" dotnet test Copilot.Tests -c Release --no-build --nologo "$@"
