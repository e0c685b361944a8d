/**
 * audit-recompute: seconds for the full re-derivation of a week of bundles (`recomputeBundles`:
 * envelopes, every evaluation's mean bit for bit, seeds, task rankings, advancing entrants, boss
 * verdicts with the paired bootstrap, final rankings, every weight vector and its u16 form) against
 * the bare floor of the same bundles: sha256 + sr25519 verification of every body and nothing else.
 * The week: 7 tournaments of 200 entrants (groups, knockouts, a 6-task boss round), about 2,000 runs
 * and 1M per-example losses, and 24 weight sets a day. ratio = crucible / baseline (lower is better).
 */
import { createHash } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEnvelope } from '../src/audit/bundle-format';
import { KeyringBundleSigner } from '../src/audit/bundle-signer';
import { canonicalJson, sha256Hex } from '../src/audit/canonical-json';
import { recomputeBundles } from '../src/audit/recompute';
import { encodeLosses, meanOf } from '../src/evaluation/model-scorer';
import { seedCommitment } from '../src/evaluation/datasets/split';
import { decideBoss } from '../src/scoring/boss-gate';
import { decideRound, planFirstRound, planNextRound, RoundPlan } from '../src/scoring/bracket';
import { defaultRulebook } from '../src/scoring/rulebook';
import { BASELINE_HOTKEY, deriveTournament, EvidenceRun, EvidenceScore, EvidenceTask, TournamentEvidence, weightsFromDerivations } from '../src/scoring/tournament-evidence';
import { convertWeightsAndUidsForEmit } from '../src/scoring/u16';

const ENTRANTS = 200;
const EXAMPLES = 480;
const DAYS = 7;

/** One tournament: entrants whose models get better with their index, played through the real bracket. */
function tournament(day: number): { evidence: TournamentEvidence; body: Partial<AuditBundleBody>; uids: Record<string, number> } {
  const rulebook = defaultRulebook();
  const id = `t${day}`;
  const entrants = [{ id: `${id}-base`, hotkey: BASELINE_HOTKEY, isChampion: true, submittedAt: 0 }, ...Array.from({ length: ENTRANTS }, (_, i) => ({ id: `${id}-e${i}`, hotkey: `hk${i}`, isChampion: false, submittedAt: 1000 + i }))];
  const quality = (entrantId: string) => (entrantId.endsWith('-base') ? 3 : 2 + ((Number(entrantId.split('-e')[1]) * 7919) % ENTRANTS) / ENTRANTS);
  const tasks: EvidenceTask[] = [];
  const runs: EvidenceRun[] = [];
  const scores: EvidenceScore[] = [];
  const ctx = { entrants: entrants.slice(1).map((e) => e.id), champion: entrants[0].id, seed: id, rules: rulebook };
  let plan: RoundPlan = planFirstRound(ctx);
  const submittedAt = new Map(entrants.map((e) => [e.id, e.submittedAt]));
  const play = (taskId: string, members: string[]) =>
    members.map((entrantId) => {
      const runId = `${taskId}-${entrantId}`;
      runs.push({ id: runId, taskId, entrantId, attempt: 1, outcome: 'succeeded' });
      const losses = new Float64Array(EXAMPLES);
      for (let j = 0; j < EXAMPLES; j++) losses[j] = quality(entrantId) + Math.sin(j * 0.7 + taskId.length) * 0.2;
      scores.push({ runId, metricValue: meanOf(losses), modelSha256: runId, losses });
      return { entrantId, submittedAt: submittedAt.get(entrantId)!, loss: meanOf(losses), losses };
    });
  // The fixture plays the bracket with the same pure functions; the measurement below re-derives it from the bundles.
  while (plan.kind !== 'done') {
    const p = plan;
    const taskId = (slot: number) => `${id}-r${p.roundIndex}-s${slot}`;
    if (p.kind === 'boss') {
      const sides = Array.from({ length: p.tasks }, (_, slot) => {
        tasks.push({ id: taskId(slot), roundIndex: p.roundIndex, slot });
        const [challenger, champion] = play(taskId(slot), [p.challenger, p.champion]);
        return { taskId: taskId(slot), challenger: { loss: challenger.loss, perExample: challenger.losses }, champion: { loss: champion.loss, perExample: champion.losses } };
      });
      plan = planNextRound(ctx, p, { challengerWon: decideBoss({ rules: rulebook, championDefences: 0, tasks: sides }).challengerWins });
      continue;
    }
    const slots = p.kind === 'group' ? p.groups.map((g) => g.entrants) : p.pairs.map((x) => [...x.entrants]);
    const results = slots.map((members, slot) => {
      tasks.push({ id: taskId(slot), roundIndex: p.roundIndex, slot });
      return play(taskId(slot), members).map(({ entrantId, submittedAt: at, loss }) => ({ entrantId, submittedAt: at, loss }));
    });
    plan = planNextRound(ctx, p, decideRound(p, results));
  }
  const evidence: TournamentEvidence = { id, type: 'text', rulebook, championDefences: 0, entrants, tasks, runs, scores };
  const derived = deriveTournament(evidence);
  const seeds = new Map(tasks.map((t) => [t.id, `seed-${t.id}`]));
  const runTask = new Map(runs.map((r) => [r.id, r.taskId]));
  const body: Partial<AuditBundleBody> = {
    tournaments: [{ id, type: 'text', cycle: day + 1, state: 'completed', rulebookVersion: rulebook.version, rulebook: rulebook as unknown as Record<string, unknown>, defendingChampion: null, ranking: derived.ranking, winnerEntrantId: derived.winnerEntrantId, finishedAt: null }],
    rounds: derived.rounds.map((r) => ({ id: `${id}-r${r.index}`, tournamentId: id, index: r.index, kind: r.kind, state: 'decided', advancing: r.advancing, decision: JSON.parse(JSON.stringify(r.verdict ? { plan: r.plan, verdict: r.verdict } : { plan: r.plan, advancing: r.advancing, eliminated: r.eliminated })) as Record<string, unknown> })),
    tasks: tasks.map((t) => ({ id: t.id, tournamentId: id, roundId: `${id}-r${t.roundIndex}`, slot: t.slot, taskType: 'causal-lm', datasetId: 'bench-private', baseModel: 'builtin:unigram', seedCommitment: seedCommitment(seeds.get(t.id)!), testSetCommitment: '0'.repeat(64), revealedSeed: seeds.get(t.id)!, revealedAt: null })),
    entrants: entrants.map((e) => ({ id: e.id, tournamentId: id, hotkey: e.hotkey, coldkey: null, uid: null, repoUrl: 'r', commitSha: 'c', treeHash: null, signature: e.id, status: 'accepted', rejectionReason: null, isChampion: e.isChampion, receivedAt: new Date(e.submittedAt).toISOString() })),
    runs: runs.map((r) => ({ id: r.id, tournamentId: id, taskId: r.taskId, entrantId: r.entrantId, attempt: 1, outcome: 'succeeded', outcomeReason: null, imageDigest: null, artifactSha256: null, evidence: null, finishedAt: null })),
    evaluations: scores.map((s) => {
      const bytes = encodeLosses(s.losses!);
      return { id: `v-${s.runId}`, taskId: runTask.get(s.runId)!, runId: s.runId, metricName: 'ce', metricValue: s.metricValue, exampleCount: EXAMPLES, lossesSha256: createHash('sha256').update(bytes).digest('hex'), modelSha256: '', evaluatorVersion: '1', causality: null, losses: bytes.toString('base64') };
    }),
  };
  return { evidence, body, uids: Object.fromEntries(Array.from({ length: ENTRANTS }, (_, i) => [`hk${i}`, i + 1])) };
}

