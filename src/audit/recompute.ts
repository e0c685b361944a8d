import { signatureVerify } from '@polkadot/util-crypto';
import { seedCommitment } from '../evaluation/datasets/split';
import { decodeLosses, meanOf } from '../evaluation/model-scorer';
import { type CausalityCheck, causalityDifference, type CausalityMethod, isCausalityMethod } from '../evaluation/task-types/causality';
import { metricDirectionOf } from '../evaluation/task-types/metric-direction';
import { assertValidRulebook, Rulebook } from '../scoring/rulebook';
import type { OverrunMarker } from '../scoring/overrun';
import { deriveTournament, TournamentDerivation, TournamentEvidence, weightsFromDerivations } from '../scoring/tournament-evidence';
import { convertWeightsAndUidsForEmit } from '../scoring/u16';
import { errorMessage } from '../common/error-message';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEntrant, BundleEnvelope, BundleEvaluation, BundleRound, BundleRun, BundleTask, BundleTournament, keyChangeMessage } from './bundle-format';
import { parseBundleBody } from './bundle-parse';
import { sha256Hex } from './canonical-json';
import { isRecord } from '../common/is-record';

/** The checks, in the order they run; each passes or names its first difference. */
export type CheckName = 'envelopes' | 'evaluations' | 'seeds' | 'splits' | 'rankings' | 'weights' | 'chain' | 'reevaluation';

export const CHECK_DESCRIPTIONS: Record<CheckName, string> = {
  envelopes: 'body sha256, sr25519 signature, signer continuity, sequence and previous-hash chain',
  evaluations: 'each metric is the mean of its per-example losses, bit for bit; loss files match their sha256 and example count',
  seeds: 'each revealed task seed matches its published commitment',
  splits: 'each test-set commitment and each recorded causality sample re-derived from the revealed seed and the dataset',
  rankings: 'task rankings, advancing entrants, boss verdicts and final rankings re-derived from losses and outcomes',
  weights: 'each weight vector re-derived from the rankings and the sealed metagraph snapshot, then u16',
  chain: 'the newest weight set equals what the chain holds',
  reevaluation: 'archived models re-evaluated on CPU give the recorded metric bit for bit',
};

export interface AuditProblem {
  check: CheckName;
  /** Which bundle, tournament, round, task, run or weight set, e.g. "tournament <id> round 2 (boss)". */
  where: string;
  /** The first differing field, with the recorded and the re-derived values. */
  what: string;
}

export interface CheckResult {
  name: CheckName;
  description: string;
  passed: boolean;
  /** How many items were checked (re-derived). */
  checked: number;
  /** How many could not be checked (e.g. a split of a private dataset). */
  skipped: number;
  problems: number;
  /** "<where>: <what>" of the first problem, or null. */
  firstDifference: string | null;
}

export interface AuditCounts {
  bundles: number;
  evaluations: number;
  seeds: number;
  splits: number;
  taskRankings: number;
  rounds: number;
  verdicts: number;
  finalRankings: number;
  weightSets: number;
  reevaluations: number;
}

export interface RecomputedWeightSet {
  sequence: number;
  epoch: number;
  block: number | null;
  uids: number[];
  values: number[];
  matches: boolean;
}

export interface AuditReport {
  ok: boolean;
  bundles: number;
  checks: CheckResult[];
  counts: AuditCounts;
  weightSets: RecomputedWeightSet[];
  problems: AuditProblem[];
}

export interface SplitRequest {
  taskId: string;
  datasetId: string;
  taskType: string;
  seed: string;
}

export interface RecomputeOptions {
  /** The key the first bundle must be signed by; default: whoever signed it. Later changes need a signed key change. */
  expectedSigner?: string;
  /** Weights(netuid, validatorUid) read from chain now, [uid, u16] pairs: compared with the newest weight set that was set on chain. */
  chainWeights?: Array<[number, number]>;
  /** The sha256 of the canonical test split re-derived from a revealed seed; null when the dataset cannot be read here. */
  splitCommitment?: (req: SplitRequest) => string | null;
  /** The causality sample a model's evaluation draws on the revealed split (method as recorded); null when it cannot be derived here. */
  causalitySample?: (req: SplitRequest, modelSha256: string, method: CausalityMethod) => CausalityCheck[] | null;
}

