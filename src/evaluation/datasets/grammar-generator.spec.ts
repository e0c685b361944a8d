import { DatasetRegistry } from './dataset-registry';
import { generateGrammarCorpus } from './grammar-generator';
import { splitDataset } from './split';

const words = (corpus: Uint8Array): Set<string> => new Set(Buffer.from(corpus).toString('ascii').toLowerCase().match(/[a-z]+/g) ?? []);

describe('generated grammar corpus (crucible-grammar/1)', () => {
  it('is exactly the requested size, ASCII text, and the same for the same seed', () => {
    const a = generateGrammarCorpus('seed-a', 50_000);
    expect(a.length).toBe(50_000);
    expect(a.every((b) => b === 10 || (b >= 32 && b < 127))).toBe(true);
    expect(Buffer.from(generateGrammarCorpus('seed-a', 50_000)).equals(Buffer.from(a))).toBe(true);
    // A longer corpus of the same seed starts with the shorter one (one stream, cut at the end).
    expect(Buffer.from(generateGrammarCorpus('seed-a', 60_000).subarray(0, 50_000)).equals(Buffer.from(a))).toBe(true);
  });

  it('invents a different language per seed: the two vocabularies share only the fixed function words', () => {
    const a = words(generateGrammarCorpus('seed-a', 50_000));
    const b = words(generateGrammarCorpus('seed-b', 50_000));
    const shared = [...a].filter((w) => b.has(w));
    const functionWords = ['the', 'a', 'every', 'some', 'no', 'that', 'in', 'on', 'with', 'under', 'near', 'beyond', 'and', 'but', 'while', 'because'];
    // Invented words are 1-2 random syllables from a 29 x 9 x 10 inventory: a few chance collisions at most.
    expect(shared.filter((w) => !functionWords.includes(w)).length).toBeLessThan(6);
    expect(a.size).toBeGreaterThan(100);
  });

  it('is learnable: the verb after a subject depends on the subject (hidden noun classes)', () => {
    // Bigram entropy over words is well below unigram entropy when the grammar carries structure.
    const text = Buffer.from(generateGrammarCorpus('seed-c', 200_000)).toString('ascii').toLowerCase().match(/[a-z]+/g) ?? [];
    const uni = new Map<string, number>();
    const bi = new Map<string, number>();
    text.forEach((w, i) => {
      uni.set(w, (uni.get(w) ?? 0) + 1);
      if (i > 0) bi.set(`${text[i - 1]} ${w}`, (bi.get(`${text[i - 1]} ${w}`) ?? 0) + 1);
    });
    const entropy = (counts: Iterable<number>, total: number): number => [...counts].reduce((h, c) => h - (c / total) * Math.log2(c / total), 0);
    const hUni = entropy(uni.values(), text.length);
    const hConditional = entropy(bi.values(), text.length - 1) - hUni; // H(w_i | w_{i-1}) = H(pair) - H(prev)
    expect(hConditional).toBeLessThan(hUni - 1);
  });

  it('serves as the registry dataset grammar-lm-v1: needs the task seed, splits like a stored corpus', async () => {
    const registry = new DatasetRegistry();
    expect(registry.visibility('grammar-lm-v1').visibility).toBe('generated');
    expect(registry.visibility('devils-dictionary').visibility).toBe('public');
    await expect(registry.load('grammar-lm-v1')).rejects.toThrow(/generated from the task seed/);
    const ds = await registry.load('grammar-lm-v1', 'task-seed');
    expect(ds).toMatchObject({ kind: 'tokens', seqLen: 128 });
    const split = splitDataset(ds, 'task-seed');
    // 3072 windows of 128 bytes; 10% (307.2, rounded) are test windows.
    expect(split.testIndices).toHaveLength(307);
  });
});
