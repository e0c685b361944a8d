import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage } from '../common/error-message';
import { PolkadotChainClient } from '../chain/polkadot-chain-client';
import { DatasetRegistry } from '../evaluation/datasets/dataset-registry';
import { canonicalTestSplit, parseCanonicalTestSplit, sha256Hex, splitDataset, type TestSplit } from '../evaluation/datasets/split';
import { reEvaluate } from '../evaluation/re-evaluate';
import { CAUSALITY_METHODS, type CausalityCheck, causalityDifference, type CausalityMethod, causalitySeed, isCausalityMethod } from '../evaluation/task-types/causality';
import { evaluatorFor, isTaskType } from '../evaluation/task-types';
import { fnv1a64, seededShuffle } from '../scoring/prng';
import { AuditBundleBody, BundleEnvelope } from './bundle-format';
import { isBundleEnvelope, parseBundleBody, parseBundleEnvelope } from './bundle-parse';
import { AuditProblem, AuditReport, checkResult, recomputeBundles, SplitRequest } from './recompute';

export interface AuditCommandOptions {
  /** A directory of bundle envelopes (<sequence>-<kind>.json), or the Crucible API base URL. */
  source: string;
  days: number;
  /** ws:// endpoint: also compare the newest weight set with Weights(netuid, validator uid) on chain. */
  chain?: string;
  /** Pin the key the bundles must be signed by (default: the first bundle's signer). */
  validator?: string;
  /** Re-evaluate this many archived models (a draw seeded by `drawSeed`, default the newest bundle's sha256). */
  reevaluate?: number;
  drawSeed?: string;
  /** Where archived models are for a directory source (default: <source>/../artifacts). */
  artifacts?: string;
  json?: boolean;
  fetchImpl?: typeof fetch;
  datasets?: DatasetRegistry;
  /** Revealed test-set files of tasks on datasets this machine cannot read (private ones): `<task id>.bin`. */
  testSets?: string;
  out?: (line: string) => void;
}

/**
 * `crucible audit --source URL|DIR --days 7 [--chain ws://...] [--reevaluate N] [--json]`.
 * Returns the exit code: 0 everything re-derives, 1 a difference (each check names its first one),
 * 2 the bundles or the chain could not be read.
 */
export async function runAuditCommand(opts: AuditCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const source = bundleSource(opts);
  let envelopes: BundleEnvelope[];
  let bodies: AuditBundleBody[];
  try {
    envelopes = await loadWindow(source, opts.days);
    bodies = envelopes.map((e) => parseBundleBody(e.body, `bundle sha256 ${e.sha256}`));
  } catch (e) {
    out(`error: cannot read bundles from ${opts.source}: ${errorMessage(e)}`);
    return 2;
  }
  if (envelopes.length === 0) {
    out(`error: no bundles found at ${opts.source}`);
    return 2;
  }
  let chainWeights: Array<[number, number]> | undefined;
  if (opts.chain) {
    try {
      // The validator is the hotkey that set the weights (bundles may be signed by the service's audit key instead).
      const setter = bodies.flatMap((b) => b.weightSets).reverse().find((w) => w.hotkey !== null)?.hotkey;
      chainWeights = await readChainWeights(opts.chain, bodies[bodies.length - 1], opts.validator ?? setter ?? envelopes[envelopes.length - 1].signer);
    } catch (e) {
      out(`error: cannot read weights from ${opts.chain}: ${errorMessage(e)}`);
      return 2;
    }
  }
  const registry = opts.datasets ?? new DatasetRegistry();
  const revealed = await revealedSplits(bodies, registry);
  const splits = await splitCommitments(bodies, registry, opts.testSets, revealed);
  const report = recomputeBundles(envelopes, { expectedSigner: opts.validator, chainWeights, splitCommitment: splits, causalitySample: causalitySamples(revealed) });
  if (opts.reevaluate) {
    const seed = opts.drawSeed ?? envelopes[envelopes.length - 1].sha256;
    const problems: AuditProblem[] = [];
    const checked = await reevaluateDraw(bodies, opts.reevaluate, seed, source, problems, opts.datasets);
    report.counts.reevaluations = checked;
    report.checks.push(checkResult('reevaluation', checked, 0, problems));
    report.problems.push(...problems);
    report.ok = report.problems.length === 0;
  }
  if (opts.json) out(JSON.stringify(report, null, 2));
  else printReport(report, out);
  return report.ok ? 0 : 1;
}

