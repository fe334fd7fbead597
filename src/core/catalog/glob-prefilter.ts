/**
 * A cheap test on a file's base name that rejects most paths before picomatch runs. Parsers
 * are tried against every file of the image (tens of thousands), but nearly all their globs
 * end in a literal name (`package.json`) or an extension (`*.jar`); only those are pre-filtered.
 * The prefilter may accept too much (picomatch still decides) but never rejects a match.
 */

/** Last path segment of a glob, or undefined when a `**` or a slash inside braces hides it. */
function lastSegment(glob: string): string | undefined {
  const last = glob.slice(glob.lastIndexOf('/') + 1);
  return last === '' || last.includes('**') ? undefined : last;
}

const SPECIAL = /[*?[\]{}()!+@\\]/;

/** One segment → a base-name test, or undefined when the segment is too clever to simplify. */
function segmentTest(segment: string): ((base: string) => boolean) | undefined {
  if (!SPECIAL.test(segment)) return (base) => base === segment;
  // `*.ext` and `*.{a,b,c}`: a suffix test.
  const ext = /^\*\.([A-Za-z0-9._-]+)$/.exec(segment);
  if (ext) {
    const suffix = `.${ext[1]}`;
    return (base) => base.endsWith(suffix);
  }
  const alts = /^\*\.\{([A-Za-z0-9._,-]+)\}$/.exec(segment);
  if (alts) {
    const suffixes = (alts[1] as string).split(',').map((a) => `.${a}`);
    return (base) => suffixes.some((s) => base.endsWith(s));
  }
  return undefined;
}

/** A base-name test that accepts every base name any of `globs` can match, or undefined (no filter). */
export function basenamePrefilter(globs: readonly string[]): ((base: string) => boolean) | undefined {
  const tests: ((base: string) => boolean)[] = [];
  for (const glob of globs) {
    const segment = lastSegment(glob);
    const test = segment === undefined ? undefined : segmentTest(segment);
    if (!test) return undefined;
    tests.push(test);
  }
  return tests.length === 1 ? tests[0] : (base) => tests.some((t) => t(base));
}
