/**
 * yum `updateinfo.xml` of Amazon Linux → ALAS advisories. Each `<update>` is one advisory
 * (ALAS-…, ALAS2-…, ALAS2023-…) naming its CVEs in `<references>` and the fixed binary rpms in
 * `<pkglist>`; one normalized record per (advisory, package name), the fixed version written
 * `[epoch:]version-release` as rpm compares it. Pure: text in, updates out.
 */
import { z } from 'zod';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../../io/xml.js';

/**
 * Core-repository advisory ids per release. Extras topics (ALAS2KERNEL-5.10-…, ALAS2DOCKER-…)
 * fix other streams of the same package names (kernel 5.10 beside the core 4.14): mixing them
 * into the release's namespace would flag every core package against another stream's fix.
 */
const RELEASES: readonly [RegExp, string][] = [
  [/^ALAS2023-\d{4}-\d+$/, '2023'],
  [/^ALAS2-\d{4}-\d+$/, '2'],
  [/^ALAS-\d{4}-\d+$/, '1'],
];

export function releaseOfAdvisory(id: string): string | undefined {
  return RELEASES.find(([re]) => re.test(id))?.[1];
}

const rpmField = z.string().regex(/^[^\s:]+$/);
const updatePackage = z.object({
  name: z.string().regex(/^[A-Za-z0-9._+-]+$/),
  epoch: z.string().regex(/^\d+$/).optional(),
  version: rpmField,
  release: rpmField,
});

export const alasUpdate = z.object({
  id: z.string().min(1).max(128),
  type: z.string(),
  severity: z.string().optional(),
  title: z.string().optional(),
  issued: z.string().optional(),
  updated: z.string().optional(),
  cves: z.array(z.string().regex(/^CVE-\d{4}-\d{4,}$/)),
  packages: z.array(updatePackage).min(1),
});

export type AlasUpdate = z.infer<typeof alasUpdate>;

/** "2023-03-09 19:28" (UTC, as ALAS writes it) → ISO 8601. */
export function alasDate(value: string | undefined): string | undefined {
  const m = value ? /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d)(?::(\d\d))?)?/.exec(value) : null;
  return m ? `${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}Z` : undefined;
}

/** The fixed version as rpm compares it: the epoch only when it is not 0. */
export function fixedVersion(p: { epoch?: string | undefined; version: string; release: string }): string {
  const epoch = p.epoch && p.epoch !== '0' ? `${p.epoch}:` : '';
  return `${epoch}${p.version}-${p.release}`;
}

function raw(update: XmlElement): unknown {
  const text = (name: string): string | undefined => childNamed(update, name)?.text.trim() || undefined;
  const references = childNamed(update, 'references');
  const packages = childrenNamed(childNamed(update, 'pkglist') ?? update, 'collection').flatMap((c) =>
    childrenNamed(c, 'package').map((p) => ({
      name: p.attributes.name,
      epoch: p.attributes.epoch,
      version: p.attributes.version,
      release: p.attributes.release,
    })),
  );
  return {
    id: text('id'),
    type: update.attributes.type ?? '',
    severity: text('severity'),
    title: text('title'),
    issued: childNamed(update, 'issued')?.attributes.date,
    updated: childNamed(update, 'updated')?.attributes.date,
    cves: references
      ? childrenNamed(references, 'reference')
          .filter((r) => r.attributes.type === 'cve')
          .map((r) => r.attributes.id ?? '')
      : [],
    packages,
  };
}

export type ParsedUpdate = { ok: true; update: AlasUpdate } | { ok: false; id: string; detail: string };

/** Every `<update>` of the document, each validated on its own. */
export function parseUpdateinfo(text: string, file: string): ParsedUpdate[] {
  const root = parseXml(text, file);
  return childrenNamed(root, 'update').map((element, index) => {
    const candidate = raw(element);
    const parsed = alasUpdate.safeParse(candidate);
    if (parsed.success) return { ok: true, update: parsed.data };
    const issue = parsed.error.issues[0];
    const id = childNamed(element, 'id')?.text.trim() || `update[${index}]`;
    return { ok: false, id, detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid update' };
  });
}
