import { normalizeLicense } from '../../sbom/license-names.js';

/**
 * JAR manifest (META-INF/MANIFEST.MF): `Name: value` lines, continuation lines start with one
 * space that is not part of the value; the main section ends at the first blank line.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let lastKey: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (lastKey !== undefined) out.set(lastKey, `${out.get(lastKey) ?? ''}${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      lastKey = undefined;
      continue;
    }
    lastKey = line.slice(0, colon).trim();
    out.set(lastKey, line.slice(colon + 1).trim());
  }
  return out;
}

/** Java .properties subset used by pom.properties: `key=value` or `key: value`, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]?\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], (m[2] ?? '').trim());
  }
  return out;
}

/** Top-level elements only: comments and nested sections that repeat element names are dropped. */
function pomTopLevel(xml: string): string {
  return xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(
      /<(dependencies|dependencyManagement|build|profiles|reporting|modules|properties|developers|contributors|organization|scm|distributionManagement)\b[\s\S]*?<\/\1>/g,
      '',
    );
}

/** License names declared in a pom.xml (`<licenses><license><name>`), as SPDX ids where they name one. */
export function parsePomLicenses(xml: string): string[] {
  const block = /<licenses>([\s\S]*?)<\/licenses>/.exec(pomTopLevel(xml))?.[1] ?? '';
  const names = [...block.matchAll(/<license>[\s\S]*?<name>\s*([^<]*?)\s*<\/name>[\s\S]*?<\/license>/g)].map(
    (m) => m[1] ?? '',
  );
  return names.filter((n) => n !== '').map(normalizeLicense);
}

/** The project coordinates of a pom.xml, inheriting groupId/version from `<parent>` as Maven does. */
export function parsePomCoordinates(xml: string): {
  groupId?: string;
  artifactId?: string;
  version?: string;
} {
  // Drop comments and the dependency/plugin sections so only top-level elements remain.
  const body = xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(
      /<(dependencies|dependencyManagement|build|profiles|reporting|modules|properties)\b[\s\S]*?<\/\1>/g,
      '',
    );
  const parentBlock = /<parent>([\s\S]*?)<\/parent>/.exec(body)?.[1] ?? '';
  const own = body.replace(/<parent>[\s\S]*?<\/parent>/, '');
  const tag = (src: string, name: string): string | undefined => {
    const value = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(src)?.[1];
    return value === undefined || value === '' ? undefined : value;
  };
  const groupId = tag(own, 'groupId') ?? tag(parentBlock, 'groupId');
  const artifactId = tag(own, 'artifactId');
  const version = tag(own, 'version') ?? tag(parentBlock, 'version');
  return {
    ...(groupId !== undefined && { groupId }),
    ...(artifactId !== undefined && { artifactId }),
    ...(version !== undefined && { version }),
  };
}
