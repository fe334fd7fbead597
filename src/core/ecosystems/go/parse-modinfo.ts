/** A module line of `go version -m`: path, version, checksum, and what replaced it. */
export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string; sum?: string };
}

export interface ModInfo {
  /** Main package path (`path` line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

/**
 * The modinfo text Go embeds (same as `go version -m` prints): tab-separated `path`, `mod`,
 * `dep`, `=>` (replaces the preceding mod/dep) and `build key=value` lines.
 */
export function parseModInfo(text: string): ModInfo {
  const info: ModInfo = { deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.split('\t');
    if (kind === 'path' && fields[0] !== undefined) info.path = fields[0];
    else if ((kind === 'mod' || kind === 'dep') && fields[0] !== undefined && fields[0] !== '') {
      last = {
        path: fields[0],
        version: fields[1] ?? '',
        ...(fields[2] !== undefined && fields[2] !== '' && { sum: fields[2] }),
      };
      if (kind === 'mod') info.main = last;
      else info.deps.push(last);
    } else if (kind === '=>' && last !== undefined && fields[0] !== undefined) {
      last.replace = {
        path: fields[0],
        version: fields[1] ?? '',
        ...(fields[2] !== undefined && fields[2] !== '' && { sum: fields[2] }),
      };
    } else if (kind === 'build' && fields[0] !== undefined) {
      const eq = fields[0].indexOf('=');
      if (eq > 0) info.settings[fields[0].slice(0, eq)] = fields[0].slice(eq + 1);
    }
  }
  return info;
}
