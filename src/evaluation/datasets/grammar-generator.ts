import { createHash } from 'node:crypto';
import { Xoshiro128StarStar } from '../../scoring/prng';

/**
 * A language generated per task from its secret seed (`crucible-grammar/1`): a random lexicon of
 * invented words and a random probabilistic grammar over it, with hidden noun classes that decide
 * which verbs follow a subject. Nothing of a task's text exists before its seed is drawn, so no
 * miner can carry the test set in a repository; after the reveal anyone regenerates the corpus from
 * the seed and this version and re-derives the split and its commitment like a stored dataset.
 *
 * Pure and versioned: any change to the output for the same seed is a new version string (the
 * rulebook names datasets by id, and each generated dataset id pins one version).
 *
 * The stream: xoshiro128** seeded with the first 8 bytes (big-endian) of
 * sha256(utf8("crucible-grammar/1") || 0x00 || utf8(seed)). Weighted choices draw
 * next() / 2^32 * total and walk the cumulative weights. The lexicon is drawn first, then sentences
 * until the corpus has `bytes` bytes; the corpus is cut to exactly `bytes` (ASCII only).
 */
export const GRAMMAR_GENERATOR_VERSION = 'crucible-grammar/1';

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'dr', 'fr', 'gl', 'pl', 'pr', 'st', 'tr', 'sh', 'th'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'oo', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 't', 'm', 'k'];
const DETERMINERS = ['the', 'a', 'every', 'some', 'no', 'that'];
const PREPOSITIONS = ['in', 'on', 'with', 'under', 'near', 'beyond'];
const CONJUNCTIONS = ['and', 'but', 'while', 'because'];
const CLASSES = 4;

class Stream {
  private readonly rng: Xoshiro128StarStar;

  constructor(seed: string) {
    const digest = createHash('sha256').update(`${GRAMMAR_GENERATOR_VERSION}\0${seed}`, 'utf8').digest();
    this.rng = new Xoshiro128StarStar(digest.readBigUInt64BE(0));
  }

  /** Uniform in [0, 1). */
  unit(): number {
    return this.rng.next() / 4294967296;
  }

  below(n: number): number {
    return this.rng.nextBelow(n);
  }

  /** Index drawn with probability weights[i] / sum(weights). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    // Indexed, not for-of: this runs for most words of the corpus and the array iterator cost 4x.
    for (let i = 0; i < weights.length; i += 1) total += weights[i];
    let x = this.unit() * total;
    for (let i = 0; i < weights.length; i += 1) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

interface Lexicon {
  nouns: string[];
  nounClass: number[];
  nounWeights: number[];
  names: string[];
  nameClass: number[];
  adjectives: string[];
  adjectiveWeights: number[];
  adverbs: string[];
  verbs: string[];
  /** Per subject class: a Zipf distribution over the verbs in a class-specific order. */
  verbWeights: number[][];
  detWeights: number[];
}

function zipf(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1));
}

function inventWords(s: Stream, count: number, minSyllables: number, maxSyllables: number, taken: Set<string>): string[] {
  const words: string[] = [];
  while (words.length < count) {
    const syllables = minSyllables + s.below(maxSyllables - minSyllables + 1);
    let w = '';
    for (let k = 0; k < syllables; k += 1) w += ONSETS[s.below(ONSETS.length)] + VOWELS[s.below(VOWELS.length)] + CODAS[s.below(CODAS.length)];
    if (taken.has(w)) continue;
    taken.add(w);
    words.push(w);
  }
  return words;
}

function drawLexicon(s: Stream): Lexicon {
  const taken = new Set<string>([...DETERMINERS, ...PREPOSITIONS, ...CONJUNCTIONS]);
  const nouns = inventWords(s, 48, 1, 2, taken);
  const names = inventWords(s, 12, 2, 2, taken).map((w) => w[0].toUpperCase() + w.slice(1));
  const adjectives = inventWords(s, 24, 1, 2, taken);
  const adverbs = inventWords(s, 12, 1, 2, taken).map((w) => `${w}ly`);
  const verbs = inventWords(s, 32, 1, 2, taken);
  const verbWeights = Array.from({ length: CLASSES }, () => {
    const order = verbs.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = s.below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const weights = new Array<number>(verbs.length).fill(0);
    zipf(verbs.length).forEach((w, rank) => (weights[order[rank]] = w));
    return weights;
  });
  return {
    nouns,
    nounClass: nouns.map(() => s.below(CLASSES)),
    nounWeights: zipf(nouns.length),
    names,
    nameClass: names.map(() => s.below(CLASSES)),
    adjectives,
    adjectiveWeights: zipf(adjectives.length),
    adverbs,
    verbs,
    verbWeights,
    detWeights: DETERMINERS.map(() => 1 + s.below(8)),
  };
}

function nounPhrase(s: Stream, lex: Lexicon, depth: number): { text: string; cls: number } {
  if (s.unit() < 0.2) {
    const i = s.below(lex.names.length);
    return { text: lex.names[i], cls: lex.nameClass[i] };
  }
  const words = [DETERMINERS[s.weighted(lex.detWeights)]];
  for (let k = 0; k < 2 && s.unit() < 0.35; k += 1) words.push(lex.adjectives[s.weighted(lex.adjectiveWeights)]);
  const n = s.weighted(lex.nounWeights);
  words.push(lex.nouns[n]);
  if (depth < 1 && s.unit() < 0.2) words.push(PREPOSITIONS[s.below(PREPOSITIONS.length)], nounPhrase(s, lex, depth + 1).text);
  return { text: words.join(' '), cls: lex.nounClass[n] };
}

function clause(s: Stream, lex: Lexicon): string {
  const subject = nounPhrase(s, lex, 0);
  const verb = lex.verbs[s.weighted(lex.verbWeights[subject.cls])];
  const r = s.unit();
  if (r < 0.6) return `${subject.text} ${verb} ${nounPhrase(s, lex, 1).text}`;
  if (r < 0.8) return `${subject.text} ${verb}`;
  return `${subject.text} ${verb} ${lex.adverbs[s.below(lex.adverbs.length)]}`;
}

function sentence(s: Stream, lex: Lexicon): string {
  let text = clause(s, lex);
  for (let k = 0; k < 2 && s.unit() < 0.25; k += 1) text += ` ${CONJUNCTIONS[s.below(CONJUNCTIONS.length)]} ${clause(s, lex)}`;
  return `${text[0].toUpperCase()}${text.slice(1)}${s.unit() < 0.1 ? '!' : '.'}`;
}

/** The corpus of one seed: exactly `bytes` ASCII bytes of generated sentences. */
export function generateGrammarCorpus(seed: string, bytes: number): Uint8Array {
  const s = new Stream(seed);
  const lex = drawLexicon(s);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const piece = sentence(s, lex) + (s.unit() < 0.15 ? '\n' : ' ');
    parts.push(piece);
    length += piece.length;
  }
  return new Uint8Array(Buffer.from(parts.join('').slice(0, bytes), 'ascii'));
}