/** The report as a person reads it: one line per check, the first difference under a failed one, then the counts. */
export function printReport(report: AuditReport, out: (l: string) => void): void {
  for (const c of report.checks) {
    const skipped = c.skipped ? `, ${c.skipped} skipped` : '';
    out(`${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(12)} ${String(c.checked).padStart(6)} checked${skipped}  (${c.description})`);
    if (!c.passed) out(`      first difference: ${c.firstDifference} (${c.problems} problem${c.problems === 1 ? '' : 's'})`);
  }
  const n = report.counts;
  out(
    `re-derived: ${n.bundles} bundles, ${n.evaluations} evaluations, ${n.seeds} seeds, ${n.splits} splits, ${n.taskRankings} task rankings, ${n.rounds} rounds, ` +
      `${n.verdicts} boss verdicts, ${n.finalRankings} final rankings, ${n.weightSets} weight sets, ${n.reevaluations} re-evaluations`,
  );
  out(report.ok ? 'audit: OK' : `audit: FAILED (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`);
}

export interface BundleRef {
  sequence: number;
  kind: string;
  subject: string;
  sealedAt: number;
}

/** Where bundles and archived models come from: a directory or a Crucible API. */
export interface BundleSource {
  list(): Promise<BundleRef[]>;
  get(sequence: number): Promise<BundleEnvelope>;
  /** The archived model file with this sha256, written to a temporary file; null when absent. */
  model(sha256: string, dir: string): Promise<string | null>;
}

export function bundleSource(opts: Pick<AuditCommandOptions, 'source' | 'artifacts' | 'fetchImpl'>): BundleSource {
  if (/^https?:\/\//.test(opts.source)) {
    const f = opts.fetchImpl ?? fetch;
    const url = (p: string) => new URL(p, opts.source).toString();
    return {
      async list() {
        const res = await f(url('/api/audit/bundles?fromSequence=0'));
        if (!res.ok) throw new Error(`listing returned ${res.status}`);
        const list = (await res.json()) as { bundles: Array<{ sequence: number; kind: string; subject: string; sealedAt: string }> };
        return list.bundles.map((b) => ({ sequence: b.sequence, kind: b.kind, subject: b.subject, sealedAt: Date.parse(b.sealedAt) }));
      },
      async get(sequence) {
        const res = await f(url(`/api/audit/bundles/${sequence}`));
        if (!res.ok) throw new Error(`bundle ${sequence} returned ${res.status}`);
        return parseBundleEnvelope(await res.json(), `bundle ${sequence} from ${opts.source}`);
      },
      async model(sha256, dir) {
        const res = await f(url(`/api/artifacts/${sha256}`));
        if (!res.ok) return null;
        const file = path.join(dir, `${sha256}.onnx`);
        fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        return file;
      },
    };
  }
  const files = new Map<number, BundleEnvelope>();
  const artifacts = opts.artifacts ?? path.join(opts.source, '..', 'artifacts');
  return {
    async list() {
      files.clear();
      for (const name of fs.readdirSync(opts.source).filter((n) => n.endsWith('.json'))) {
        const env: unknown = JSON.parse(fs.readFileSync(path.join(opts.source, name), 'utf8'));
        if (!isBundleEnvelope(env)) continue; // another JSON file in the folder
        files.set(parseBundleBody(env.body, name).sequence, env);
      }
      return [...files.entries()].map(([sequence, env]) => {
        const body = parseBundleBody(env.body, `bundle ${sequence}`);
        return { sequence, kind: body.kind, subject: body.subject, sealedAt: Date.parse(body.to) };
      });
    },
    async get(sequence) {
      const env = files.get(sequence);
      if (!env) throw new Error(`bundle ${sequence} is not in ${opts.source}`);
      return env;
    },
    async model(sha256) {
      const file = path.join(artifacts, `${sha256}.onnx`);
      return fs.existsSync(file) ? file : null;
    },
  };
}

