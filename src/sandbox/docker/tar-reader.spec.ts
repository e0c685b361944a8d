import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { joinEntryLog } from '../sandbox-entry';
import { extractFirstFile, parseTarHeader, readSmallFiles } from './tar-reader';

/** A ustar header written field by field (POSIX layout), checksum included, as GNU tar writes it. */
function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
const body = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const archive = (...parts: Buffer[]): Readable => Readable.from([Buffer.concat([...parts, Buffer.alloc(1024)])]);

describe('tar reader', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-tar-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('parses octal sizes and the end-of-archive block', () => {
    expect(parseTarHeader(header('model.onnx', 1000, '0'))).toEqual({ name: 'model.onnx', type: '0', size: 1000 });
    expect(parseTarHeader(Buffer.alloc(512))).toBeNull();
  });

  it('streams the first regular file out, skipping a PAX record before it', async () => {
    const data = Buffer.from('\x08\x07model bytes'.repeat(100), 'latin1');
    const pax = Buffer.from('30 path=a/very/long/name.onnx\n');
    const dest = path.join(dir, 'model.onnx');
    const h = await extractFirstFile(archive(header('PaxHeader', pax.length, 'x'), body(pax), header('model.onnx', data.length, '0'), body(data)), dest, 1 << 20);
    expect(h).toEqual({ name: 'model.onnx', type: '0', size: data.length });
    expect(fs.readFileSync(dest)).toEqual(data);
  });

  it('reports links, directories and oversized files without writing them', async () => {
    const dest = path.join(dir, 'not-written.onnx');
    expect((await extractFirstFile(archive(header('model.onnx', 0, '2')), dest, 100))?.type).toBe('2');
    expect((await extractFirstFile(archive(header('model.onnx/', 0, '5')), dest, 100))?.type).toBe('5');
    expect((await extractFirstFile(archive(header('model.onnx', 101, '0'), body(Buffer.alloc(101))), dest, 100))?.size).toBe(101);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('reads the small files of a directory archive by name', async () => {
    const files = await readSmallFiles(
      archive(header('log/', 0, '5'), header('log/head', 3, '0'), body(Buffer.from('abc')), header('log/big', 10, '0'), body(Buffer.alloc(10)), header('log/tail', 5, '0'), body(Buffer.from('2\nxy\n'))),
      8,
    );
    expect([...files.keys()]).toEqual(['log/head', 'log/tail']);
    expect(files.get('log/tail')?.toString()).toBe('2\nxy\n');
  });
});

describe('entry log', () => {
  it('joins head, a line for what was dropped, and tail', () => {
    expect(joinEntryLog(Buffer.from('head\n'), Buffer.from('7\ntail\n'), 100).toString()).toBe('head\n\n[crucible: 7 bytes of output dropped here]\ntail\n');
    expect(joinEntryLog(Buffer.from('all of it\n'), Buffer.from('0\n'), 100).toString()).toBe('all of it\n');
    expect(joinEntryLog(Buffer.from('only head'), null, 4).toString()).toBe('only');
  });
});
