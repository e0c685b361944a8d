import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprints, K, similarPairs, tokenize, W } from './code-similarity';

const MINERS = path.resolve(__dirname, '../../test/fixtures/miners');
const read = (miner: string, file: string): string => fs.readFileSync(path.join(MINERS, miner, file), 'utf8');

describe('code similarity (winnowing)', () => {
  it('tokenises so that names, literals, comments and layout do not matter', () => {
    const a = tokenize('steps = int(hints.get("steps", 200))  # how long\n').map((t) => t.text);
    const b = tokenize('\n\nn_iter   =   int( cfg.get ( "n" , 7 ) )\n').map((t) => t.text);
    expect(a).toEqual(['V', '=', 'V', '(', 'V', '.', 'V', '(', 'S', ',', 'N', ')', ')']);
    expect(b).toEqual(a);
    expect(tokenize('for x in y:\n    pass').map((t) => t.text)).toEqual(['for', 'V', 'in', 'V', ':', 'pass']);
  });

  it('guarantees a shared fingerprint for any shared run of W + K - 1 tokens', () => {
    // 19 shared tokens inside unrelated text on both sides.
    const run = Array.from({ length: W + K - 1 }, (_, i) => `x${i} +`).join(' ');
    const left = `${'a = b\n'.repeat(30)}${run}\n${'c(d)\n'.repeat(30)}`;
    const right = `${'if e: f\n'.repeat(25)}${run}\n${'g[h]\n'.repeat(40)}`;
    const shared = new Set(fingerprints('l', left).map((f) => f.hash));
    expect(fingerprints('r', right).some((f) => shared.has(f.hash))).toBe(true);
  });

  it('lists a renamed-variable copy of the example miner above the threshold, and different miners below it', () => {
    const original = read('lm-small', 'train.py');
    const renames: Record<string, string> = { steps: 'n_iter', width: 'hidden_size', context: 'ctx_len', model: 'net', tokens: 'data', batch: 'mb', loss: 'objective', optimizer: 'opt' };
    const renamed = original.replace(/\b[A-Za-z_]\w*\b/g, (w) => renames[w] ?? w).replace(/\n/g, '\n\n') + '\n# my own work\n';
    expect(renamed).not.toEqual(original);
    const entries = new Map([
      ['original', [{ path: 'train.py', text: original }]],
      ['renamed-copy', [{ path: 'main.py', text: renamed }]],
      ['look-ahead', [{ path: 'cheat.py', text: read('look-ahead', 'cheat.py') }]],
      ['escape', [{ path: 'escape.py', text: read('escape', 'escape.py') }]],
    ]);
    const pairs = similarPairs(entries, 0.5);
    expect(pairs.map((p) => [p.a, p.b])).toEqual([['original', 'renamed-copy']]);
    expect(pairs[0].similarity).toBe(1);
    expect(pairs[0].shared[0]).toMatchObject({ fileA: 'train.py', fileB: 'main.py' });
    // The different miners share little: everything below 0.5, and the report at threshold 0 still shows them.
    const all = similarPairs(entries, 0);
    for (const p of all.filter((x) => !(x.a === 'original' && x.b === 'renamed-copy'))) expect(p.similarity).toBeLessThan(0.5);
  });
});
