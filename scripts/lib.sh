# Shared steps of scripts/serve and scripts/test (sourced, not run).

apt_install() {
  # Debian packages the project needs; installed only when missing, non-interactively.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Please install these Debian packages first: ${missing[*]}" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv; python3 -m venv .venv; }
  fi
}

install_egov() {
  # $1: what to install, e.g. "." or ".[dev]". Quiet unless it fails (then the log is shown).
  # Skipped when pyproject.toml and $1 are those of the last install: the install is editable,
  # so only they can change it (and pip takes seconds to find that nothing changed).
  local log stamp=.venv/.egov-installed want
  want="$1 $(sha256sum pyproject.toml | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  log=$(mktemp)
  if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$1" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
}
