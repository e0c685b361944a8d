import { demuxDockerLogs, tailBytes } from './log-tail';

const frame = (stream: number, text: string): Buffer => {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
};

describe('log helpers', () => {
  it('demultiplexes stdout and stderr frames in order', () => {
    expect(demuxDockerLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])).toString()).toBe('out\nerr\n');
  });
  it('keeps the tail and says what was dropped', () => {
    expect(tailBytes(Buffer.from('abcdef'), 2).toString()).toBe('[crucible: 4 earlier bytes dropped]\nef');
    expect(tailBytes(Buffer.from('ab'), 2).toString()).toBe('ab');
  });
});