/** Everything the bundles hold, indexed; a later bundle's copy of a record wins. */
interface Evidence {
  bodies: AuditBundleBody[];
  tournaments: Map<string, BundleTournament>;
  roundsOf: Map<string, BundleRound[]>;
  tasksOf: Map<string, BundleTask[]>;
  entrantsOf: Map<string, BundleEntrant[]>;
  runsOf: Map<string, BundleRun[]>;
  evaluationsOfTask: Map<string, BundleEvaluation[]>;
  losses: Map<string, Float64Array>;
}

/**
 * Audits bundles alone, without trusting the validator: verifies the envelopes and the chain, then
 * re-derives every decision from the evidence with the same pure code the validator runs
 * (scoring/tournament-evidence.ts) and compares it with what was recorded. Every problem is listed;
 * each check reports its first difference.
 */
export function recomputeBundles(envelopes: readonly BundleEnvelope[], opts: RecomputeOptions = {}): AuditReport {
  const problems: AuditProblem[] = [];
  const counted: Record<CheckName, { checked: number; skipped: number }> = {
    envelopes: { checked: 0, skipped: 0 },
    evaluations: { checked: 0, skipped: 0 },
    seeds: { checked: 0, skipped: 0 },
    splits: { checked: 0, skipped: 0 },
    rankings: { checked: 0, skipped: 0 },
    weights: { checked: 0, skipped: 0 },
    chain: { checked: 0, skipped: 0 },
    reevaluation: { checked: 0, skipped: 0 },
  };
  const counts: AuditCounts = { bundles: 0, evaluations: 0, seeds: 0, splits: 0, taskRankings: 0, rounds: 0, verdicts: 0, finalRankings: 0, weightSets: 0, reevaluations: 0 };
  const fail = (check: CheckName, where: string, what: string) => problems.push({ check, where, what });

  const bodies = checkEnvelopes(envelopes, opts.expectedSigner, fail);
  counted.envelopes.checked = counts.bundles = bodies.length;
  const ev = indexEvidence(bodies);

  // 2. Evaluations: losses file, count, and the metric as the mean of the losses, bit for bit.
  for (const b of bodies) {
    for (const e of b.evaluations) {
      if (e.losses === null) continue;
      const where = `bundle ${b.sequence} (${b.kind}) evaluation ${e.id} (task ${e.taskId}, run ${e.runId ?? 'baseline'})`;
      const bytes = Buffer.from(e.losses, 'base64');
      counted.evaluations.checked++;
      counts.evaluations++;
      const sha = sha256Hex(bytes);
      if (sha !== e.lossesSha256) fail('evaluations', where, `lossesSha256: recorded ${e.lossesSha256}, the losses hash to ${sha}`);
      if (bytes.length !== e.exampleCount * 8) fail('evaluations', where, `exampleCount: recorded ${e.exampleCount}, the losses hold ${bytes.length / 8}`);
      const mean = meanOf(ev.losses.get(e.id) ?? decodeLosses(bytes));
      if (!Object.is(mean, e.metricValue)) fail('evaluations', where, `metricValue: recorded ${e.metricValue}, mean of the losses ${mean}`);
    }
  }

  // 3. Seeds and splits of every task of a completed tournament.
  for (const t of ev.tournaments.values()) {
    if (t.state !== 'completed') continue;
    const roundIndex = new Map((ev.roundsOf.get(t.id) ?? []).map((r) => [r.id, r.index]));
    for (const task of ev.tasksOf.get(t.id) ?? []) {
      const where = `tournament ${t.id} round ${roundIndex.get(task.roundId) ?? '?'} task ${task.id} (slot ${task.slot})`;
      if (task.revealedSeed === null) {
        fail('seeds', where, 'revealedSeed: not revealed although the tournament completed');
        continue;
      }
      counted.seeds.checked++;
      counts.seeds++;
      const seedHash = seedCommitment(task.revealedSeed);
      if (seedHash !== task.seedCommitment) fail('seeds', where, `seedCommitment: published ${task.seedCommitment}, the revealed seed hashes to ${seedHash}`);
      const split = opts.splitCommitment?.({ taskId: task.id, datasetId: task.datasetId, taskType: task.taskType, seed: task.revealedSeed }) ?? null;
      if (split === null) {
        counted.splits.skipped++;
        continue;
      }
      counted.splits.checked++;
      counts.splits++;
      if (split !== task.testSetCommitment) fail('splits', where, `testSetCommitment: published ${task.testSetCommitment}, re-derived from the revealed seed ${split}`);
      // Each causality sample an evaluation of this task recorded, re-derived from the revealed split and the model's hash.
      for (const e of ev.evaluationsOfTask.get(task.id) ?? []) {
        if (!e.causality) continue;
        const at = `${where} evaluation ${e.id} (run ${e.runId ?? 'baseline'})`;
        if (!isCausalityMethod(e.causality.method)) {
          fail('splits', at, causalityDifference(e.causality, null) ?? 'causality.method unknown');
          continue;
        }
        const sample = opts.causalitySample?.({ taskId: task.id, datasetId: task.datasetId, taskType: task.taskType, seed: task.revealedSeed }, e.modelSha256, e.causality.method) ?? null;
        if (sample === null) continue;
        const diff = causalityDifference(e.causality, { ...e.causality, checks: sample });
        if (diff) fail('splits', at, diff);
      }
    }
  }

  // 4. Every decision of every decided tournament, re-derived.
  const derivations = new Map<string, { rulebook: Rulebook; derivation: TournamentDerivation } | null>();
  const derive = (id: string) => {
    if (!derivations.has(id)) derivations.set(id, deriveRecorded(ev, id, fail, counts, counted));
    return derivations.get(id) ?? null;
  };
  for (const t of ev.tournaments.values()) if (t.ranking !== null) derive(t.id);

  // 5. Every weight vector, from the derived rankings and the sealed metagraph snapshot.
  const recomputed: RecomputedWeightSet[] = [];
  for (const b of bodies) {
    for (const ws of b.weightSets) {
      const where = `bundle ${b.sequence} weight set ${ws.id} (epoch ${ws.epoch})`;
      counted.weights.checked++;
      counts.weightSets++;
      if (!ws.basis?.metagraph) {
        fail('weights', where, 'basis.metagraph: no metagraph snapshot recorded');
        continue;
      }
      const basis = ws.basis.tournamentIds.map((id) => ({ id, derived: ev.tournaments.has(id) ? derive(id) : null }));
      const missing = basis.find((x) => x.derived === null);
      if (missing) {
        fail('weights', where, `basis.tournamentIds: tournament ${missing.id} ${ev.tournaments.has(missing.id) ? 'cannot be re-derived (see rankings)' : 'is not in the loaded bundles'}`);
        continue;
      }
      const vector = weightsFromDerivations({ tournaments: basis.map((x) => x.derived!), metagraph: ws.basis.metagraph, burnUid: ws.basis.burnUid });
      const emit = convertWeightsAndUidsForEmit(vector.uids, vector.weights);
      const diff = firstDiff({ uids: ws.uids, values: ws.values }, { uids: emit.uids, values: emit.weights });
      if (diff) fail('weights', where, diff);
      recomputed.push({ sequence: b.sequence, epoch: ws.epoch, block: ws.block, uids: emit.uids, values: emit.weights, matches: diff === null });
    }
  }

  // 6. The chain holds the newest vector that was set on it.
  if (opts.chainWeights) {
    counted.chain.checked++;
    const onChain = recomputed.filter((r) => r.block !== null).sort((a, b) => (a.block ?? 0) - (b.block ?? 0)).pop();
    if (!onChain) {
      fail('chain', 'chain', 'no weight set in the window was set on chain');
    } else {
      const chain = [...opts.chainWeights].sort((a, b) => a[0] - b[0]);
      const mine = onChain.uids.map((u, i) => [u, onChain.values[i]] as [number, number]);
      const diff = firstDiff(mine, chain);
      if (diff) fail('chain', `chain vs bundle ${onChain.sequence} weight set epoch ${onChain.epoch}`, `${diff} (recorded = re-derived vector, re-derived = chain)`);
    }
  }

  const checks = (Object.keys(counted) as CheckName[])
    .filter((name) => (name !== 'chain' || opts.chainWeights) && name !== 'reevaluation')
    .map((name) => checkResult(name, counted[name].checked, counted[name].skipped, problems));
  return { ok: problems.length === 0, bundles: bodies.length, checks, counts, weightSets: recomputed, problems };
}

