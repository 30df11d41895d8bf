#!/bin/sh
# The stand-in's entrypoint, as the official image's: options alone run haproxy with them; haproxy runs in the
# foreground in master-worker mode.
set -e

if [ "${1#-}" != "$1" ]; then
    set -- haproxy "$@"
fi

if [ "$1" = haproxy ]; then
    shift
    set -- haproxy -W -db "$@"
fi

exec "$@"
