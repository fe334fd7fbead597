/**
 * Many analysed images in one account, written in a few statements (the UI's benchmark and the
 * portfolio tests): tags, 12 findings each (severities, fix states and a KEV entry in turn) and
 * a stored verdict (one in four fails). Made up in SQL, so their finding counts are computed by
 * `ui_finding_counts`, the definition finding-counts.ts follows.
 */
import type { Sql } from '../sql.js';

/** Images `from + 1` to `from + count` (digests are unique across calls with disjoint ranges). */
export async function seedImages(db: Sql, account: string, count: number, from = 0): Promise<void> {
  const severities = `ARRAY['Critical','High','Medium','Low','Negligible','Unknown']`;
  await db.exec(`
    INSERT INTO analysis (image_digest, image_id, analyzer_version, metadata, sbom, findings, finding_counts, package_kinds)
    SELECT d, i, v, m, s, f, ui_finding_counts(f), package_kinds_of(s) FROM (
    SELECT 'sha256:' || lpad(to_hex(n), 64, '0') AS d, lpad(to_hex(n), 64, 'f') AS i, 'bench' AS v, '{}'::jsonb AS m,
      '{"packages":[],"files":[]}'::jsonb AS s,
      (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', 'CVE-2024-' || (n * 12 + k), 'severity', (${severities})[1 + (n + k) % 6],
         'fixState', CASE WHEN k % 3 = 0 THEN 'not-fixed' ELSE 'fixed' END,
         'kev', CASE WHEN k = 1 THEN jsonb_build_object('cve', 'CVE-2024-' || (n * 12 + k)) END,
         'package', jsonb_build_object('name', 'pkg' || k, 'version', '1.' || k))))
       FROM generate_series(1, 12) k) AS f
    FROM generate_series(${from + 1}, ${from + count}) n) seeded;
    INSERT INTO image (account_name, image_digest, analysis_status, analyzed_at, created_at)
    SELECT '${account}', 'sha256:' || lpad(to_hex(n), 64, '0'), 'analyzed', now() - n * interval '1 minute', now() - n * interval '1 minute'
    FROM generate_series(${from + 1}, ${from + count}) n;
    INSERT INTO image_tag (account_name, image_digest, registry, repo, tag)
    SELECT '${account}', 'sha256:' || lpad(to_hex(n), 64, '0'), 'registry.example', 'team' || (n % 50) || '/app' || n, 'v' || (n % 7)
    FROM generate_series(${from + 1}, ${from + count}) n;
    INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result)
    SELECT '${account}', 'sha256:' || lpad(to_hex(n), 64, '0'), 'registry.example/team' || (n % 50) || '/app' || n || ':v' || (n % 7),
      'p', CASE WHEN n % 4 = 0 THEN 'fail' ELSE 'pass' END, 'go', '{}'::jsonb
    FROM generate_series(${from + 1}, ${from + count}) n;
    ANALYZE image; ANALYZE image_tag; ANALYZE analysis; ANALYZE policy_evaluation;
  `);
}
