/** JSON paths in Anchore's style for validation messages: `policies[0].rules[3].params[1].value`. */
export type PathPart = string | number;

export function formatPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '$' : out;
}
