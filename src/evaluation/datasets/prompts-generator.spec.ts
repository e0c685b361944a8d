import { generatePrompts } from './prompts-generator';
import { canonicalPromptSplit, parsePromptSplit, PROMPTS_MAGIC } from './prompts-split';
import { createHash } from 'node:crypto';

/** What a prompt asks, recomputed from its text (a second source for the generator's answers). */
function solve(prompt: string): string {
  const sum = /^(\d{1,2})\+(\d{1,2})=$/.exec(prompt);
  if (sum) return String(Number(sum[1]) + Number(sum[2]));
  const diff = /^(\d{1,2})-(\d{1,2})=$/.exec(prompt);
  if (diff) return String(Number(diff[1]) - Number(diff[2]));
  const rev = /^rev ([a-z]{3,5})=$/.exec(prompt);
  if (rev) return rev[1].split('').reverse().join('');
  throw new Error(`unexpected prompt ${JSON.stringify(prompt)}`);
}

describe('crucible-prompts/1', () => {
  const examples = generatePrompts('seed-a', 3000);

  it('is a pure function of the seed', () => {
    expect(generatePrompts('seed-a', 50)).toEqual(examples.slice(0, 50));
    const other = generatePrompts('seed-b', 50);
    expect(other.filter((ex, i) => ex.prompt === examples[i].prompt).length).toBeLessThan(5);
  });

  it('answers every prompt correctly, rejects with a different answer, and fits 20 bytes with its "\\n"', () => {
    for (const ex of examples) {
      expect(ex.answer).toBe(solve(ex.prompt));
      expect(ex.rejected).not.toBe(ex.answer);
      expect(Number(ex.rejected) < 0).toBe(false);
      expect(ex.prompt.length + Math.max(ex.answer.length, ex.rejected.length) + 1).toBeLessThanOrEqual(20);
    }
  });

  it('draws the three kinds about equally', () => {
    const kinds = { add: 0, sub: 0, rev: 0 };
    for (const ex of examples) kinds[ex.prompt.startsWith('rev') ? 'rev' : ex.prompt.includes('+') ? 'add' : 'sub'] += 1;
    for (const n of Object.values(kinds)) expect(n).toBeGreaterThan(900);
  });

  it('round-trips the canonical test split, reference model included', () => {
    const onnx = new Uint8Array([1, 2, 3, 4, 5]);
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    const bytes = canonicalPromptSplit({ kind: 'prompts', seqLen: 20, testIndices: [3, 9], test: examples.slice(0, 2), train: [], baseModel: { id: 'x', sha256, dir: '', onnx } });
    const parsed = parsePromptSplit(bytes, PROMPTS_MAGIC.length);
    expect(parsed).toMatchObject({ kind: 'prompts', seqLen: 20, count: 2, baseModelSha256: sha256, examples: examples.slice(0, 2) });
    expect(Array.from(parsed.indices)).toEqual([3, 9]);
    expect(Array.from(parsed.reference)).toEqual([1, 2, 3, 4, 5]);
    const tampered = Buffer.from(bytes);
    tampered[PROMPTS_MAGIC.length + 44] ^= 1;
    expect(() => parsePromptSplit(tampered, PROMPTS_MAGIC.length)).toThrow(/reference model/);
  });
});

describe('crucible-prompts/2', () => {
  const examples = generatePrompts('seed-a', 3000, 'crucible-prompts/2');

  it('leaves /1 as it was: the same examples as the generator before /2 existed', () => {
    // sha256 of JSON.stringify(generatePrompts('seed-a', 3000)) computed with the generator at
    // df9a393, before the version parameter was added.
    const v1 = JSON.stringify(generatePrompts('seed-a', 3000, 'crucible-prompts/1'));
    expect(createHash('sha256').update(v1).digest('hex')).toBe('46632dc5e66d272cf06b6d1d303b662ee44bb71edf8df747daf17d5be3133292');
    expect(generatePrompts('seed-a', 3000)).toEqual(JSON.parse(v1));
  });

  it('answers as /1 does; a reversed word is rejected with two adjacent letters of its answer swapped, never the word as given', () => {
    let swaps = 0;
    for (const ex of examples) {
      expect(ex.answer).toBe(solve(ex.prompt));
      expect(ex.rejected).not.toBe(ex.answer);
      expect(ex.prompt.length + Math.max(ex.answer.length, ex.rejected.length) + 1).toBeLessThanOrEqual(20);
      if (!ex.prompt.startsWith('rev ')) continue;
      const word = ex.prompt.slice(4, -1);
      expect(ex.rejected).not.toBe(word);
      if (new Set(word).size === 1) {
        expect(ex.rejected).toBe(ex.answer[0] + ex.answer);
        continue;
      }
      const differ = [...ex.answer].flatMap((c, i) => (c === ex.rejected[i] ? [] : [i]));
      expect(differ).toHaveLength(2);
      expect(differ[1]).toBe(differ[0] + 1);
      expect(ex.rejected[differ[0]]).toBe(ex.answer[differ[1]]);
      expect(ex.rejected[differ[1]]).toBe(ex.answer[differ[0]]);
      swaps += 1;
    }
    expect(swaps).toBeGreaterThan(900);
  });

  it('draws every prompt once, so no hidden test prompt is a training prompt', () => {
    expect(new Set(examples.map((ex) => ex.prompt)).size).toBe(examples.length);
    // /1 repeats prompts: with 10,000 sums and 5,050 differences, 3,000 draws repeat some.
    const v1 = generatePrompts('seed-a', 3000, 'crucible-prompts/1');
    expect(new Set(v1.map((ex) => ex.prompt)).size).toBeLessThan(v1.length);
  });
});
