/**
 * Contamination check (`crucible-contamination/1`): does a miner's repository carry the task's test
 * examples? Every test example's n-grams of N_GRAM tokens (13, as in the GPT-3 contamination analysis)
 * are looked up in every file of the repository, byte for byte; an example counts as contaminated when
 * at least `threshold` of its n-grams occur in the repository. Token datasets are byte tokens, so a
 * file is searched as bytes.
 *
 * A fraction, not "any n-gram": 13 bytes are two or three words, which honest code and comments share
 * with any English text now and then, while a copied example brings all of its n-grams. A repository
 * that carries the data encoded (compressed, encrypted, generated at run time) is not seen by any scan:
 * that is why the default datasets are generated from the task seed and exist nowhere before it.
 *
 * Pure: files come in as bytes.
 */
export const CONTAMINATION_METHOD = 'crucible-contamination/1';
export const N_GRAM = 13;

export interface ContaminationReport {
  method: typeof CONTAMINATION_METHOD;
  ngram: number;
  threshold: number;
  /** Test examples (index in split order) whose n-grams occur in the repository, ascending. */
  examples: number[];
  total: number;
  /** The file holding most of the contaminated examples' n-grams, and where the first one starts in it. */
  file: string;
  offset: number;
}

// Read once: a global read in these byte loops is a slow lookup where the global object is a vm
// context's, as in every jest suite.
const { imul, floor } = Math;

const BASE = 257;

/** B^(N-1) mod 2^32, to take the outgoing byte off the rolling hash. */
const OUTGOING = (() => {
  let p = 1;
  for (let i = 0; i < N_GRAM - 1; i += 1) p = imul(p, BASE) >>> 0;
  return p;
})();

function hashAt(bytes: Uint8Array, start: number): number {
  let h = 0;
  for (let i = 0; i < N_GRAM; i += 1) h = (imul(h, BASE) + bytes[start + i]) >>> 0;
  return h;
}

/**
 * Scans `files` (path, bytes) for the n-grams of a token test split (`count` sequences of `seqLen`
 * tokens in `tokens`). Returns null when no example reaches the threshold.
 */
export function findContamination(
  tokens: Uint8Array,
  count: number,
  seqLen: number,
  files: Iterable<{ path: string; bytes: Uint8Array }>,
  threshold: number,
): ContaminationReport | null {
  const perExample = seqLen - N_GRAM + 1;
  if (perExample < 1 || count === 0) return null;
  // hash -> positions (example * seqLen + offset) of the test n-grams with that hash.
  const index = new Map<number, number[]>();
  for (let e = 0; e < count; e += 1) {
    for (let o = 0; o < perExample; o += 1) {
      const at = e * seqLen + o;
      const h = hashAt(tokens, at);
      const list = index.get(h);
      if (list) list.push(at);
      else index.set(h, [at]);
    }
  }
  const found = new Uint8Array(count * perExample);
  const hitsPerFile = new Map<string, { hits: number; first: number }>();
  for (const { path, bytes } of files) {
    if (bytes.length < N_GRAM) continue;
    let h = hashAt(bytes, 0);
    for (let i = 0; ; i += 1) {
      const candidates = index.get(h);
      if (candidates) {
        for (const at of candidates) {
          if (!sameBytes(tokens, at, bytes, i)) continue;
          const slot = floor(at / seqLen) * perExample + (at % seqLen);
          if (found[slot]) continue;
          found[slot] = 1;
          const f = hitsPerFile.get(path) ?? { hits: 0, first: i };
          f.hits += 1;
          hitsPerFile.set(path, f);
        }
      }
      if (i + N_GRAM >= bytes.length) break;
      h = (imul((h - imul(bytes[i], OUTGOING)) >>> 0, BASE) + bytes[i + N_GRAM]) >>> 0;
    }
  }
  const examples: number[] = [];
  for (let e = 0; e < count; e += 1) {
    let n = 0;
    for (let o = 0; o < perExample; o += 1) n += found[e * perExample + o];
    if (n >= threshold * perExample) examples.push(e);
  }
  if (examples.length === 0) return null;
  const [file, where] = [...hitsPerFile.entries()].sort((a, b) => b[1].hits - a[1].hits || a[0].localeCompare(b[0]))[0];
  return { method: CONTAMINATION_METHOD, ngram: N_GRAM, threshold, examples, total: count, file, offset: where.first };
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number): boolean {
  for (let i = 0; i < N_GRAM; i += 1) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}
