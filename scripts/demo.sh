#!/usr/bin/env bash
# `npm run demo`: installs the Debian tools that build the sample image (first run only:
# debootstrap, umoci, skopeo; scripts/test-deps/fixtures.txt), builds the CLI, and runs the demo.
# Nothing else: the demo reads an OCI layout and never calls a registry or a Docker daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh fixtures
npm run build --silent
npx tsx scripts/demo.ts
