/** Validates a SARIF log against the SARIF 2.1.0 schema shipped in @microsoft/jest-sarif. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { SchemaCheck } from './gitlab-schema.js';

export async function sarifValidator(): Promise<SchemaCheck> {
  const pkg = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json');
  const file = join(dirname(pkg), 'lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(await readFile(file, 'utf8')) as object;
  // The official schema has a pattern that is only valid without the `u` flag.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
