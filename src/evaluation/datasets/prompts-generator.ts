import { createHash } from 'node:crypto';
import { Xoshiro128StarStar } from '../../scoring/prng';

/**
 * Prompts with verifiable answers, generated per task from its secret seed (`crucible-prompts/1`),
 * for the text task types `instruct`, `preference` and `reward`. Each example is a short ASCII
 * prompt, its answer and a wrong answer that looks right:
 *
 *   add  "37+45="     -> "82"     rejected: the answer plus or minus 1..3
 *   sub  "81-29="     -> "52"     rejected: the answer plus or minus 1..3 (never negative)
 *   rev  "rev kqzf="  -> "fzqk"   rejected: /1 the word as given (or, for a palindrome, the answer with its first letter doubled);
 *                                           /2 two adjacent letters of the answer swapped ("zfqk", "fqzk" or "fzkq")
 *
 * Operands are 0..99 (sub: the larger first); words are 3..5 letters a-z. The response a model is
 * trained and scored on is the answer followed by "\n", which ends a generation.
 *
 * Pure and versioned like the grammar generator: the stream is xoshiro128** seeded with the first 8
 * bytes (big-endian) of sha256(utf8(version) || 0x00 || utf8(seed)); per example it draws the kind
 * (below(3)), then the operands or the word's length and letters, then the rejected answer's offset
 * (below(3) + 1) and sign (below(2): 0 is minus, unless that goes below 0).
 *
 * `crucible-prompts/2` changes only the rejected `rev` answer. /1's (the word as given) can be told
 * from the answer without reversing anything: a model that never starts a response with the prompt
 * word's first letter takes the DPO loss of every such row to 0 (test/integration/hostile-text-models.spec.ts).
 * /2's is the answer with two adjacent, different letters swapped (the same letters, one position
 * apart), never the word as given: the swap is drawn with below(n) among the n positions p where
 * answer[p] != answer[p + 1] and the swapped text is not the word; a word with no such position
 * (all letters equal) keeps /1's fallback, its first letter doubled. /2 also draws each prompt once:
 * an example whose prompt was drawn before is dropped and the next one drawn, so the hidden test
 * prompts are never training prompts (under /1 about 7% of them were: 8% of sums, 13% of differences).
 */
export const PROMPTS_GENERATOR_VERSION = 'crucible-prompts/1';
export const PROMPTS_GENERATOR_VERSIONS = ['crucible-prompts/1', 'crucible-prompts/2'] as const;
export type PromptsGeneratorVersion = (typeof PROMPTS_GENERATOR_VERSIONS)[number];

/** Ends every response: the token that stops a generation. */
export const END_OF_RESPONSE = '\n';

export interface PromptExample {
  prompt: string;
  answer: string;
  rejected: string;
}

export function generatePrompts(seed: string, count: number, version: PromptsGeneratorVersion = PROMPTS_GENERATOR_VERSION): PromptExample[] {
  const digest = createHash('sha256').update(`${version}\0${seed}`, 'utf8').digest();
  const rng = new Xoshiro128StarStar(digest.readBigUInt64BE(0));
  const below = (n: number): number => rng.nextBelow(n);
  const draw = (): PromptExample => {
    const kind = below(3);
    if (kind === 2) {
      const length = 3 + below(3);
      const word = Array.from({ length }, () => String.fromCharCode(97 + below(26))).join('');
      const answer = [...word].reverse().join('');
      const rejected = version === 'crucible-prompts/1' ? (word !== answer ? word : answer[0] + answer) : swappedRejected(word, answer, below);
      return { prompt: `rev ${word}=`, answer, rejected };
    }
    let a = below(100);
    let b = below(100);
    if (kind === 1 && b > a) [a, b] = [b, a];
    const value = kind === 0 ? a + b : a - b;
    const offset = below(3) + 1;
    const minus = below(2) === 0 && value - offset >= 0;
    return { prompt: `${a}${kind === 0 ? '+' : '-'}${b}=`, answer: String(value), rejected: String(minus ? value - offset : value + offset) };
  };
  const out: PromptExample[] = [];
  const seen = new Set<string>();
  while (out.length < count) {
    const example = draw();
    // /2: every prompt once, so no test prompt is also a training prompt (under /1 about 7% were).
    if (version !== 'crucible-prompts/1' && seen.has(example.prompt)) continue;
    seen.add(example.prompt);
    out.push(example);
  }
  return out;
}

/** /2's rejected `rev` answer: two adjacent, different letters of the answer swapped, never the word itself. */
function swappedRejected(word: string, answer: string, below: (n: number) => number): string {
  const swapped = (p: number): string => answer.slice(0, p) + answer[p + 1] + answer[p] + answer.slice(p + 2);
  const positions = [...answer.slice(1)].map((_, p) => p).filter((p) => answer[p] !== answer[p + 1] && swapped(p) !== word);
  return positions.length === 0 ? answer[0] + answer : swapped(positions[below(positions.length)]);
}
