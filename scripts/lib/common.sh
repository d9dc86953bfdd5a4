# Shared by scripts/start, scripts/test and .ci/run; sourced from the project's root.
# Finds a suitable Python, installs the Debian packages a script needs, creates .venv and
# installs the project's dependencies into it whenever pyproject.toml has changed since the
# last install.

PYTHON="${PYTHON:-python3}"
VENV_DIR=".venv"

section() {
    printf '\n==> %s\n' "$*"
}

die() {
    printf '\nerror: %s\n' "$*" >&2
    exit 1
}

# Python 3.11 to 3.13, as pyproject.toml's requires-python says.
check_python() {
    command -v "$PYTHON" >/dev/null 2>&1 \
        || die "$PYTHON not found. Install Python 3.11 (Debian: apt-get install python3 python3-venv)."
    "$PYTHON" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' \
        || die "$("$PYTHON" --version 2>&1) is not supported: use Python 3.11 to 3.13 (set PYTHON=...)."
}

# Whether $PYTHON can create a virtual environment with pip in it.
python_can_make_venvs() {
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}

# Create .venv if needed and install the project with the given extra ("" or "dev").
ensure_venv() {
    local extra="${1:-}"
    if [[ -d $VENV_DIR ]] && ! "$VENV_DIR/bin/python" -c '' >/dev/null 2>&1; then
        echo "$VENV_DIR is broken (its Python is gone); creating it again."
        rm -rf "$VENV_DIR"
    fi
    if [[ ! -d $VENV_DIR ]]; then
        echo "Creating the virtual environment in $VENV_DIR"
        if ! "$PYTHON" -m venv "$VENV_DIR"; then
            rm -rf "$VENV_DIR"
            die "could not create $VENV_DIR. On Debian: apt-get install python3-venv"
        fi
    fi

    local target="." stamp="$VENV_DIR/.installed" digest
    if [[ -n $extra ]]; then
        target=".[$extra]"
        stamp="$VENV_DIR/.installed-$extra"
    fi
    digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [[ -f $stamp && "$(cat "$stamp")" == "$digest" ]]; then
        echo "Dependencies in $VENV_DIR are up to date with pyproject.toml."
        return 0
    fi
    echo "Installing ${extra:+the $extra extra and }the dependencies from pyproject.toml into $VENV_DIR"
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
    echo "$digest" >"$stamp"
    # The dev extra includes every runtime dependency.
    if [[ -n $extra ]]; then
        echo "$digest" >"$VENV_DIR/.installed"
    fi
}

# --- Debian packages ---------------------------------------------------------------------

# What WeasyPrint needs from Debian: Pango, HarfBuzz with its subsetter (without it PDFs
# render about 40 % slower) and a font.
WEASYPRINT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b fonts-dejavu-core)
# What the tests need besides: Chromium for the browser tests, gettext for the translation
# checks and poppler-utils to read PDF files back.
TEST_PACKAGES=(chromium chromium-driver gettext poppler-utils)

# Print each of the given Debian packages that is not installed, one a line, and
# python3-venv where Debian's own Python lacks it. Prints nothing where there is no dpkg.
missing_debian_packages() {
    local package
    command -v dpkg-query >/dev/null 2>&1 || return 0
    for package in "$@"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]]; then
            echo "$package"
        fi
    done
    # Debian's own Python needs python3-venv to create a virtual environment.
    if ! python_can_make_venvs && [[ "$(command -v "$PYTHON")" == /usr/bin/* ]]; then
        echo python3-venv
    fi
}

# Install whichever of the given Debian packages are missing, as root or through sudo.
# Without either, print the exact command to run as root and return 1: the caller decides
# whether it can go on without them.
install_debian_packages() {
    local missing sudo=()
    mapfile -t missing < <(missing_debian_packages "$@")
    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "The Debian packages are installed."
        return 0
    fi
    if [[ $EUID -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "Missing Debian packages: ${missing[*]}"
            echo "Install them as root with:"
            echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
            return 1
        fi
    fi
    echo "Installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" \
        || die "apt-get install of ${missing[*]} failed"
}
