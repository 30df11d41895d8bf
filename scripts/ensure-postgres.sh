#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are on this machine; installs Debian's package if not.
# The service runs its own private server from them; nothing is started here.
set -euo pipefail

have_binaries() {
    ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1
}

if have_binaries; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL server binaries not found. Install PostgreSQL 15 or later (initdb, pg_ctl), or set ConnectionStrings__Copilot." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "Installing PostgreSQL server binaries from Debian's packages..." >&2
# Only the binaries are wanted: the service runs a private server, so no system-wide cluster.
$SUDO mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null

have_binaries || { echo "PostgreSQL installed but pg_ctl was not found." >&2; exit 1; }
