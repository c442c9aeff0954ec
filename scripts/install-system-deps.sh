#!/bin/sh
# Install the system packages the test suite needs, when they are missing:
#   - PostgreSQL: the storage tests start a throwaway cluster with its initdb/pg_ctl
#     (tests/storage/conftest.py); skipped when STARCOACH_SKIP_POSTGRES=1;
#   - espeak-ng: the voice tests (tests/test_voice.py) make their speech with it;
#   - chromium: the web app's browser tests (tests/web/test_browser.py) drive Debian's
#     /usr/bin/chromium through Playwright (never `playwright install`).
# Does nothing for a package that is already installed.
set -eu

have_postgres() {
    for tool in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$tool" ] && return 0
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

# apt_install PACKAGE WHY: install one Debian package, with sudo when not root.
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-system-deps: $1 is needed by $2." >&2
        echo "Install it with your package manager." >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" != "0" ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "install-system-deps: need root or sudo to run apt-get install $1." >&2
            exit 1
        fi
        sudo="sudo"
    fi
    echo "install-system-deps: installing $1 for $2 (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y --no-install-recommends "$1"; then
        # A fresh container has empty package lists: update once, then retry.
        $sudo apt-get update
        $sudo apt-get install -y --no-install-recommends "$1"
    fi
}

if ! command -v espeak-ng >/dev/null 2>&1; then
    apt_install espeak-ng "the voice tests"
fi

if ! have_postgres; then
    if [ "${STARCOACH_SKIP_POSTGRES:-}" = "1" ]; then
        echo "install-system-deps: PostgreSQL missing; STARCOACH_SKIP_POSTGRES=1, so its tests are skipped." >&2
    else
        apt_install postgresql "the storage tests"
    fi
fi

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium "the web app's browser tests"
fi
