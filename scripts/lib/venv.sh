# Sourced by scripts/serve, scripts/build and scripts/test: make .venv hold exactly the pinned packages.
# Usage: ensure_venv requirements.txt [more requirement files...]

ensure_venv() {
    local venv=.venv stamp want
    if [ ! -x "$venv/bin/python" ]; then
        echo "Creating $venv" >&2
        python3 -m venv "$venv"
    fi
    # Reinstall only when the requirement files change.
    want=$(cat "$@" | sha256sum | cut -d' ' -f1)
    stamp="$venv/.installed-$want"
    if [ ! -e "$stamp" ]; then
        echo "Installing $* into $venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' "$@")
        rm -f "$venv"/.installed-*
        touch "$stamp"
    fi
}

export NO_MKDOCS_2_WARNING=1  # mkdocs-material's banner about MkDocs 2; we pin mkdocs<2
