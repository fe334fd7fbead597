/**
 * Finds which of many keywords occur in a file, in one pass over its bytes, ignoring ASCII
 * case. The secret scanner runs a rule only when one of its keywords occurs; testing each
 * keyword with `includes` on a lower-cased copy costs one pass per keyword, and with
 * gitleaks' rule file that is hundreds of passes per file. This is an Aho–Corasick automaton
 * compiled to a dense byte DFA (ADR 0005): one table lookup per byte, no decoding, no copy.
 *
 * Keywords are matched as UTF-8 bytes with ASCII letters folded to lower case, which is what
 * `text.toLowerCase().includes(keyword)` decides for every keyword and text except a few
 * non-ASCII letters whose lower case is ASCII (the Kelvin sign); rule regexes without the `u`
 * flag would not match those either.
 */

const ALPHABET = 256;

/** Folds ASCII upper-case bytes to lower case; every other byte maps to itself. */
const FOLD = new Uint8Array(ALPHABET).map((_, b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b));

export class KeywordAutomaton {
  /** delta[state * 256 + byte] = next state. */
  private readonly delta: Int32Array;
  /** For each state, the keyword indexes that end there (including via suffix links). */
  private readonly outputs: readonly (readonly number[])[];
  /** 1 where `outputs` is non-empty: the hot loop reads one byte, not an array's length. */
  private readonly emits: Uint8Array;
  readonly keywords: readonly string[];
  /** The empty keyword occurs in everything. */
  private readonly empty: readonly number[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const goto: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    const empty: number[] = [];
    keywords.forEach((keyword, index) => {
      if (keyword === '') {
        empty.push(index);
        return;
      }
      let state = 0;
      for (const byte of Buffer.from(keyword, 'utf8')) {
        const b = FOLD[byte] as number;
        let next = goto[state]?.get(b);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          ends.push([]);
          goto[state]?.set(b, next);
        }
        state = next;
      }
      ends[state]?.push(index);
    });
    const states = goto.length;
    const delta = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    // Breadth-first: a state's failure link and row are final before its children are built.
    const queue: number[] = [];
    for (let b = 0; b < ALPHABET; b++) {
      const child = goto[0]?.get(FOLD[b] as number);
      delta[b] = child ?? 0;
      if (child !== undefined && FOLD[b] === b) queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const failState = fail[state] as number;
      (ends[state] as number[]).push(...(ends[failState] as number[]));
      for (let b = 0; b < ALPHABET; b++) {
        const child = goto[state]?.get(FOLD[b] as number);
        if (child === undefined) {
          delta[state * ALPHABET + b] = delta[failState * ALPHABET + b] as number;
        } else {
          delta[state * ALPHABET + b] = child;
          if (FOLD[b] === b) {
            fail[child] = delta[failState * ALPHABET + b] as number;
            queue.push(child);
          }
        }
      }
    }
    this.delta = delta;
    this.empty = empty;
    this.outputs = ends;
    this.emits = Uint8Array.from(ends, (e) => (e.length > 0 ? 1 : 0));
  }

  /** Indexes of the keywords that occur in `bytes`; stops early once all have been seen. */
  find(bytes: Uint8Array): Set<number> {
    const found = new Set<number>(this.empty);
    const { delta, outputs, emits } = this;
    const total = this.keywords.length;
    const length = bytes.length;
    let state = 0;
    for (let i = 0; i < length; i++) {
      state = delta[(state << 8) | (bytes[i] as number)] as number;
      if (emits[state] === 1) {
        for (const k of outputs[state] as readonly number[]) found.add(k);
        if (found.size === total) break;
      }
    }
    return found;
  }
}
