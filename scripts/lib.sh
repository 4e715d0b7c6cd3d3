# Shared set-up for the scripts: installs what a fresh Debian/Ubuntu machine lacks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
# ensure_apt PACKAGE... — installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_rust — the toolchain pinned in rust-toolchain.toml (rustup installs it on first use).
ensure_rust() {
  ensure_apt build-essential pkg-config curl ca-certificates
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      echo "==> installing Rust (rustup)"
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# Tauri's Linux build dependencies (DESIGN §11), and D-Bus headers for the keyring (Secret Service).
TAURI_APT=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config libdbus-1-dev)
# What the real-window tests add.
WINDOW_APT=(xvfb xauth webkit2gtk-driver imagemagick xdotool keyutils dbus)

# ensure_node — Node.js and npm, then the npm workspace's packages (never `npm ci`, DESIGN §11).
ensure_node() {
  command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
  if [ ! -d "$ROOT/node_modules/@tauri-apps/cli" ] || [ "$ROOT/package.json" -nt "$ROOT/node_modules/.package-lock.json" ] \
     || [ "$ROOT/ui/package.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    echo "==> npm install"
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

# ensure_tauri_driver — the WebDriver bridge for the window tests.
ensure_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/tauri-driver" ] || {
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --version 2.1.0 --locked -q
  }
  export PATH="$HOME/.cargo/bin:$PATH"
}

# build_desktop — the UI bundle and the desktop binary that embeds it (its default feature
# custom-protocol loads the bundle, so every build shares one feature set, DESIGN §11).
build_desktop() {
  echo "==> building the UI and the desktop app ($*)"
  (cd "$ROOT" && npm run build --silent --workspace ui >/dev/null)
  cargo build "$@" -p vitrina-desktop
}

# ensure_test_servers — what the export tests talk to and check with: a local S3-compatible
# server (moto) and an FTP/FTPS server (pyftpdlib) in a virtualenv of the project's own
# (`.venv-test`, exported as VITRINA_TEST_PYTHON), xmllint for the feed schemas and
# pdftotext for reading PDFs back; and PostgreSQL's server binaries (the team-sync tests start
# a throwaway cluster of their own with them, vitrina-testkit's `pg`), with openssl for its
# test certificate.
ensure_test_servers() {
  ensure_apt libxml2-utils poppler-utils python3 python3-venv postgresql openssl
  local venv="$ROOT/.venv-test"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import moto.server, pyftpdlib, OpenSSL" 2>/dev/null; then
    echo "==> installing the local S3 and FTP servers for the tests (PyPI: moto, pyftpdlib)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.1.*' 'pyftpdlib==2.*' 'pyopenssl==25.*'
  fi
  export VITRINA_TEST_PYTHON="$venv/bin/python"
}
