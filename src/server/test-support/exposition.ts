/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests that
 * scrape `/metrics`: every line must be a comment or a sample of a family declared by `# TYPE`.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,\s*|$)/y;
const SUFFIXES: Record<Family['type'], readonly string[]> = {
  counter: ['', '_total'],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`malformed labels in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(n))
    throw new Error(`malformed value in: ${line}`);
  return n;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const owner = (sample: string): Family | undefined => {
    for (const f of families.values()) if (SUFFIXES[f.type].some((s) => `${f.name}${s}` === sample)) return f;
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      const family = families.get(name!) ?? { name: name!, type: 'untyped', help: '', samples: [] };
      if (kind === 'HELP') family.help = rest;
      else if (rest in SUFFIXES) family.type = rest as Family['type'];
      else throw new Error(`unknown metric type in: ${line}`);
      families.set(name!, family);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`malformed sample: ${line}`);
    const family = owner(m[1]!);
    if (!family) throw new Error(`sample of no declared family: ${line}`);
    family.samples.push({
      name: m[1]!,
      labels: parseLabels(m[2] ?? '', line),
      value: parseValue(m[3]!, line),
    });
  }
  return families;
}

/** The family `name` of a scrape, which must exist with `type`. */
export function family(families: Map<string, Family>, name: string, type: Family['type']): Family {
  const f = families.get(name);
  if (!f) throw new Error(`metric family ${name} missing; have ${[...families.keys()].join(', ')}`);
  if (f.type !== type) throw new Error(`metric family ${name} is a ${f.type}, expected ${type}`);
  return f;
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(
  f: Family,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = f.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Histogram invariants: buckets cumulative, `+Inf` bucket equal to `_count`, per label set. */
export function histogramSeries(f: Family): { labels: Record<string, string>; count: number; sum: number }[] {
  const series = new Map<
    string,
    { labels: Record<string, string>; buckets: [number, number][]; count?: number; sum?: number }
  >();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { labels: rest, buckets: [] };
    if (s.name.endsWith('_bucket')) entry.buckets.push([parseValue(le ?? '', s.name), s.value]);
    else if (s.name.endsWith('_count')) entry.count = s.value;
    else entry.sum = s.value;
    series.set(key, entry);
  }
  return [...series.values()].map((e) => {
    const buckets = e.buckets.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < buckets.length; i++)
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${f.name}: buckets not cumulative`);
    const inf = buckets.at(-1);
    if (!inf || inf[0] !== Infinity || inf[1] !== e.count || e.sum === undefined)
      throw new Error(`${f.name}: series ${JSON.stringify(e.labels)} lacks +Inf bucket, _count or _sum`);
    return { labels: e.labels, count: e.count, sum: e.sum };
  });
}
