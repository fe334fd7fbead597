/**
 * Licences of a Debian package from /usr/share/doc/<pkg>/copyright.
 *
 * Machine-readable (DEP-5) files: every `License:` field's first line is a short-name
 * expression. Free-form files: only explicit references to the shared licence texts in
 * /usr/share/common-licenses count, since prose licence detection guesses too much. A
 * reference is "or later" only when the file says "any later version".
 */
import { decodeControl } from './control.js';
import { licensesFromExpression, toSpdx } from './licenses.js';

const DEP5_FORMAT = /copyright-format|dep5|DEP-5/i;
const COMMON_LICENSE_REF = /\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+])/g;

export function licensesFromCopyright(bytes: Buffer): string[] {
  const text = decodeControl(bytes);
  const firstField = /^\s*Format:\s*(\S+)/im.exec(text.slice(0, 4096));
  if (firstField && DEP5_FORMAT.test(firstField[1] as string)) {
    // Only the first line of each License field matters, so a line scan does the job of a
    // full control-file parse (some copyright files, e.g. boost's, are megabytes long).
    const names: string[] = [];
    for (const m of text.matchAll(/^License:[ \t]*(\S.*?)\s*$/gim))
      names.push(...licensesFromExpression(m[1] as string));
    return unique(names);
  }
  return unique(commonLicenseRefs(text));
}

function commonLicenseRefs(text: string): string[] {
  const orLater = /any later version/i.test(text);
  const names: string[] = [];
  for (const m of text.matchAll(COMMON_LICENSE_REF)) {
    const file = m[1] as string;
    // GPL, LGPL, GFDL without version are symlinks to the newest text, not a statement.
    if (/^(L?GPL|GFDL)$/i.test(file)) {
      names.push(file);
      continue;
    }
    const gnu = /^(L?GPL|GFDL)-(\d(?:\.\d)?)$/i.exec(file);
    const mapped = gnu ? toSpdx(`${gnu[1]}-${gnu[2]}${orLater ? '+' : ''}`) : toSpdx(file);
    names.push(mapped ?? file);
  }
  return names;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
