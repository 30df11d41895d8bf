#!/usr/bin/env bash
# Runs the service on its embedded defaults: a private PostgreSQL under .data/postgres, the offline chat model,
# development tokens, HTTP on http://127.0.0.1:5000 (override with --urls or ASPNETCORE_URLS).
#
#   ./run.sh                 one silo
#   ./run.sh --silos 3       a local cluster of 3 silos on one shared PostgreSQL: HTTP on ports 5000, 5001, 5002
#                            (consecutive from COPILOT_HTTP_PORT, default 5000); Ctrl-C stops them all
set -euo pipefail
cd "$(dirname "$0")"

silos=1
if [ "${1:-}" = "--silos" ]; then
    silos="${2:?usage: ./run.sh --silos N}"
    shift 2
    [[ "$silos" =~ ^[1-9][0-9]*$ ]] || { echo "--silos takes a positive whole number" >&2; exit 2; }
fi

scripts/ensure-postgres.sh
dotnet build Copilot.Silo -c Release --nologo -v quiet

silo_dll=Copilot.Silo/bin/Release/net10.0/Copilot.Silo.dll
# The service's appsettings.json is read from its content root: the build output, not this folder.
export ASPNETCORE_CONTENTROOT="${ASPNETCORE_CONTENTROOT:-$PWD/Copilot.Silo/bin/Release/net10.0}"
export Copilot__Database__LocalDataDirectory="${Copilot__Database__LocalDataDirectory:-$PWD/.data/postgres}"
export Copilot__Auth__DevelopmentKeyPath="${Copilot__Auth__DevelopmentKeyPath:-$PWD/.data/dev-signing-key}"

if [ "$silos" -eq 1 ]; then
    export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:${COPILOT_HTTP_PORT:-5000}}"
    exec dotnet "$silo_dll" "$@"
fi

# A local cluster: one shared PostgreSQL, then N silos with their own silo, gateway and HTTP ports.
logs="$PWD/.data/logs"
mkdir -p "$logs"
pids=()
postgres_pid=""
stop_all() {
    trap - INT TERM EXIT
    echo
    echo "Stopping ${#pids[@]} silo(s)..."
    [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    if [ -n "$postgres_pid" ]; then
        kill -TERM "$postgres_pid" 2>/dev/null || true
        wait "$postgres_pid" 2>/dev/null || true
    fi
}
trap stop_all INT TERM EXIT

unset ConnectionStrings__Copilot
# The silos get the shared server's connection string, so they must be told that this is a local trial.
export Copilot__Auth__Mode="${Copilot__Auth__Mode:-Development}"
dotnet "$silo_dll" postgres > "$logs/postgres.log" 2>&1 &
postgres_pid=$!
for _ in $(seq 1 120); do
    grep -q '^ConnectionStrings__Copilot=' "$logs/postgres.log" 2>/dev/null && break
    kill -0 "$postgres_pid" 2>/dev/null || { cat "$logs/postgres.log" >&2; exit 1; }
    sleep 0.5
done
export ConnectionStrings__Copilot="$(grep -m1 '^ConnectionStrings__Copilot=' "$logs/postgres.log" | cut -d= -f2-)"
[ -n "$ConnectionStrings__Copilot" ] || { echo "the embedded PostgreSQL did not start; see $logs/postgres.log" >&2; exit 1; }

http_base="${COPILOT_HTTP_PORT:-5000}"
silo_base="${Copilot__Cluster__SiloPort:-11111}"
gateway_base="${Copilot__Cluster__GatewayPort:-30000}"
for i in $(seq 0 $((silos - 1))); do
    Copilot__Cluster__SiloPort=$((silo_base + i)) \
    Copilot__Cluster__GatewayPort=$((gateway_base + i)) \
    ASPNETCORE_URLS="http://127.0.0.1:$((http_base + i))" \
        dotnet "$silo_dll" "$@" > "$logs/silo-$i.log" 2>&1 &
    pids+=($!)
done

for i in $(seq 0 $((silos - 1))); do
    url="http://127.0.0.1:$((http_base + i))"
    for _ in $(seq 1 120); do
        curl -sf "$url/healthz" >/dev/null 2>&1 && break
        kill -0 "${pids[$i]}" 2>/dev/null || { echo "silo $i exited; see $logs/silo-$i.log" >&2; exit 1; }
        sleep 0.5
    done
done

echo
echo "Local cluster of $silos silos on one PostgreSQL (logs in $logs):"
for i in $(seq 0 $((silos - 1))); do
    echo "  silo $i: http://127.0.0.1:$((http_base + i))   (silo port $((silo_base + i)), gateway $((gateway_base + i)))"
done
grep -m1 -A8 'Development auth' "$logs/silo-0.log" || true
echo "Any silo answers any request. Ctrl-C stops the cluster."
wait "${pids[@]}"
