/**
 * Pure helpers for engine log streams. Docker multiplexes stdout/stderr of a non-TTY container into
 * frames: [stream(1) 0 0 0 size(4, big-endian)] payload.
 */
export function demuxDockerLogs(buffer: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (stream > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      // Not framed (e.g. a TTY container): take the rest as is.
      parts.push(buffer.subarray(offset));
      return Buffer.concat(parts);
    }
    parts.push(buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts);
}

/** Keeps the last maxBytes (the end of a log says why a run failed), marking the cut. */
export function tailBytes(data: Buffer, maxBytes: number): Buffer {
  if (data.length <= maxBytes) return data;
  const marker = Buffer.from(`[crucible: ${data.length - maxBytes} earlier bytes dropped]\n`);
  return Buffer.concat([marker, data.subarray(data.length - maxBytes)]);
}
