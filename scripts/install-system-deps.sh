#!/bin/sh
# Install the system packages the test suite needs, when they are missing.
# Today that is PostgreSQL: the storage tests start a throwaway cluster with its
# initdb/pg_ctl (see tests/storage/conftest.py). Does nothing when already installed,
# or when STARCOACH_SKIP_POSTGRES=1 says to skip the PostgreSQL tests.
set -eu

have_postgres() {
    for tool in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$tool" ] && return 0
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

if have_postgres; then
    exit 0
fi
if [ "${STARCOACH_SKIP_POSTGRES:-}" = "1" ]; then
    echo "install-system-deps: PostgreSQL missing; STARCOACH_SKIP_POSTGRES=1, so its tests are skipped." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: PostgreSQL (initdb, pg_ctl) is needed by the storage tests." >&2
    echo "Install it with your package manager, or set STARCOACH_SKIP_POSTGRES=1 to skip them." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-system-deps: need root or sudo to run apt-get install postgresql." >&2
        exit 1
    fi
    SUDO="sudo"
fi

echo "install-system-deps: installing PostgreSQL for the storage tests (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends postgresql; then
    # A fresh container has empty package lists: update once, then retry.
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends postgresql
fi
