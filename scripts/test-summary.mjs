// Prints the last lines of `npm test` from vitest's JSON report and the problems reporter
// (test/support/problems-reporter.ts): the counts, then every reason the run failed, so a
// non-zero exit never comes with "0 failed" and nothing else.
import { existsSync, readFileSync } from 'node:fs';

const status = Number(process.argv[2] ?? '0');
const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
const report = read('.tmp/vitest.json');
const problems = read('.tmp/vitest-problems.json');
const reasons = [];

if (report) {
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(
    `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      (skipped ? `, ${skipped} skipped` : ''),
  );
  // The problems reporter has each failed test's message; the JSON report only its stack.
  const messages = new Map((problems?.failedTests ?? []).map((t) => [`${t.file} > ${t.name}`, t.message]));
  for (const file of report.testResults) {
    for (const t of file.assertionResults.filter((a) => a.status === 'failed')) {
      const key = `${file.name.replace(`${process.cwd()}/`, '')} > ${t.title}`;
      if (messages.has(key)) {
        reasons.push(
          `failed test: ${file.name.replace(`${process.cwd()}/`, '')} > ${t.fullName}: ${messages.get(key)}`,
        );
        continue;
      }
      const first = (t.failureMessages[0] ?? '').split('\n')[0];
      reasons.push(`failed test: ${file.name.replace(`${process.cwd()}/`, '')} > ${t.fullName}: ${first}`);
    }
  }
} else {
  reasons.push('vitest wrote no JSON report (it stopped before the end of the run)');
}
for (const m of problems?.failedModules ?? []) {
  reasons.push(`failed test file: ${m.file}: ${m.errors.join('; ')}`);
}
for (const e of problems?.unhandledErrors ?? []) {
  reasons.push(
    `unhandled error: ${e.name}: ${e.message}\n    ${e.stack.split('\n').slice(1).join('\n    ')}`,
  );
}
if (status !== 0) {
  if (reasons.length === 0)
    reasons.push(`vitest exited with ${status} without naming a failure (see its output above)`);
  console.log(`exit ${status}, because:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
}
if (existsSync('.tmp/test-console.log')) console.log('console output of the tests: .tmp/test-console.log');
