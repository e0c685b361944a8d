import * as os from 'node:os';

/**
 * int64 token-id tensors written through a 32-bit view of their buffer: tokens are bytes, so each
 * id is its low word with a zero high word (little-endian, as on every platform onnxruntime-node
 * ships for). Writing BigInt(token) per element allocates a BigInt each time and costs more than a
 * small model's inference step in generation.
 */
if (os.endianness() !== 'LE') throw new Error('token-ids.ts writes int64 ids as little-endian words');

export interface TokenIds {
  /** The tensor's data: rows * seqLen int64 ids. */
  ids: BigInt64Array;
  /** The same buffer as 32-bit words: id i is words[2 * i] (words[2 * i + 1] stays 0). */
  words: Int32Array;
}

export function tokenIds(length: number, fill = 0): TokenIds {
  const ids = new BigInt64Array(length);
  const words = new Int32Array(ids.buffer);
  if (fill !== 0) for (let i = 0; i < length; i += 1) words[2 * i] = fill;
  return { ids, words };
}

/** Writes `tokens` as ids starting at id index `at`. */
export function setTokens(words: Int32Array, at: number, tokens: ArrayLike<number>): void {
  for (let j = 0; j < tokens.length; j += 1) words[2 * (at + j)] = tokens[j];
}
