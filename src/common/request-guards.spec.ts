import { ValidationError } from './domain-error';
import { MAX_INPUT_DEPTH, SafeInputPipe } from './request-guards';

describe('SafeInputPipe', () => {
  const pipe = new SafeInputPipe();
  const refusal = (value: unknown, metadata: { type: string; data?: string }) => {
    try {
      pipe.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationError) return { message: error.message, fields: error.fields };
      throw error;
    }
    return null;
  };

  it('passes ordinary values through unchanged', () => {
    const body = { reason: 'done', nested: { list: [1, 'two', null, { ok: true }] } };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(pipe.transform('7', { type: 'query', data: 'days' })).toBe('7');
  });

  it('names the field that holds a NUL byte, at any depth', () => {
    expect(refusal({ type: '\u0000' }, { type: 'query' })).toEqual({ message: 'type must not contain a NUL byte', fields: ['type'] });
    expect(refusal({ a: { b: ['x', 'y\u0000'] } }, { type: 'body' })?.fields).toEqual(['a.b.1']);
    expect(refusal('7\u0000', { type: 'query', data: 'days' })?.fields).toEqual(['days']);
    expect(refusal({ 'k\u0000': 1 }, { type: 'body' })?.message).toMatch(/field name with a NUL byte/);
  });

  it(`refuses documents nested deeper than ${MAX_INPUT_DEPTH} levels, without recursing`, () => {
    const nest = (levels: number) => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    expect(refusal(nest(MAX_INPUT_DEPTH), { type: 'body' })).toBeNull();
    expect(refusal(nest(MAX_INPUT_DEPTH + 1), { type: 'body' })?.message).toBe(`body nests deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(refusal(nest(100_000), { type: 'body' })?.message).toMatch(/nests deeper/);
  });
});
