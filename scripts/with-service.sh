#!/usr/bin/env bash
# Runs a command against a throwaway copy of the built service, then stops it and removes everything it stored.
#
#   scripts/with-service.sh <command...>
#
# Builds nothing: it starts Copilot.Silo/bin/Release/net10.0/Copilot.Silo.dll (build it first) on free ports, with its
# embedded PostgreSQL in a temporary directory, Jwt auth with a freshly generated HS256 secret, and the offline chat
# model streaming its chunks COPILOT_CHUNK_DELAY apart (default 00:00:00.150), and waits for /healthz. With
# COPILOT_FAKE_MODEL_PORT set, the chat model is instead an OpenAI-compatible server the command itself serves on
# 127.0.0.1 at that port (called only once the command sends chats; no retries, so a failure it answers is a failed
# reply). The command gets, in its environment:
#   COPILOT_BASE_URL      e.g. http://127.0.0.1:41234
#   COPILOT_JWT_SECRET    the HS256 secret; mint tokens with sub = a user UUID, aud = COPILOT_JWT_AUDIENCE, iss = COPILOT_JWT_ISSUER
#   COPILOT_JWT_ISSUER, COPILOT_JWT_AUDIENCE
#   COPILOT_SERVICE_LOG   the service's log file (it is removed afterwards: copy what you need)
# Exits with the command's exit code (1 if the service did not start).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/with-service.sh <command...>" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
silo_dll="$root/Copilot.Silo/bin/Release/net10.0/Copilot.Silo.dll"
[ -f "$silo_dll" ] || { echo "$silo_dll not found: build first (dotnet build Copilot.sln -c Release)" >&2; exit 1; }
"$root/scripts/ensure-postgres.sh"

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
    fi
}

# The embedded server runs as the postgres user when we are root, so the directory must be traversable.
work=$(mktemp -d "${TMPDIR:-/tmp}/copilot-service-XXXXXX")
chmod 755 "$work"
service_pid=""
cleanup() {
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

http_port=$(free_port)
export COPILOT_BASE_URL="http://127.0.0.1:$http_port"
export COPILOT_JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export COPILOT_JWT_ISSUER="https://copilot-tests.invalid/auth/v1"
export COPILOT_JWT_AUDIENCE="authenticated"
export COPILOT_SERVICE_LOG="$work/service.log"

(
    unset ConnectionStrings__Copilot
    export ASPNETCORE_URLS="$COPILOT_BASE_URL"
    export Copilot__Database__LocalDataDirectory="$work/postgres"
    export Copilot__Cluster__ClusterId="with-service-$http_port"
    export Copilot__Cluster__ServiceId="with-service-$http_port"
    export Copilot__Cluster__SiloPort="$(free_port)"
    export Copilot__Cluster__GatewayPort="$(free_port)"
    export Copilot__Auth__Mode=Jwt
    export Copilot__Auth__JwtSecret="$COPILOT_JWT_SECRET"
    export Copilot__Auth__Issuer="$COPILOT_JWT_ISSUER"
    export Copilot__Auth__Audience="$COPILOT_JWT_AUDIENCE"
    if [ -n "${COPILOT_FAKE_MODEL_PORT:-}" ]; then
        export Copilot__ChatModel__Provider=OpenAI
        export Copilot__ChatModel__Endpoint="http://127.0.0.1:$COPILOT_FAKE_MODEL_PORT/v1"
        export Copilot__ChatModel__ApiKey=fake-model-key
        export Copilot__ChatModel__Model=fake-model
        export Copilot__ChatModel__MaxRetries=0
    else
        export Copilot__ChatModel__Provider=Offline
        export Copilot__ChatModel__OfflineChunkDelay="${COPILOT_CHUNK_DELAY:-00:00:00.150}"
    fi
    exec dotnet "$silo_dll"
) > "$COPILOT_SERVICE_LOG" 2>&1 &
service_pid=$!

for _ in $(seq 1 240); do
    curl -sf "$COPILOT_BASE_URL/healthz" >/dev/null 2>&1 && break
    if ! kill -0 "$service_pid" 2>/dev/null; then
        echo "the service exited before it was ready; its log:" >&2
        cat "$COPILOT_SERVICE_LOG" >&2
        exit 1
    fi
    sleep 0.5
done
curl -sf "$COPILOT_BASE_URL/healthz" >/dev/null 2>&1 || { echo "the service was not ready within 120 s; its log:" >&2; cat "$COPILOT_SERVICE_LOG" >&2; exit 1; }

set +e
"$@"
status=$?
set -e
exit "$status"
