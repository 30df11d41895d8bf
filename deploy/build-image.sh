#!/usr/bin/env bash
# Publishes the service for linux-x64 (self-contained) and builds its container image from deploy/Containerfile, with
# podman or docker, whichever is there (CONTAINER_ENGINE=docker|podman to choose).
#
#   deploy/build-image.sh                                   copilot:latest on mcr.microsoft.com/dotnet/runtime-deps:10.0
#   deploy/build-image.sh --base IMAGE --tag TAG
set -euo pipefail
cd "$(dirname "$0")/.."

base=mcr.microsoft.com/dotnet/runtime-deps:10.0
tag=copilot:latest
while [ $# -gt 0 ]; do
    case "$1" in
        --base) base="${2:?--base takes an image}"; shift 2 ;;
        --tag) tag="${2:?--tag takes an image name}"; shift 2 ;;
        *) echo "usage: deploy/build-image.sh [--base IMAGE] [--tag TAG]" >&2; exit 2 ;;
    esac
done

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
    if command -v podman >/dev/null 2>&1; then engine=podman
    elif command -v docker >/dev/null 2>&1; then engine=docker
    else echo "Neither podman nor docker was found: install one (Debian: apt-get install podman)." >&2; exit 1
    fi
fi

context=$(mktemp -d "${TMPDIR:-/tmp}/copilot-image-XXXXXX")
trap 'rm -rf "$context"' EXIT
dotnet publish Copilot.Silo -c Release -r linux-x64 --self-contained true --nologo -v quiet -o "$context/app" >&2

# podman keeps HEALTHCHECK only in the docker image format; docker always builds that format.
format=()
[ "$engine" = podman ] && format=(--format docker)
"$engine" build "${format[@]}" --build-arg "BASE_IMAGE=$base" -f deploy/Containerfile -t "$tag" "$context" >&2
echo "$tag"
