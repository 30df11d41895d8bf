#!/usr/bin/env bash
# Runs the service on its embedded defaults: a private PostgreSQL under .data/postgres, the offline chat model,
# development tokens, HTTP on http://127.0.0.1:5000 (override with --urls or ASPNETCORE_URLS).
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-postgres.sh
dotnet build Copilot.Silo -c Release --nologo -v quiet

export Copilot__Database__LocalDataDirectory="${Copilot__Database__LocalDataDirectory:-$PWD/.data/postgres}"
export Copilot__Auth__DevelopmentKeyPath="${Copilot__Auth__DevelopmentKeyPath:-$PWD/.data/dev-signing-key}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5000}"
exec dotnet Copilot.Silo/bin/Release/net10.0/Copilot.Silo.dll "$@"
