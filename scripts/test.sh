#!/usr/bin/env bash
# The whole test suite: format, lint, typecheck, then every test (unit + integration against
# real registries, images and databases). Ends with a plain "N passed, N failed" line and, when
# the run fails, why: failed tests, test files that failed outside a test, unhandled errors.
# What tests print (timings, tool chatter) goes to .tmp/test-console.log, not to the output.
set -euo pipefail
cd "$(dirname "$0")/.."
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)"; exit 1; }
npx eslint --max-warnings 0 .
npx tsc --noEmit
mkdir -p .tmp
rm -f .tmp/vitest.json .tmp/vitest-problems.json .tmp/test-console.log
set +e
PORTCULLIS_TEST_CONSOLE_LOG="$PWD/.tmp/test-console.log" npx vitest run \
  --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json \
  --reporter=./test/support/problems-reporter.ts "$@"
status=$?
set -e
node scripts/test-summary.mjs "$status" || true
exit $status
