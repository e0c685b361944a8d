import * as fs from 'node:fs/promises';
import { tailBytes } from '../sandbox/log-tail';

/**
 * The log file a sandbox left, as text for the database: capped again (the runner caps it already),
 * NUL bytes dropped (PostgreSQL text cannot hold them). Null when the file is gone.
 */
export async function readRunLog(file: string, maxBytes: number): Promise<string | null> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch {
    return null;
  }
  return tailBytes(data, maxBytes).toString('utf8').split('\u0000').join('');
}
