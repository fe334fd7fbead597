/**
 * How many packages of each kind an SBOM holds, stored in `analysis.package_kinds` beside it
 * (migration 71): the re-match after a feed sync evaluates bundles whose rules read no more than
 * the kinds from these counts, without reading the SBOM's packages. Every writer of an analysis
 * writes them, computed here; `package_kinds_of` (migration 71) is the definition they follow,
 * and package-kinds.test.ts checks both agree on both stores.
 */

/** [type, owned, count]: the packages of one type (null: none, or not a string), owned by another or not. */
export type PackageKindRow = [string | null, boolean, number];

/** What `p ->> key` reads of a JSON value: undefined and null read as SQL NULL. */
function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Byte order of UTF-8 text (`COLLATE "C"`), NULLs last as `ORDER BY` puts them. */
function compareTypes(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The kinds of an SBOM's packages as `package_kinds_of` counts them. */
export function packageKinds(sbom: unknown): PackageKindRow[] {
  const packages = (sbom as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) return [];
  const counts = new Map<string, PackageKindRow>();
  for (const item of packages as unknown[]) {
    const p = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const type = typeof p.type === 'string' ? p.type : null;
    const owned = (textOf(p.ownedBy) ?? '') !== '';
    const key = `${owned ? 1 : 0}${type === null ? '' : `:${type}`}`;
    const row = counts.get(key);
    if (row) row[2]++;
    else counts.set(key, [type, owned, 1]);
  }
  return [...counts.values()].sort((a, b) => compareTypes(a[0], b[0]) || Number(a[1]) - Number(b[1]));
}

/** `packageKinds` as the JSON the column stores. */
export function packageKindsJson(sbom: unknown): string {
  return JSON.stringify(packageKinds(sbom));
}