/** A check's summary line from the problems found for it. */
export function checkResult(name: CheckName, checked: number, skipped: number, problems: readonly AuditProblem[]): CheckResult {
  const mine = problems.filter((p) => p.check === name);
  return {
    name,
    description: CHECK_DESCRIPTIONS[name],
    passed: mine.length === 0,
    checked,
    skipped,
    problems: mine.length,
    firstDifference: mine.length ? `${mine[0].where}: ${mine[0].what}` : null,
  };
}

/** 1. Envelopes: hash, signature, signer continuity (a change needs the old key's signature), sequence and links. */
function checkEnvelopes(envelopes: readonly BundleEnvelope[], expectedSigner: string | undefined, fail: (c: CheckName, w: string, x: string) => void): AuditBundleBody[] {
  const parsed: Array<{ env: BundleEnvelope; body: AuditBundleBody }> = [];
  for (const env of envelopes) {
    try {
      parsed.push({ env, body: parseBundleBody(env.body, 'envelope') });
    } catch (e) {
      fail('envelopes', `bundle sha256 ${env.sha256}`, errorMessage(e));
    }
  }
  parsed.sort((a, b) => a.body.sequence - b.body.sequence);
  let signer = expectedSigner ?? parsed[0]?.env.signer;
  for (const [i, { env, body }] of parsed.entries()) {
    const where = `bundle ${body.sequence} (${body.kind}, ${body.day})`;
    if (body.format !== BUNDLE_FORMAT) fail('envelopes', where, `format: ${String(body.format)}, expected ${BUNDLE_FORMAT}`);
    const actual = sha256Hex(env.body);
    if (actual !== env.sha256) fail('envelopes', where, `sha256: envelope says ${env.sha256}, the body hashes to ${actual} (body altered)`);
    if (!verifies(env.sha256, env.signature, env.signer)) fail('envelopes', where, 'signature does not verify');
    if (body.kind === 'key_change' && body.keyChange) {
      const k = body.keyChange;
      if (k.from !== signer) fail('envelopes', where, `keyChange.from: ${k.from}, the chain was signed by ${signer}`);
      else if (!verifies(keyChangeMessage(body.sequence, k.to), k.signature, k.from)) fail('envelopes', where, `keyChange.signature: the change to ${k.to} is not signed by the old key ${k.from}`);
      signer = k.to;
    }
    if (env.signer !== signer) fail('envelopes', where, `signer: ${env.signer}, expected ${signer} (a change of key needs a signed key-change bundle)`);
    if (body.validator !== env.signer) fail('envelopes', where, `validator: body names ${body.validator}, signed by ${env.signer}`);
    if (i === 0) continue;
    const prev = parsed[i - 1];
    if (body.sequence !== prev.body.sequence + 1) fail('envelopes', where, `sequence follows ${prev.body.sequence}: a bundle is missing`);
    if (body.previousSha256 !== prev.env.sha256) {
      fail('envelopes', where, `previousSha256: ${String(body.previousSha256)}, but bundle ${prev.body.sequence} is ${prev.env.sha256}: broken link`);
    }
  }
  return parsed.map((p) => p.body);
}

