import * as path from 'node:path';
import { EnvReader } from './env-reader';

/** Every reader kind, on made-up variable names; each section's spec covers the real ones. */
describe('EnvReader', () => {
  const reader = (env: Record<string, string>) => new EnvReader(env);

  it('str: trims, and treats blank as unset', () => {
    const r = reader({ A: '  x  ', B: '   ' });
    expect(r.str('A')).toBe('x');
    expect(r.str('B')).toBeUndefined();
    expect(r.str('B', 'fallback')).toBe('fallback');
    expect(r.str('MISSING', 'fallback')).toBe('fallback');
    expect(r.problems).toEqual([]);
  });

  it('path: resolved against the working directory or the base given', () => {
    const r = reader({ REL: 'x/y', ABS: '/srv/z' });
    expect(r.path('REL')).toBe(path.join(process.cwd(), 'x', 'y'));
    expect(r.path('ABS')).toBe('/srv/z');
    expect(r.path('MISSING')).toBeUndefined();
    expect(r.path('MISSING', 'd', '/base')).toBe('/base/d');
    expect(r.path('REL', 'd', '/base')).toBe('/base/x/y');
  });

  it('int: whole numbers within the range, bounds included', () => {
    const r = reader({ LOW: '1', HIGH: '10', FRACTION: '2.5', OVER: '11', UNDER: '0', WORD: 'ten' });
    expect(r.int('LOW', 5, 1, 10)).toBe(1);
    expect(r.int('HIGH', 5, 1, 10)).toBe(10);
    expect(r.int('MISSING', 5, 1, 10)).toBe(5);
    expect(r.problems).toEqual([]);
    // A refused value records the problem and gives the default, so the other variables are still read.
    expect(r.int('FRACTION', 5, 1, 10)).toBe(5);
    expect(r.int('OVER', 5, 1, 10)).toBe(5);
    expect(r.int('UNDER', 5, 1, 10)).toBe(5);
    expect(r.int('WORD', 5, 1, 10)).toBe(5);
    expect(r.problems).toEqual([
      'FRACTION must be an integer between 1 and 10 (got "2.5")',
      'OVER must be an integer between 1 and 10 (got "11")',
      'UNDER must be an integer between 1 and 10 (got "0")',
      'WORD must be an integer between 1 and 10 (got "ten")',
    ]);
    // Number() reads hex: a whole number in range, as before the split.
    expect(reader({ HEX: '0x5' }).int('HEX', 1, 0, 10)).toBe(5);
  });

  it('num: finite numbers within the range', () => {
    const r = reader({ OK: '0.25', OVER: '2', INF: 'Infinity', NAN: 'x' });
    expect(r.num('OK', 1, 0.1, 1)).toBe(0.25);
    expect(r.num('OVER', 1, 0.1, 1)).toBe(1);
    expect(r.num('INF', 1, 0.1, 1)).toBe(1);
    expect(r.num('NAN', 1, 0.1, 1)).toBe(1);
    expect(r.problems).toEqual([
      'OVER must be a number between 0.1 and 1 (got "2")',
      'INF must be a number between 0.1 and 1 (got "Infinity")',
      'NAN must be a number between 0.1 and 1 (got "x")',
    ]);
  });

  it('bool: 1/true/yes/on and 0/false/no/off in any case', () => {
    const yes = ['1', 'true', 'YES', 'On'];
    const no = ['0', 'FALSE', 'no', 'off'];
    for (const raw of yes) expect(reader({ B: raw }).bool('B', false)).toBe(true);
    for (const raw of no) expect(reader({ B: raw }).bool('B', true)).toBe(false);
    const r = reader({ B: 'y' });
    expect(r.bool('B', true)).toBe(true);
    expect(r.problems).toEqual(['B must be true or false (got "y")']);
  });

  it('oneOf: exact, case-sensitive choices', () => {
    const r = reader({ OK: 'b', CASE: 'B' });
    expect(r.oneOf('OK', ['a', 'b'], 'a')).toBe('b');
    expect(r.oneOf('CASE', ['a', 'b'], 'a')).toBe('a');
    expect(r.problems).toEqual(['CASE must be one of a, b (got "B")']);
  });

  it('url: scheme checked; the value is never echoed (it may carry a password)', () => {
    const r = reader({ OK: 'wss://host:443/x', SCHEME: 'https://user:hunter2@host', BROKEN: '//user:hunter2@host' });
    expect(r.url('OK', ['ws', 'wss'])).toBe('wss://host:443/x');
    expect(r.url('SCHEME', ['ws', 'wss'])).toBe('https://user:hunter2@host');
    expect(r.url('BROKEN', ['ws', 'wss'])).toBe('//user:hunter2@host');
    expect(r.url('MISSING', ['ws'])).toBeUndefined();
    expect(r.problems).toEqual(['SCHEME must use one of the schemes ws, wss', 'BROKEN is not a valid URL']);
    expect(r.problems.join()).not.toContain('hunter2');
  });

  it('u64: decimal, below 2^64, kept as text', () => {
    // 2^64 = 18446744073709551616
    const r = reader({ MAX: '18446744073709551615', OVER: '18446744073709551616', NEG: '-1', LONG: '000000000000000000001' });
    expect(r.u64('MAX')).toBe('18446744073709551615');
    expect(r.u64('OVER')).toBe('18446744073709551616');
    expect(r.u64('NEG')).toBe('-1');
    expect(r.u64('LONG')).toBe('000000000000000000001');
    expect(r.problems).toEqual([
      'OVER must be an unsigned 64-bit integer',
      'NEG must be an unsigned 64-bit integer',
      'LONG must be an unsigned 64-bit integer',
    ]);
  });

  it('list: comma-separated, trimmed, empty entries dropped', () => {
    expect(reader({ L: ' a, b ,,c ' }).list('L', 'x')).toEqual(['a', 'b', 'c']);
    expect(reader({}).list('L', 'x,y')).toEqual(['x', 'y']);
    expect(reader({}).list('L', '')).toEqual([]);
  });

  it('keyValues: key=value pairs, all or nothing', () => {
    expect(reader({ KV: 'a=1, b = 2' }).keyValues('KV')).toEqual({ a: '1', b: '2' });
    expect(reader({}).keyValues('KV')).toEqual({});
    const r = reader({ KV: 'a=1,b' });
    expect(r.keyValues('KV')).toEqual({});
    expect(r.problems).toEqual(['KV must look like key=value,key2=value2']);
  });

  it('require: names the variable and when it is needed', () => {
    const r = reader({});
    r.require('NEEDED', undefined, 'when X=y');
    r.require('GIVEN', 'v', 'when X=y');
    expect(r.problems).toEqual(['NEEDED is required when X=y']);
  });
});
