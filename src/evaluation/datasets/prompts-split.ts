import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type LoadedBaseModel, writeBaseModelFiles } from '../base-models';
import { END_OF_RESPONSE, type PromptExample } from './prompts-generator';

/**
 * The text task types' data (`instruct`, `preference`, `reward`): prompts with an answer and a
 * rejected answer (prompts-generator.ts), byte tokens, and the base model the task fine-tunes. The
 * canonical test split carries the base model's ONNX bytes: it is the `preference` reference, and
 * the commitment then covers the reference as well as the examples.
 */

export interface PromptDataset {
  kind: 'prompts';
  id: string;
  /** Longest prompt + response (answer and "\n"), in bytes; sequences are padded to it with byte 0. */
  seqLen: number;
  testFraction: number;
  examples: PromptExample[];
  baseModel: LoadedBaseModel;
}

export interface PromptSplit {
  kind: 'prompts';
  seqLen: number;
  testIndices: number[];
  test: PromptExample[];
  train: PromptExample[];
  baseModel: LoadedBaseModel;
}

/** The parsed hidden test split as the text evaluators consume it. */
export interface PromptTestSplit {
  kind: 'prompts';
  seqLen: number;
  count: number;
  indices: Uint32Array;
  examples: PromptExample[];
  baseModelSha256: string;
  /** The base model's model.onnx (the preference reference). */
  reference: Uint8Array;
}

export const PAD_TOKEN = 0;

export function splitPrompts(dataset: PromptDataset, testIndices: number[]): PromptSplit {
  const isTest = new Set(testIndices);
  return {
    kind: 'prompts',
    seqLen: dataset.seqLen,
    testIndices,
    test: testIndices.map((i) => dataset.examples[i]),
    train: dataset.examples.filter((_, i) => !isTest.has(i)),
    baseModel: dataset.baseModel,
  };
}

export const PROMPTS_MAGIC = 'CRUCIBLE-TEST-SPLIT/1 prompts-bytes\n';

/**
 * magic, u32 count, u32 seqLen, 32 bytes sha256 of the base model.onnx, u32 its length, its bytes,
 * then per example: u32 index, then prompt, answer and rejected, each as u16 length + ASCII bytes.
 * All little-endian.
 */
export function canonicalPromptSplit(split: PromptSplit): Buffer {
  const parts: Buffer[] = [Buffer.from(PROMPTS_MAGIC, 'ascii')];
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const text = (s: string): Buffer => {
    const bytes = Buffer.from(s, 'ascii');
    const len = Buffer.alloc(2);
    len.writeUInt16LE(bytes.length);
    return Buffer.concat([len, bytes]);
  };
  parts.push(u32(split.test.length), u32(split.seqLen), Buffer.from(split.baseModel.sha256, 'hex'), u32(split.baseModel.onnx.length), Buffer.from(split.baseModel.onnx));
  split.test.forEach((ex, k) => parts.push(u32(split.testIndices[k]), text(ex.prompt), text(ex.answer), text(ex.rejected)));
  return Buffer.concat(parts);
}

/** Parses the bytes after the magic line (`start` points just past it). */
export function parsePromptSplit(buf: Buffer, start: number): PromptTestSplit {
  let o = start;
  const count = buf.readUInt32LE(o);
  const seqLen = buf.readUInt32LE(o + 4);
  const baseModelSha256 = buf.subarray(o + 8, o + 40).toString('hex');
  const refLength = buf.readUInt32LE(o + 40);
  o += 44;
  const reference = new Uint8Array(buf.subarray(o, o + refLength));
  if (createHash('sha256').update(reference).digest('hex') !== baseModelSha256) throw new Error('canonical test split: the reference model does not match its sha256');
  o += refLength;
  const text = (): string => {
    const len = buf.readUInt16LE(o);
    const s = buf.subarray(o + 2, o + 2 + len).toString('ascii');
    o += 2 + len;
    return s;
  };
  const indices = new Uint32Array(count);
  const examples: PromptExample[] = [];
  for (let k = 0; k < count; k += 1) {
    indices[k] = buf.readUInt32LE(o);
    o += 4;
    examples.push({ prompt: text(), answer: text(), rejected: text() });
  }
  if (o !== buf.length) throw new Error(`canonical test split has ${buf.length} bytes, expected ${o}`);
  return { kind: 'prompts', seqLen, count, indices, examples, baseModelSha256, reference };
}

/**
 * /data/train for the text task types: examples.jsonl, one {"prompt", "answer", "response",
 * "rejected"} per line (response = answer + "\n"; a preference pair is response vs rejected + "\n"),
 * and meta.json. The base model goes beside the training split, in base/ (mounted at /task/base).
 */
export async function writePromptTrainSplit(split: PromptSplit, trainDir: string): Promise<Record<string, unknown>> {
  const lines = split.train.map((ex) => JSON.stringify({ prompt: ex.prompt, answer: ex.answer, response: ex.answer + END_OF_RESPONSE, rejected: ex.rejected + END_OF_RESPONSE }));
  await fs.promises.writeFile(path.join(trainDir, 'examples.jsonl'), `${lines.join('\n')}\n`, { mode: 0o644 });
  await writeBaseModelFiles(split.baseModel, path.join(path.dirname(trainDir), 'base'));
  return {
    format: 'prompts-jsonl',
    count: split.train.length,
    seqLen: split.seqLen,
    tokenizer: 'bytes',
    vocabSize: 256,
    pad: PAD_TOKEN,
    endOfResponse: END_OF_RESPONSE.charCodeAt(0),
    baseModel: { id: split.baseModel.id, sha256: split.baseModel.sha256, path: '/task/base' },
  };
}
