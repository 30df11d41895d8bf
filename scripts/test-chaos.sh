#!/usr/bin/env bash
# A 30-second chaos run against the built binaries: three silos on one embedded PostgreSQL, 12 users (three of them
# dropping replies and bursting past their stream limit), anonymous 25 MB admin posts, and at least one of every fault
# (kill -9 and SIGTERM of a silo, an immediate PostgreSQL restart, a PostgreSQL stall). Prints the run's
# tables; its last line is "N passed, N failed, N skipped" (one per invariant), and it exits non-zero on any loss,
# duplicate or other violation. Extra arguments go to the chaos program, e.g. scripts/test-chaos.sh --seed 7.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh
dotnet build bench/Copilot.Chaos -c Release --nologo -v quiet >&2
exec dotnet bench/Copilot.Chaos/bin/Release/net10.0/Copilot.Chaos.dll --duration 30 --users 12 "$@"
