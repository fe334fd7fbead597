#!/usr/bin/env bash
# The whole test suite: format, lint, typecheck, then every test (unit + integration against
# real registries, images and databases). Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)"; exit 1; }
npx eslint --max-warnings 0 .
npx tsc --noEmit
mkdir -p .tmp
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@"
status=$?
set -e
node -e '
const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
