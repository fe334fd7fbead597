/**
 * The Python core-metadata format (METADATA, PKG-INFO): RFC 822-style headers, continuation
 * lines starting with whitespace, optional body (the long description) after a blank line.
 */
export interface CoreMetadata {
  /** Header values by lower-cased name; repeated headers (Classifier, Requires-Dist) keep all values. */
  headers: Map<string, string[]>;
  /** True when the bytes were not valid UTF-8 and were read as Latin-1 instead. */
  latin1: boolean;
}

/** Older tools wrote PKG-INFO in the platform encoding; Latin-1 never fails, so nothing is lost. */
function decode(contents: Buffer): { text: string; latin1: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(contents), latin1: false };
  } catch {
    return { text: contents.toString('latin1'), latin1: true };
  }
}

export function parseCoreMetadata(contents: Buffer): CoreMetadata {
  const { text, latin1 } = decode(contents);
  const headers = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line === '') break; // headers end at the first blank line; the body is the description
    if (/^[ \t]/.test(line)) {
      if (last === undefined) continue;
      const values = headers.get(last.key);
      if (values !== undefined) values[last.index] = `${values[last.index] ?? ''}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = headers.get(key) ?? [];
    values.push(value);
    headers.set(key, values);
    last = { key, index: values.length - 1 };
  }
  return { headers, latin1 };
}

export function header(meta: CoreMetadata, name: string): string | undefined {
  return meta.headers.get(name.toLowerCase())?.[0];
}

export function headers(meta: CoreMetadata, name: string): string[] {
  return meta.headers.get(name.toLowerCase()) ?? [];
}
