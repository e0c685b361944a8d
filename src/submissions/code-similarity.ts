import { createHash } from 'node:crypto';

/**
 * Code similarity by winnowed fingerprints (Schleimer, Wilkerson, Aiken, "Winnowing: local algorithms
 * for document fingerprinting", SIGMOD 2003: the MOSS algorithm), for the organiser's report. It
 * flags, it does not disqualify.
 *
 * 1. Each source file is tokenised so renaming and reformatting change nothing: identifiers become
 *    `V`, numbers `N`, string literals `S`; keywords and punctuation stay; whitespace and comments go.
 * 2. Every K consecutive tokens (a k-gram) is hashed (first 4 bytes of its sha256).
 * 3. Winnowing: in every window of W consecutive hashes the minimum is a fingerprint (the rightmost
 *    on ties), so any shared run of at least W + K - 1 tokens yields at least one shared fingerprint.
 * 4. Similarity of two entries: shared fingerprints / the smaller entry's fingerprints.
 *
 * Pure: files come in as text.
 */
export const K = 12;
export const DEFAULT_SIMILARITY_THRESHOLD = 0.5;
export const W = 8;

const KEYWORDS = new Set(
  [
    // Python
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield',
    // shell
    'then fi do done case esac function local export echo set',
  ]
    .join(' ')
    .split(' '),
);

interface Token {
  text: string;
  line: number;
}

/** Tokens of Python/shell-like source; other text files tokenise the same way well enough. */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  const re = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|([A-Za-z_][A-Za-z0-9_]*)|(\d[\d_.eExXa-fA-F]*)|(\n)|([^\sA-Za-z0-9_])/g;
  let line = 1;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const [all, comment, string, word, number, newline, punct] = m;
    if (newline) line += 1;
    else if (comment) continue;
    else if (string) out.push({ text: 'S', line });
    else if (word) out.push({ text: KEYWORDS.has(word) ? word : 'V', line });
    else if (number) out.push({ text: 'N', line });
    else if (punct) out.push({ text: punct, line });
    if (string) line += (all.match(/\n/g) ?? []).length;
  }
  return out;
}

export interface Fingerprint {
  hash: number;
  file: string;
  /** Source lines the k-gram spans. */
  fromLine: number;
  toLine: number;
}

/** The winnowed fingerprints of one file. */
export function fingerprints(file: string, source: string): Fingerprint[] {
  const tokens = tokenize(source);
  const grams: Fingerprint[] = [];
  for (let i = 0; i + K <= tokens.length; i += 1) {
    const text = tokens
      .slice(i, i + K)
      .map((t) => t.text)
      .join('\u0001');
    grams.push({ hash: createHash('sha256').update(text).digest().readUInt32BE(0), file, fromLine: tokens[i].line, toLine: tokens[i + K - 1].line });
  }
  if (grams.length <= W) return grams.length ? [minimum(grams, 0, grams.length)] : [];
  const picked: Fingerprint[] = [];
  let last = -1;
  for (let start = 0; start + W <= grams.length; start += 1) {
    const at = minimumIndex(grams, start, start + W);
    if (at !== last) picked.push(grams[at]);
    last = at;
  }
  return picked;
}

function minimumIndex(grams: Fingerprint[], from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i += 1) if (grams[i].hash <= grams[best].hash) best = i;
  return best;
}

function minimum(grams: Fingerprint[], from: number, to: number): Fingerprint {
  return grams[minimumIndex(grams, from, to)];
}

export interface SharedPassage {
  fileA: string;
  linesA: [number, number];
  fileB: string;
  linesB: [number, number];
}

export interface SimilarityPair {
  a: string;
  b: string;
  /** Shared fingerprints over the smaller side's fingerprints, in [0, 1]. */
  similarity: number;
  shared: SharedPassage[];
}

/**
 * Every pair of entries (id -> files) at or above `threshold`, most similar first. Shared passages
 * merge adjacent matching lines per file pair (at most 20 per pair).
 */
export function similarPairs(entries: ReadonlyMap<string, ReadonlyArray<{ path: string; text: string }>>, threshold: number): SimilarityPair[] {
  const prints: Array<{ id: string; byHash: Map<number, Fingerprint> }> = [];
  for (const [id, files] of entries) {
    const byHash = new Map<number, Fingerprint>();
    for (const f of files) for (const fp of fingerprints(f.path, f.text)) if (!byHash.has(fp.hash)) byHash.set(fp.hash, fp);
    prints.push({ id, byHash });
  }
  prints.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const pairs: SimilarityPair[] = [];
  for (let i = 0; i < prints.length; i += 1) {
    for (let j = i + 1; j < prints.length; j += 1) {
      const [a, b] = [prints[i].byHash, prints[j].byHash];
      const smaller = Math.min(a.size, b.size);
      if (smaller === 0) continue;
      const common: Array<[Fingerprint, Fingerprint]> = [];
      for (const [hash, fa] of a) {
        const fb = b.get(hash);
        if (fb) common.push([fa, fb]);
      }
      const similarity = common.length / smaller;
      if (similarity < threshold) continue;
      pairs.push({ a: prints[i].id, b: prints[j].id, similarity, shared: passages(common) });
    }
  }
  return pairs.sort((x, y) => y.similarity - x.similarity || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
}

function passages(matches: Array<[Fingerprint, Fingerprint]>): SharedPassage[] {
  const sorted = matches.sort((x, y) => x[0].file.localeCompare(y[0].file) || x[0].fromLine - y[0].fromLine);
  const out: SharedPassage[] = [];
  for (const [fa, fb] of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.fileA === fa.file && prev.fileB === fb.file && fa.fromLine <= prev.linesA[1] + 1) {
      prev.linesA[1] = Math.max(prev.linesA[1], fa.toLine);
      prev.linesB = [Math.min(prev.linesB[0], fb.fromLine), Math.max(prev.linesB[1], fb.toLine)];
      continue;
    }
    out.push({ fileA: fa.file, linesA: [fa.fromLine, fa.toLine], fileB: fb.file, linesB: [fb.fromLine, fb.toLine] });
  }
  return out.slice(0, 20);
}
