import * as path from 'node:path';

export type Env = Record<string, string | undefined>;

/**
 * Typed readers for each kind of variable. A bad value records a problem naming the variable and
 * what it expects, and the reader returns the default, so one pass over the environment lists every
 * problem. Values of variables that may hold secrets (URLs, tokens) are never echoed.
 */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  /** The trimmed value; blank counts as unset. */
  str(name: string): string | undefined;
  str(name: string, fallback: string): string;
  str(name: string, fallback?: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  }

  /** A path, resolved against `base` (default: the working directory). */
  path(name: string, fallback: string, base?: string): string;
  path(name: string): string | undefined;
  path(name: string, fallback?: string, base = '.'): string | undefined {
    const raw = fallback === undefined ? this.str(name) : this.str(name, fallback);
    return raw === undefined ? undefined : path.resolve(base, raw);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  num(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problem(`${name} must be a number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problem(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const found = allowed.find((value) => value === raw);
    if (found === undefined) {
      this.problem(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return found;
  }

  /** An absolute URL with one of `schemes`; the value is never echoed (a database URL carries a password). */
  url(name: string, schemes: readonly string[]): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      this.problem(`${name} is not a valid URL`);
      return raw;
    }
    if (!schemes.includes(parsed.protocol.replace(':', ''))) this.problem(`${name} must use one of the schemes ${schemes.join(', ')}`);
    return raw;
  }

  /** A decimal unsigned 64-bit integer, kept as a string (it does not fit a number). */
  u64(name: string): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    if (!/^\d{1,20}$/.test(raw) || BigInt(raw) >= 1n << 64n) this.problem(`${name} must be an unsigned 64-bit integer`);
    return raw;
  }

  /** Comma-separated values, trimmed, empty entries dropped. */
  list(name: string, fallback: string): string[] {
    return this.str(name, fallback).split(',').map((item) => item.trim()).filter(Boolean);
  }

  /** `key=value,key2=value2`; {} when unset or malformed. */
  keyValues(name: string): Record<string, string> {
    const raw = this.str(name);
    if (raw === undefined) return {};
    const out: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      const [k, v] = pair.split('=');
      if (!k || v === undefined) {
        this.problem(`${name} must look like key=value,key2=value2`);
        return {};
      }
      out[k.trim()] = v.trim();
    }
    return out;
  }

  require(name: string, value: string | undefined, why: string): void {
    if (value === undefined) this.problem(`${name} is required ${why}`);
  }
}
