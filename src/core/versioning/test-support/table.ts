/** The shape of every scheme's literal table (written from the scheme's spec, not from our output). */
export interface SchemeTable {
  /** Each pair is strictly ascending: a < b. */
  ascending: readonly (readonly [string, string])[];
  /** Each pair compares equal. */
  equal: readonly (readonly [string, string])[];
  /** Not versions of this scheme. */
  invalid: readonly string[];
}
