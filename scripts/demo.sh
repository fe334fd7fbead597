#!/usr/bin/env bash
# `npm run demo`: installs the Debian tools that build the sample image (first run only),
# builds the CLI, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh fixtures image
npm run build --silent
npx tsx scripts/demo.ts
