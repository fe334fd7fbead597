#!/usr/bin/env bash
# Installs the Debian packages the tests use. Each area lists its own needs in
# scripts/test-deps/<area>.txt (one package per line, # comments allowed).
set -euo pipefail
cd "$(dirname "$0")"
# With arguments, only those lists (e.g. `install-test-deps.sh fixtures image` for the demo).
lists=(test-deps/*.txt)
if [ $# -gt 0 ]; then lists=(); for name in "$@"; do lists+=("test-deps/$name.txt"); done; fi
mapfile -t packages < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
# Another source's kubectl (e.g. Google Cloud's "kubectl" package) conflicts with Debian's
# kubernetes-client; any kubectl on PATH will do.
if command -v kubectl >/dev/null 2>&1; then
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | grep -vx kubernetes-client)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