async function main(): Promise<void> {
  await cryptoWaitReady();
  const signer = new KeyringBundleSigner(new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Bench'));
  const envelopes: BundleEnvelope[] = [];
  let previous: string | null = null;
  const seal = (kind: AuditBundleBody['kind'], subject: string, content: Partial<AuditBundleBody>) => {
    const body: AuditBundleBody = {
      format: BUNDLE_FORMAT, kind, subject, day: '2026-03-01', from: '', to: '', sequence: envelopes.length, previousSha256: previous, netuid: 1, validator: signer.address, keyChange: null,
      tournaments: [], rounds: [], tasks: [], entrants: [], runs: [], evaluations: [], weightSets: [], events: [], eventsThrough: null, ...content,
    };
    const text = canonicalJson(body);
    const sha = sha256Hex(text);
    envelopes.push({ sha256: sha, signature: signer.sign(sha), signer: signer.address, body: text });
    previous = sha;
  };
  let runs = 0;
  let losses = 0;
  for (let d = 0; d < DAYS; d++) {
    const t = tournament(d);
    runs += t.evidence.runs.length;
    losses += t.evidence.runs.length * EXAMPLES;
    seal('tournament', t.evidence.id, t.body);
    const metagraph = { block: 1000 + d, uids: t.uids };
    const v = weightsFromDerivations({ tournaments: [{ rulebook: t.evidence.rulebook, derivation: deriveTournament(t.evidence) }], metagraph, burnUid: 0 });
    const emit = convertWeightsAndUidsForEmit(v.uids, v.weights);
    for (let h = 0; h < 24; h++) {
      const id = `w${d}-${h}`;
      seal('weights', id, { weightSets: [{ id, netuid: 1, epoch: d * 24 + h, status: 'set', uids: emit.uids, values: emit.weights, floats: {}, versionKey: '0', hotkey: signer.address, block: d * 7200 + h * 300, extrinsicHash: null, createdAt: '', basis: { tournamentIds: [t.evidence.id], burnUid: 0, metagraph } }] });
    }
  }
  const time = (fn: () => void, reps: number): number => {
    fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1e9 / reps;
  };
  const reps = 3;
  let counts = '';
  const crucible = time(() => {
    const r = recomputeBundles(envelopes);
    if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 3)));
    counts = `${r.counts.evaluations} evaluations, ${r.counts.rounds} rounds, ${r.counts.verdicts} verdicts, ${r.counts.weightSets} weight sets`;
  }, reps);
  const baseline = time(() => {
    for (const e of envelopes) {
      if (sha256Hex(e.body) !== e.sha256 || !signatureVerify(e.sha256, e.signature, e.signer).isValid) throw new Error('baseline failed');
    }
  }, reps);
  console.log(`bundles: ${envelopes.length}`);
  console.log(`bundle_bytes_total: ${envelopes.reduce((a, e) => a + e.body.length, 0)}`);
  console.log(`runs: ${runs}`);
  console.log(`per_example_losses: ${losses}`);
  console.log(`re_derived: ${counts}`);
  console.log(`crucible_recompute_s: ${crucible.toFixed(4)}`);
  console.log(`baseline_hash_and_verify_s: ${baseline.toFixed(4)}`);
  console.log('direction: lower is better (crucible full re-derivation time / bare hash+signature check time)');
  console.log(`ratio: ${(crucible / baseline).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