function indexEvidence(bodies: AuditBundleBody[]): Evidence {
  const tournaments = new Map<string, BundleTournament>();
  const rounds = new Map<string, BundleRound>();
  const tasks = new Map<string, BundleTask>();
  const entrants = new Map<string, AuditBundleBody['entrants'][number]>();
  const runs = new Map<string, AuditBundleBody['runs'][number]>();
  const evaluations = new Map<string, BundleEvaluation>();
  const losses = new Map<string, Float64Array>();
  for (const b of bodies) {
    for (const t of b.tournaments) tournaments.set(t.id, t);
    for (const r of b.rounds) rounds.set(r.id, r);
    for (const t of b.tasks) tasks.set(t.id, t);
    for (const e of b.entrants) entrants.set(e.id, e);
    for (const r of b.runs) runs.set(r.id, r);
    for (const e of b.evaluations) {
      evaluations.set(e.id, e);
      if (e.losses !== null) {
        const bytes = Buffer.from(e.losses, 'base64');
        if (bytes.length % 8 === 0) losses.set(e.id, decodeLosses(bytes));
      }
    }
  }
  const group = <T extends { tournamentId: string }>(items: Iterable<T>) => {
    const out = new Map<string, T[]>();
    for (const x of items) out.set(x.tournamentId, [...(out.get(x.tournamentId) ?? []), x]);
    return out;
  };
  const entrantsOf = group(entrants.values());
  const runsOf = group(runs.values());
  const evaluationsOfTask = new Map<string, BundleEvaluation[]>();
  for (const e of evaluations.values()) evaluationsOfTask.set(e.taskId, [...(evaluationsOfTask.get(e.taskId) ?? []), e]);
  return {
    bodies,
    tournaments,
    roundsOf: group(rounds.values()),
    tasksOf: group(tasks.values()),
    entrantsOf,
    runsOf,
    evaluationsOfTask,
    losses,
  };
}