/**
 * The bundles sealed within `days` of the newest one, extended back (the chain stays contiguous) to
 * the completion bundle of every tournament a weight set in the window was paid from.
 */
async function loadWindow(source: BundleSource, days: number): Promise<BundleEnvelope[]> {
  const refs = (await source.list()).sort((a, b) => a.sequence - b.sequence);
  if (refs.length === 0) return [];
  const newest = refs[refs.length - 1].sealedAt;
  let first = refs.findIndex((r) => r.sealedAt >= newest - days * 86_400_000);
  const load = async (from: number) => Promise.all(refs.slice(from).map((r) => source.get(r.sequence)));
  let envelopes = await load(first);
  const have = new Set(refs.slice(first).filter((r) => r.kind === 'tournament').map((r) => r.subject));
  const needed = envelopes.flatMap((e) => parseBundleBody(e.body, `bundle sha256 ${e.sha256}`).weightSets.flatMap((w) => w.basis?.tournamentIds ?? []));
  const earlier = needed.filter((id) => !have.has(id)).map((id) => refs.findIndex((r) => r.kind === 'tournament' && r.subject === id));
  const extended = Math.min(first, ...earlier.filter((i) => i >= 0));
  if (extended < first) {
    first = extended;
    envelopes = await load(first);
  }
  return envelopes;
}

/**
 * Test-set commitments re-derived from every revealed seed, for the datasets this machine can read;
 * for the others (an organiser's private datasets), the sha256 of the revealed test-set file
 * `<testSets>/<task id>.bin` when the organiser handed it over; null when neither is there.
 */
export async function splitCommitments(bodies: AuditBundleBody[], registry: DatasetRegistry, testSets?: string, splits?: RevealedSplits): Promise<(req: SplitRequest) => string | null> {
  const canonical = splits ?? (await revealedSplits(bodies, registry));
  const commitments = new Map([...canonical].map(([k, bytes]) => [k, bytes ? sha256Hex(bytes) : null]));
  const revealedFiles = new Map<string, string>();
  for (const task of bodies.flatMap((b) => b.tasks)) {
    if (task.revealedSeed === null) continue;
    if (commitments.get(splitKey(task.datasetId, task.revealedSeed)) === null && testSets && /^[0-9a-f-]{36}$/.test(task.id)) {
      const file = await fs.promises.readFile(path.join(testSets, `${task.id}.bin`)).catch(() => null);
      if (file) revealedFiles.set(task.id, sha256Hex(file));
    }
  }
  return (req) => commitments.get(splitKey(req.datasetId, req.seed)) ?? revealedFiles.get(req.taskId) ?? null;
}

/** The canonical test split of each revealed (dataset, seed), by splitKey; null where the dataset cannot be read here. */
export type RevealedSplits = Map<string, Buffer | null>;

const splitKey = (datasetId: string, seed: string): string => `${datasetId}\0${seed}`;

export async function revealedSplits(bodies: AuditBundleBody[], registry: DatasetRegistry): Promise<RevealedSplits> {
  const splits: RevealedSplits = new Map();
  for (const task of bodies.flatMap((b) => b.tasks)) {
    if (task.revealedSeed === null || splits.has(splitKey(task.datasetId, task.revealedSeed))) continue;
    const dataset = await registry.load(task.datasetId, task.revealedSeed).catch(() => null);
    splits.set(splitKey(task.datasetId, task.revealedSeed), dataset ? canonicalTestSplit(splitDataset(dataset, task.revealedSeed)) : null);
  }
  return splits;
}

/**
 * The causality sample an evaluation of `modelSha256` draws on a revealed split (its task type's
 * causalitySample), or null when the split cannot be read here or the task type has no check.
 */
export function causalitySamples(splits: RevealedSplits): (req: SplitRequest, modelSha256: string, method: CausalityMethod) => CausalityCheck[] | null {
  const parsed = new Map<string, TestSplit>();
  return (req, modelSha256, method) => {
    const key = splitKey(req.datasetId, req.seed);
    const canonical = splits.get(key);
    const evaluator = evaluatorFor(req.taskType);
    if (!canonical || !evaluator?.causalitySample) return null;
    if (!parsed.has(key)) parsed.set(key, parseCanonicalTestSplit(canonical));
    const split = parsed.get(key);
    return split ? evaluator.causalitySample(split, causalitySeed(req.seed, modelSha256, method), method) : null;
  };
}

