/**
 * Fallback version order for `required_package` minimum checks when the caller gives no
 * scheme-aware comparator: digit runs compare numerically, other runs as text, a `~` sorts
 * before anything (as in Debian). Exact for plain dotted versions; the integration passes the
 * real per-ecosystem comparators.
 */
export function compareLoose(a: string, b: string): number {
  const tokens = (v: string) => v.match(/\d+|[a-zA-Z]+|~/g) ?? [];
  const ta = tokens(a);
  const tb = tokens(b);
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === y) continue;
    if (x === undefined) return y === '~' ? 1 : -1;
    if (y === undefined) return x === '~' ? -1 : 1;
    if (x === '~' || y === '~') return x === '~' ? -1 : 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
      continue;
    }
    if (nx !== ny) return nx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