/** 4. One tournament: its evidence from the bundles, derived, and compared with every recorded decision. */
function deriveRecorded(
  ev: Evidence,
  id: string,
  fail: (c: CheckName, w: string, x: string) => void,
  counts: AuditCounts,
  counted: Record<CheckName, { checked: number; skipped: number }>,
): { rulebook: Rulebook; derivation: TournamentDerivation } | null {
  const t = ev.tournaments.get(id)!;
  const where = `tournament ${t.id} (${t.type} cycle ${t.cycle})`;
  counted.rankings.checked++;
  let rulebook: Rulebook;
  let derivation: TournamentDerivation;
  try {
    rulebook = assertValidRulebook(t.rulebook);
    derivation = deriveTournament(evidenceOf(ev, t, rulebook));
  } catch (e) {
    fail('rankings', where, `cannot be re-derived: ${errorMessage(e)}`);
    return null;
  }
  const recordedRounds = ev.roundsOf.get(t.id) ?? [];
  if (recordedRounds.length !== derivation.rounds.length) {
    fail('rankings', where, `rounds: recorded ${recordedRounds.length}, re-derived ${derivation.rounds.length}`);
  }
  for (const d of derivation.rounds) {
    const r = recordedRounds.find((x) => x.index === d.index);
    const at = `${where} round ${d.index} (${d.kind})`;
    counts.rounds++;
    counts.taskRankings += d.tasks.length;
    if (d.verdict) counts.verdicts++;
    if (!r) {
      fail('rankings', at, 'the round is not recorded');
      continue;
    }
    const recorded = { kind: r.kind, plan: r.decision?.plan, advancing: r.advancing, ...(d.verdict ? { verdict: r.decision?.verdict } : { eliminated: r.decision?.eliminated }) };
    const derived = { kind: d.kind, plan: d.plan, advancing: d.advancing, ...(d.verdict ? { verdict: d.verdict } : { eliminated: d.eliminated }) };
    const diff = firstDiff(recorded, derived);
    if (diff) fail('rankings', at, diff);
  }
  // Each task was scored with its type's constants from this rulebook (bundles sealed before tasks recorded them have none).
  for (const task of ev.tasksOf.get(t.id) ?? []) {
    if (task.params === undefined) continue;
    const diff = firstDiff(task.params, rulebook.taskTypes?.[task.taskType] ?? {});
    if (diff) fail('rankings', `${where} task ${task.id} (${task.taskType})`, `params differ from the rulebook's taskTypes.${task.taskType}: ${diff}`);
  }
  counts.finalRankings++;
  const diff = firstDiff({ ranking: t.ranking, winnerEntrantId: t.winnerEntrantId }, { ranking: derivation.ranking, winnerEntrantId: derivation.winnerEntrantId });
  if (diff) fail('rankings', where, diff);
  return { rulebook, derivation };
}

