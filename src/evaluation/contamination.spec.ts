import { findContamination, N_GRAM } from './contamination';

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('contamination check (13-grams)', () => {
  // Two test examples of 20 bytes: each has 20 - 13 + 1 = 8 n-grams.
  const ex0 = 'abcdefghijklmnopqrst';
  const ex1 = 'ABCDEFGHIJKLMNOPQRST';
  const tokens = bytes(ex0 + ex1);
  const scan = (files: Record<string, string>, threshold = 0.5) =>
    findContamination(tokens, 2, 20, Object.entries(files).map(([path, text]) => ({ path, bytes: bytes(text) })), threshold);

  it('uses 13-token n-grams', () => expect(N_GRAM).toBe(13));

  it('finds an embedded example and says where', () => {
    expect(scan({ 'a.py': `# data\n${ex0}\n`, 'b.py': 'import torch\n' })).toEqual({
      method: 'crucible-contamination/1',
      ngram: 13,
      threshold: 0.5,
      examples: [0],
      total: 2,
      file: 'a.py',
      offset: 7,
    });
  });

  it('counts an example only when at least the threshold of its n-grams occur (worked by hand)', () => {
    // 'ABCDEFGHIJKLMN' (14 bytes) holds 2 of ex1's 8 n-grams: 25%, below 50%.
    expect(scan({ 'c.txt': 'ABCDEFGHIJKLMN' })).toBeNull();
    // 16 bytes hold 4 of 8: exactly 50%.
    expect(scan({ 'c.txt': 'ABCDEFGHIJKLMNOP' })?.examples).toEqual([1]);
    // Split over two files: offsets 0-2 in one, 6-7 in the other: 5 of 8.
    expect(scan({ 'x.txt': 'ABCDEFGHIJKLMNO', 'y.txt': 'GHIJKLMNOPQRST' })?.examples).toEqual([1]);
    // With a threshold of 0.75 the 5 of 8 are not enough.
    expect(scan({ 'x.txt': 'ABCDEFGHIJKLMNO', 'y.txt': 'GHIJKLMNOPQRST' }, 0.75)).toBeNull();
  });

  it('agrees with a naive search on random data (rolling hash vs substring search)', () => {
    let state = 7;
    const rand = (n: number): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0), state % n);
    const seqLen = 40;
    const count = 30;
    const test = Uint8Array.from({ length: seqLen * count }, () => 97 + rand(4)); // a small alphabet: many partial matches
    const file = Uint8Array.from({ length: 5000 }, () => 97 + rand(4));
    // Plant examples 3 and 17 whole.
    file.set(test.subarray(3 * seqLen, 4 * seqLen), 100);
    file.set(test.subarray(17 * seqLen, 18 * seqLen), 2000);
    const text = Buffer.from(file).toString('latin1');
    const naive: number[] = [];
    for (let e = 0; e < count; e += 1) {
      let n = 0;
      for (let o = 0; o + 13 <= seqLen; o += 1) if (text.includes(Buffer.from(test.subarray(e * seqLen + o, e * seqLen + o + 13)).toString('latin1'))) n += 1;
      if (n >= 0.5 * (seqLen - 12)) naive.push(e);
    }
    expect(naive).toEqual(expect.arrayContaining([3, 17]));
    expect(findContamination(test, count, seqLen, [{ path: 'f', bytes: file }], 0.5)?.examples).toEqual(naive);
  });

  it('finds nothing in honest code', () => {
    expect(scan({ 'train.py': 'import torch\nfor step in range(100):\n    loss.backward()\n' })).toBeNull();
  });
});
