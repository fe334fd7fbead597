/**
 * The sentence every report carries when its vulnerability data cannot be trusted fully: none
 * at all (the caller opted out of requiring it) or older than the allowed age.
 */
import type { ScanReport } from './types.js';

export function dataNotice(report: ScanReport): string | undefined {
  const db = report.database;
  if (db.available === false) {
    return 'the vulnerability database was empty: no vulnerability was checked (run `portcullis db update`)';
  }
  if (db.stale) {
    return `the vulnerability data is stale: last synced ${db.oldestSyncAt ?? 'at an unknown time'}, older than ${db.staleAfterHours ?? '?'} h (run \`portcullis db update\`)`;
  }
  return undefined;
}