function evidenceOf(ev: Evidence, t: BundleTournament, rulebook: Rulebook): TournamentEvidence {
  const rounds = ev.roundsOf.get(t.id) ?? [];
  const roundIndex = new Map(rounds.map((r) => [r.id, r.index]));
  const bossRounds = new Set(rounds.filter((r) => r.kind === 'boss').map((r) => r.id));
  const tasks = ev.tasksOf.get(t.id) ?? [];
  const entrants = ev.entrantsOf.get(t.id) ?? [];
  const runs = ev.runsOf.get(t.id) ?? [];
  const scores = tasks.flatMap((task) =>
    (ev.evaluationsOfTask.get(task.id) ?? [])
      .filter((e) => e.runId !== null)
      .map((e) => ({ runId: e.runId!, metricValue: e.metricValue, modelSha256: e.modelSha256, losses: bossRounds.has(task.roundId) || rulebook.copyRule ? (ev.losses.get(e.id) ?? null) : null })),
  );
  const champion = t.defendingChampion as { defences?: number } | null;
  return {
    id: t.id,
    type: t.type,
    rulebook,
    championDefences: champion?.defences ?? 0,
    entrants: entrants.filter((e) => e.status === 'accepted').map((e) => ({ id: e.id, hotkey: e.hotkey, isChampion: e.isChampion, submittedAt: Date.parse(e.receivedAt) })),
    tasks: tasks.map((task) => ({ id: task.id, roundIndex: roundIndex.get(task.roundId) ?? -1, slot: task.slot, direction: metricDirectionOf(task.taskType) })),
    runs: runs.map((r) => ({ id: r.id, taskId: r.taskId, entrantId: r.entrantId, attempt: r.attempt, outcome: r.outcome })),
    scores,
    overrun: (t.overrun as OverrunMarker | null | undefined) ?? null,
  };
}

/**
 * The first place where two JSON values differ, as "<path>: recorded <a>, re-derived <b>", or null.
 * Both sides are compared as JSON (undefined members dropped), numbers exactly.
 */
export function firstDiff(recorded: unknown, derived: unknown): string | null {
  const walk = (a: unknown, b: unknown, at: string): string | null => {
    if (a === b) return null;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const d = walk(a[i], b[i], `${at}[${i}]`);
        if (d) return d;
      }
      return a.length === b.length ? null : `${at}: recorded ${a.length} items, re-derived ${b.length}`;
    }
    if (isRecord(a) && isRecord(b)) {
      const [ao, bo] = [a, b];
      for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
        const d = walk(ao[k], bo[k], at ? `${at}.${k}` : k);
        if (d) return d;
      }
      return null;
    }
    return `${at || 'value'}: recorded ${JSON.stringify(a)}, re-derived ${JSON.stringify(b)}`;
  };
  return walk(asJson(recorded), asJson(derived), '');
}

function asJson(x: unknown): unknown {
  const json: unknown = x === undefined ? null : JSON.parse(JSON.stringify(x));
  return json;
}

function verifies(message: string, signature: string, signer: string): boolean {
  try {
    return signatureVerify(message, signature, signer).isValid;
  } catch {
    return false;
  }
}
