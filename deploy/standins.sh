#!/usr/bin/env bash
# Builds local stand-ins of the PostgreSQL and HAProxy images that deploy/compose.yaml defaults to, on a Debian bookworm
# base image and from Debian's packages: for a machine that reaches Debian's mirror but no container registry (the
# tests). Same paths, variables and entrypoints as the official images. Prints the two lines to give compose:
#
#   deploy/standins.sh --base IMAGE
#   POSTGRES_IMAGE=localhost/copilot-standin-postgres:15
#   PROXY_IMAGE=localhost/copilot-standin-haproxy:2.6
#
# With podman or docker, whichever is there (CONTAINER_ENGINE=docker|podman to choose).
set -euo pipefail
cd "$(dirname "$0")"

base=""
if [ "${1:-}" = --base ] && [ -n "${2:-}" ]; then
    base="$2"
else
    echo "usage: deploy/standins.sh --base IMAGE   (a Debian bookworm image with apt)" >&2
    exit 2
fi

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
    if command -v podman >/dev/null 2>&1; then engine=podman
    elif command -v docker >/dev/null 2>&1; then engine=docker
    else echo "Neither podman nor docker was found: install one (Debian: apt-get install podman)." >&2; exit 1
    fi
fi
format=()
[ "$engine" = podman ] && format=(--format docker)

postgres=localhost/copilot-standin-postgres:15
proxy=localhost/copilot-standin-haproxy:2.6
"$engine" build "${format[@]}" --build-arg "BASE_IMAGE=$base" -t "$postgres" standins/postgres >&2 &
postgres_build=$!
"$engine" build "${format[@]}" --build-arg "BASE_IMAGE=$base" -t "$proxy" standins/haproxy >&2
wait "$postgres_build"

echo "POSTGRES_IMAGE=$postgres"
echo "PROXY_IMAGE=$proxy"
