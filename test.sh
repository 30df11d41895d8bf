#!/usr/bin/env bash
# Runs every test. Each run starts its own throwaway PostgreSQL server (or uses COPILOT_TEST_CONNECTION_STRING).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Expiry".
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-postgres.sh
dotnet build Copilot.sln -c Release -warnaserror --nologo -v quiet
dotnet test Copilot.Tests -c Release --no-build --nologo "$@"
