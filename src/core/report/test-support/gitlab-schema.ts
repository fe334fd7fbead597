/** Validates a GitLab container-scanning report against the schema facts in __fixtures__. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';

export const GITLAB_SCHEMA_FILE = join(
  import.meta.dirname,
  '../__fixtures__/gitlab-container-scanning-15.2.4.schema.json',
);

export interface SchemaCheck {
  (value: unknown): boolean;
  errors?: unknown;
}

export async function gitlabReportValidator(): Promise<SchemaCheck> {
  const schema = JSON.parse(await readFile(GITLAB_SCHEMA_FILE, 'utf8')) as object;
  // The schema's patterns are written for ECMA-262 without the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  return ajv.compile(schema);
}
