import { EnvReader, type Env } from '../../src/config/env-reader';

/** One section read from `env`, with the problems it recorded. */
export function readSection<T>(read: (r: EnvReader) => T, env: Env): { config: T; problems: string[] } {
  const r = new EnvReader(env);
  const config = read(r);
  return { config, problems: r.problems };
}

/**
 * One variable's cases, written by hand: the value when unset, valid settings and what they parse
 * to, and bad settings with the exact problem each one reports.
 */
export interface VariableCases<T> {
  name: string;
  get: (config: T) => unknown;
  unset: unknown;
  valid: [raw: string, parsed: unknown][];
  invalid?: [raw: string, problem: string][];
}

/** A describe block per variable; `base` holds what the section needs besides the variable (e.g. the driver). */
export function describeVariables<T>(read: (r: EnvReader) => T, cases: VariableCases<T>[], base: Env = {}): void {
  describe.each(cases)('$name', ({ name, get, unset, valid, invalid }) => {
    it('has its default when unset or blank', () => {
      for (const env of [base, { ...base, [name]: '  ' }]) {
        const { config, problems } = readSection(read, env);
        expect(problems).toEqual([]);
        expect(get(config)).toEqual(unset);
      }
    });

    it.each(valid)('reads %j', (raw, parsed) => {
      const { config, problems } = readSection(read, { ...base, [name]: raw });
      expect(problems).toEqual([]);
      expect(get(config)).toEqual(parsed);
    });

    if (invalid?.length) {
      it.each(invalid)('refuses %j', (raw, problem) => {
        expect(readSection(read, { ...base, [name]: raw }).problems).toEqual([problem]);
      });
    }
  });
}
