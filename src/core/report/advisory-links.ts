/** Where to read about a vulnerability id, by its prefix (facts about public databases). */
export function advisoryUrl(id: string): string {
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** The database an id belongs to, e.g. NVD for CVE-…, GitHub for GHSA-…. */
export function advisoryDatabase(id: string): string {
  if (id.startsWith('CVE-')) return 'NVD';
  if (id.startsWith('GHSA-')) return 'GitHub';
  if (id.startsWith('DSA-') || id.startsWith('DLA-')) return 'Debian';
  const prefix = /^([A-Z]+)-/.exec(id)?.[1];
  return prefix ? `OSV (${prefix})` : 'OSV';
}
