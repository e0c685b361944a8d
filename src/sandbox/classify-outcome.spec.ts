import { classifyOutcome, type OutputFacts } from './classify-outcome';
import type { SandboxExit } from './sandbox-runner';

const exit = (over: Partial<SandboxExit> = {}): SandboxExit => ({ exitCode: 0, oomKilled: false, timedOut: false, cancelled: false, imageDigest: null, ...over });
const out = (over: Partial<OutputFacts> = {}): OutputFacts => ({ outputFull: false, model: { kind: 'file', bytes: 100 }, ...over });
const limits = { wallSeconds: 60, memoryMb: 512, outputMaxBytes: 1000, maxFiles: 10 };
const outcome = (e: SandboxExit, o: OutputFacts): string => classifyOutcome(e, o, limits).outcome;

describe('classifyOutcome', () => {
  it('succeeds with a model file', () => expect(outcome(exit(), out())).toBe('succeeded'));
  it('timeout wins over everything', () => expect(outcome(exit({ timedOut: true, exitCode: 137, oomKilled: true }), out())).toBe('timed_out'));
  it('oom', () => expect(outcome(exit({ oomKilled: true, exitCode: 137 }), out())).toBe('oom_killed'));
  it('a failed script that filled /output broke the output limit; a successful one is judged by its model', () => {
    expect(outcome(exit({ exitCode: 1 }), out({ outputFull: true }))).toBe('output_invalid');
    expect(outcome(exit({ exitCode: 1 }), out())).toBe('miner_failed');
    expect(outcome(exit(), out({ outputFull: true }))).toBe('succeeded');
    expect(outcome(exit(), out({ model: { kind: 'too-large', bytes: 2000 } }))).toBe('output_invalid');
  });
  it('more files than the limit where no filesystem capped them (Kubernetes) is invalid output, whatever the exit code', () => {
    expect(classifyOutcome(exit(), out({ files: 11 }), limits)).toEqual({ outcome: 'output_invalid', reason: '/output held 11 files and directories, over the limit of 10' });
    expect(outcome(exit({ exitCode: 2 }), out({ files: 11 }))).toBe('output_invalid');
    expect(outcome(exit(), out({ files: 10 }))).toBe('succeeded');
  });
  it('validator cancellation and lost exit codes are infra', () => {
    expect(outcome(exit({ cancelled: true, exitCode: 143 }), out())).toBe('infra_failed');
    expect(outcome(exit({ exitCode: null }), out())).toBe('infra_failed');
  });
  it('non-zero exit is the miner', () => {
    const c = classifyOutcome(exit({ exitCode: 137 }), out(), limits);
    expect(c).toEqual({ outcome: 'miner_failed', reason: 'the training script exited with code 137 (signal 9)' });
  });
  it('missing, linked or empty models are invalid output', () => {
    expect(outcome(exit(), out({ model: { kind: 'missing' } }))).toBe('output_invalid');
    expect(outcome(exit(), out({ model: { kind: 'not-a-file' } }))).toBe('output_invalid');
    expect(outcome(exit(), out({ model: { kind: 'file', bytes: 0 } }))).toBe('output_invalid');
  });
});