/** 6. N scored runs drawn with a seeded shuffle, their archived models re-evaluated on CPU, compared bit for bit. */
async function reevaluateDraw(bodies: AuditBundleBody[], n: number, seed: string, source: BundleSource, problems: AuditProblem[], datasets?: DatasetRegistry): Promise<number> {
  const tasks = new Map(bodies.flatMap((b) => b.tasks).map((t) => [t.id, t]));
  const runs = new Map(bodies.flatMap((b) => b.runs).map((r) => [r.id, r]));
  const candidates = new Map(
    bodies
      .flatMap((b) => b.evaluations)
      .filter((e) => e.runId !== null && tasks.get(e.taskId)?.revealedSeed)
      .map((e) => [e.id, e]),
  );
  const drawn = seededShuffle([...candidates.keys()].sort(), fnv1a64(`crucible-reevaluate:${seed}`)).slice(0, n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-audit-models-'));
  let checked = 0;
  try {
    for (const id of drawn) {
      const e = candidates.get(id)!;
      const task = tasks.get(e.taskId)!;
      const where = `run ${e.runId} (tournament ${runs.get(e.runId!)?.tournamentId ?? '?'}, task ${e.taskId}, model ${e.modelSha256})`;
      checked++;
      const model = await source.model(e.modelSha256, dir);
      if (!model) {
        problems.push({ check: 'reevaluation', where, what: 'the archived model is not available' });
        continue;
      }
      if (!isTaskType(task.taskType)) {
        problems.push({ check: 'reevaluation', where, what: `the task's type ${JSON.stringify(task.taskType)} has no evaluator` });
        continue;
      }
      const recordedMethod = e.causality?.method;
      if (recordedMethod !== undefined && !isCausalityMethod(recordedMethod)) {
        problems.push({ check: 'reevaluation', where, what: `causality.method: recorded ${JSON.stringify(recordedMethod)}, which this version cannot re-derive (known: ${CAUSALITY_METHODS.join(', ')})` });
        continue;
      }
      const again = await reEvaluate({ modelPath: model, taskType: task.taskType, datasetId: task.datasetId, seed: task.revealedSeed!, params: task.params, causalityMethod: recordedMethod, expectedTestSetCommitment: task.testSetCommitment, datasets, print: () => {} });
      if (!again.result.ok) {
        problems.push({ check: 'reevaluation', where, what: `the archived model does not score: ${again.result.code}: ${again.result.reason}` });
        continue;
      }
      const s = again.result.score;
      const causality = causalityDifference(e.causality, s.causality);
      if (s.modelSha256 !== e.modelSha256) problems.push({ check: 'reevaluation', where, what: `modelSha256: recorded ${e.modelSha256}, the archived file hashes to ${s.modelSha256}` });
      else if (!Object.is(s.metricValue, e.metricValue)) problems.push({ check: 'reevaluation', where, what: `metricValue: recorded ${e.metricValue}, re-evaluated ${s.metricValue}` });
      else if (s.lossesSha256 !== e.lossesSha256) problems.push({ check: 'reevaluation', where, what: `lossesSha256: recorded ${e.lossesSha256}, re-evaluated ${s.lossesSha256}` });
      else if (causality !== null) problems.push({ check: 'reevaluation', where, what: causality });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return checked;
}

async function readChainWeights(endpoint: string, newest: AuditBundleBody, validator: string): Promise<Array<[number, number]>> {
  const client = new PolkadotChainClient({ endpoint, connectTimeoutMs: 30_000 });
  await client.connect();
  try {
    const graph = await client.metagraph(newest.netuid);
    const me = graph.neurons.find((n) => n.hotkey === validator);
    if (!me) throw new Error(`validator ${validator} is not registered on subnet ${newest.netuid}`);
    return await client.readWeights(newest.netuid, me.uid);
  } finally {
    await client.close();
  }
}
