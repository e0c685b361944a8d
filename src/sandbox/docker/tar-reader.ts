import * as fs from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Reads the tar streams the engine's archive endpoint returns (`docker cp`): ustar headers, possibly
 * preceded by PAX ('x', 'g') or GNU long-name ('L', 'K') records, which are skipped.
 */
export interface TarHeader {
  name: string;
  /** '0' regular file, '1' hard link, '2' symlink, '5' directory, ... */
  type: string;
  size: number;
}

const BLOCK = 512;
const META_TYPES = new Set(['x', 'g', 'L', 'K']);

/** Parses one 512-byte header; null for the zero block that ends an archive. */
export function parseTarHeader(block: Buffer): TarHeader | null {
  if (block.length < BLOCK || block.every((b) => b === 0)) return null;
  const text = (from: number, length: number): string => {
    const field = block.subarray(from, from + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString('utf8');
  };
  let size: number;
  if (block[124] & 0x80) {
    // base-256 (sizes of 8 GiB and more): big-endian in the remaining bytes
    size = 0;
    for (let i = 125; i < 136; i++) size = size * 256 + block[i];
  } else {
    size = parseInt(text(124, 12).trim() || '0', 8);
  }
  if (!Number.isFinite(size) || size < 0) throw new Error('corrupt tar header (size)');
  const prefix = text(345, 155);
  const name = text(0, 100);
  const type = String.fromCharCode(block[156] || 0x30);
  return { name: prefix ? `${prefix}/${name}` : name, type: type === '\0' ? '0' : type, size };
}

const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/** Pulls exactly n bytes from a stream (null when it ends first). */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private ended = false;
  private waiting: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.buffered.push(chunk);
      this.length += chunk.length;
      if (this.length > 4 * 1024 * 1024) stream.pause();
      this.wake();
    });
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', () => this.finish());
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** Up to max bytes as soon as any are there; null at the end. */
  async next(max: number): Promise<Buffer | null> {
    while (this.length === 0) {
      if (this.ended) return null;
      this.stream.resume();
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const first = this.buffered[0];
    const out = first.subarray(0, max);
    if (out.length === first.length) this.buffered.shift();
    else this.buffered[0] = first.subarray(out.length);
    this.length -= out.length;
    return out;
  }

  async exactly(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const chunk = await this.next(n - got);
      if (!chunk) return null;
      parts.push(chunk);
      got += chunk.length;
    }
    return Buffer.concat(parts);
  }

  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const chunk = await this.next(left);
      if (!chunk) return false;
      left -= chunk.length;
    }
    return true;
  }
}

/** Next real header (metadata records skipped); null at the end of the archive. */
async function nextHeader(reader: ByteReader): Promise<TarHeader | null> {
  for (;;) {
    const block = await reader.exactly(BLOCK);
    const header = block && parseTarHeader(block);
    if (!header) return null;
    if (!META_TYPES.has(header.type)) return header;
    if (!(await reader.skip(padded(header.size)))) return null;
  }
}

/**
 * Streams the first entry of an archive to destPath when it is a regular file of at most maxBytes.
 * Returns its header (or null for an empty archive); the stream is destroyed when done.
 */
export async function extractFirstFile(stream: Readable, destPath: string, maxBytes: number): Promise<TarHeader | null> {
  const reader = new ByteReader(stream);
  try {
    const header = await nextHeader(reader);
    if (!header || header.type !== '0' || header.size > maxBytes) return header;
    const out = fs.createWriteStream(destPath, { mode: 0o644 });
    try {
      let left = header.size;
      while (left > 0) {
        const chunk = await reader.next(Math.min(left, 1024 * 1024));
        if (!chunk) throw new Error('archive ended inside a file');
        left -= chunk.length;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
    return header;
  } finally {
    stream.destroy();
  }
}

/** Regular files of a small archive (at most maxBytes each are kept), by name. */
export async function readSmallFiles(stream: Readable, maxBytes: number, maxEntries = 64): Promise<Map<string, Buffer>> {
  const reader = new ByteReader(stream);
  const files = new Map<string, Buffer>();
  try {
    for (let i = 0; i < maxEntries; i++) {
      const header = await nextHeader(reader);
      if (!header) break;
      const body = padded(header.size);
      if (header.type === '0' && header.size <= maxBytes) {
        const data = await reader.exactly(body);
        if (!data) break;
        files.set(header.name, data.subarray(0, header.size));
      } else if (!(await reader.skip(body))) break;
    }
    return files;
  } finally {
    stream.destroy();
  }
}
