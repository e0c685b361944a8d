import type { DestinationStream } from 'pino';
import { isRecord } from './is-record';

const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'context', 'msg', 'role']);

/**
 * Renders pino's JSON lines for a person at a terminal (CRUCIBLE_LOG_FORMAT=text, the default):
 * `time LEVEL [context] message key=value ...`, a multi-line error (a stack) after the line.
 * Warnings and errors go to stderr, the rest to stdout.
 */
export class TextLogStream implements DestinationStream {
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  write(line: string): void {
    const parsed: unknown = JSON.parse(line);
    const entry = isRecord(parsed) ? parsed : { msg: line };
    const level = String(entry.level);
    const fields: string[] = [];
    const blocks: string[] = [];
    for (const [key, value] of Object.entries(entry)) {
      if (HIDDEN.has(key) || value === undefined) continue;
      if (typeof value === 'string' && value.includes('\n')) blocks.push(value);
      else fields.push(`${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`);
    }
    const context = entry.context ? ` [${String(entry.context)}]` : '';
    const text = [`${String(entry.time)} ${level.toUpperCase().padEnd(5)}${context} ${String(entry.msg ?? '')}`, ...fields].join(' ');
    (level === 'warn' || level === 'error' || level === 'fatal' ? this.err : this.out).write(`${[text, ...blocks].join('\n')}\n`);
  }
}
