#!/usr/bin/env bash
# `npm run demo`: installs the Debian tools that build the sample image (first run only:
# debootstrap, umoci, skopeo; scripts/test-deps/fixtures.txt), builds the CLI, and runs the demo:
# `portcullis serve` on the embedded store in .demo/ with the sample analysed (--load-image reads
# its OCI layout; no registry, no Docker daemon), running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh fixtures
npm run build --silent
npx tsx scripts/demo.ts
