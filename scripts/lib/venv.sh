# Sourced by scripts/serve, scripts/build and scripts/test: make .venv hold exactly the pinned packages.
# Usage: ensure_venv requirements.txt     (PYTHON=python3.12 picks another interpreter; default python3)

ensure_venv() {
    local venv=.venv python="${PYTHON:-python3}" want identity
    command -v "$python" >/dev/null || { echo "No $python: install Python 3.10 or newer" >&2; return 1; }
    identity=$("$python" -c 'import os, sys; print(os.path.realpath(sys.executable), sys.version.split()[0])')
    # A .venv made by another Python, or broken, is rebuilt, not reused.
    if [ -e "$venv" ] && { [ "$(cat "$venv/.interpreter" 2>/dev/null)" != "$identity" ] \
            || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; }; then
        echo "Rebuilding $venv: it was made by another Python, or is broken" >&2
        rm -rf "$venv" || { echo "Cannot remove $venv (made by another user?): remove it, then run again" >&2; return 1; }
    fi
    if [ ! -e "$venv" ]; then
        echo "Creating $venv with $identity" >&2
        "$python" -m venv "$venv" || { echo "$python -m venv failed (on Debian: apt-get install python3-venv)" >&2; return 1; }
        echo "$identity" > "$venv/.interpreter"
    fi
    [ -w "$venv" ] || { echo "$venv belongs to another user: remove it, then run again" >&2; return 1; }
    # Install only when this requirement file changed since the last install of it.
    want=$(sha256sum "$1" | cut -d' ' -f1)
    if [ ! -e "$venv/.installed-$want" ]; then
        echo "Installing $1 into $venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$1" || return 1
        touch "$venv/.installed-$want"
    fi
}

# Run as root in a checkout that belongs to someone else (sudo), hand what we made back to the
# checkout's owner on exit, so that the next run as that user can use and replace it.
give_back_to_owner() {
    local owner
    owner=$(stat -c %u:%g . 2>/dev/null) || return 0
    if [ "$(id -u)" = 0 ] && [ "$owner" != "0:0" ]; then
        trap "status=\$?; chown -R $owner .venv site .cache .pytest_cache tests/__pycache__ scripts/__pycache__ scripts/hooks/__pycache__ 2>/dev/null || true; exit \$status" EXIT
    fi
}

export NO_MKDOCS_2_WARNING=1  # mkdocs-material's banner about MkDocs 2; we pin mkdocs<2
