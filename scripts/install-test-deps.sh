#!/usr/bin/env bash
# Installs the Debian packages the tests use: real images (debootstrap, umoci, skopeo),
# a real OCI registry (docker-registry + htpasswd), a real Docker daemon, PostgreSQL 15,
# and the reference tools the differential tests compare against.
set -euo pipefail
packages=(
  debootstrap umoci skopeo docker-registry apache2-utils openssl zstd xz-utils
  qemu-user-static binfmt-support docker.io ca-certificates
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
