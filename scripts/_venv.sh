# Shared by scripts/run and scripts/test: make .venv and install a requirements file,
# skipping pip when the file has not changed since the last install.
set -euo pipefail
ensure_venv() {
  local requirements="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $($python --version)…"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-$(basename "$requirements")"
  local digest
  digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing $requirements…"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$digest" > "$stamp"
  fi
}

# The test tools from the npm registry (axe-core, the Nu HTML Checker), when npm is here.
# Without them the tests that need them skip and say why (in CI they must run).
ensure_node_tools() {
  local stamp="node_modules/.installed-lock"
  local digest
  digest=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: the accessibility and HTML checks will skip (apt-get install npm)."
    return
  fi
  echo "Installing the test tools of package.json (npm ci)…"
  if npm ci --no-audit --no-fund --silent --ignore-scripts; then
    echo "$digest" > "$stamp"
  else
    echo "npm ci failed: the accessibility and HTML checks will skip."
  fi
}
