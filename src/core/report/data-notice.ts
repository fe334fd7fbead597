/**
 * The sentence every report carries when its vulnerability data cannot be trusted fully: none
 * at all (the caller opted out of requiring it), none for the image's distro, or older than the
 * allowed age.
 */
import type { ScanReport } from './types.js';

function freshness(db: ScanReport['database']): string | undefined {
  if (db.available === false) {
    return 'the vulnerability database was empty: no vulnerability was checked (run `portcullis db update`)';
  }
  if (db.stale) {
    return `the vulnerability data is stale: last synced ${db.oldestSyncAt ?? 'at an unknown time'}, older than ${db.staleAfterHours ?? '?'} h (run \`portcullis db update\`)`;
  }
  return undefined;
}

export function dataNotice(report: ScanReport): string | undefined {
  const db = report.database;
  const notices = [db.distroGap?.message, freshness(db)].filter((n): n is string => n !== undefined);
  return notices.length ? notices.join('; ') : undefined;
}
