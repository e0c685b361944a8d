/**
 * audit-recompute: seconds for `recomputeBundles` over 7 daily bundles (24 weight sets a day, 64
 * entrants, per-example loss files) against the bare floor of the same check: sha256 + sr25519
 * verification of the 7 bodies and nothing else. ratio = crucible / baseline (lower is better).
 */
import { createHash } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEnvelope } from '../src/audit/bundle-format';
import { KeyringBundleSigner } from '../src/audit/bundle-signer';
import { canonicalJson, sha256Hex } from '../src/audit/canonical-json';
import { recomputeBundles } from '../src/audit/recompute';
import { defaultRulebook } from '../src/scoring/rulebook';
import { convertWeightsAndUidsForEmit } from '../src/scoring/u16';
import { computeWeights } from '../src/scoring/weights';

async function main(): Promise<void> {
  await cryptoWaitReady();
  const signer = new KeyringBundleSigner(new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Bench'));
  const entrants = Array.from({ length: 64 }, (_, i) => ({ id: `e${i}`, hotkey: `hk${i}`, uid: i + 1 }));
  const ranking = entrants.map((e) => e.id);
  const v = computeWeights({ rules: defaultRulebook(), tournaments: [{ tournamentType: 'text', standings: entrants.map((e) => ({ hotkey: e.hotkey, completedValidRun: true })) }], hotkeyToUid: new Map(entrants.map((e) => [e.hotkey, e.uid])), burnUid: 0 });
  const emit = convertWeightsAndUidsForEmit(v.uids, v.weights);
  const envelopes: BundleEnvelope[] = [];
  let prev: string | null = null;
  for (let d = 0; d < 7; d++) {
    const losses = Buffer.alloc(8 * 4096);
    for (let j = 0; j < 4096; j++) losses.writeDoubleLE(2 + Math.sin(j + d), j * 8);
    const body: AuditBundleBody = {
      format: BUNDLE_FORMAT, day: `2026-03-0${d + 1}`, from: '', to: '', sequence: d, previousSha256: prev, netuid: 1, validator: signer.address,
      tournaments: [{ id: 't1', type: 'text', cycle: 1, state: 'completed', rulebookVersion: '1', rulebook: defaultRulebook() as unknown as Record<string, unknown>, defendingChampion: null, ranking, winnerEntrantId: 'e0', finishedAt: null }],
      rounds: [], tasks: [],
      entrants: entrants.map((e) => ({ id: e.id, tournamentId: 't1', hotkey: e.hotkey, coldkey: null, uid: e.uid, repoUrl: 'r', commitSha: 'c', treeHash: null, signature: 's', status: 'accepted', rejectionReason: null, isChampion: false, receivedAt: '' })),
      runs: entrants.map((e) => ({ id: `r${e.id}`, tournamentId: 't1', taskId: 'k', entrantId: e.id, attempt: 1, outcome: 'succeeded', outcomeReason: null, imageDigest: null, artifactSha256: null, evidence: null, finishedAt: null })),
      evaluations: entrants.map((e) => ({ id: `v${e.id}`, taskId: 'k', runId: `r${e.id}`, metricName: 'ce', metricValue: 2, exampleCount: 4096, lossesSha256: createHash('sha256').update(losses).digest('hex'), modelSha256: '', evaluatorVersion: '1', causality: null, losses: losses.toString('base64') })),
      weightSets: Array.from({ length: 24 }, (_, h) => ({ id: `w${d}-${h}`, netuid: 1, epoch: d * 24 + h, status: 'set', uids: emit.uids, values: emit.weights, floats: {}, versionKey: '0', hotkey: signer.address, block: d * 7200 + h * 300, extrinsicHash: null, createdAt: '', basis: { tournamentIds: ['t1'], burnUid: 0 } })),
      events: [],
    };
    const text = canonicalJson(body);
    const sha = sha256Hex(text);
    envelopes.push({ sha256: sha, signature: signer.sign(sha), signer: signer.address, body: text });
    prev = sha;
  }
  const time = (fn: () => void, reps: number): number => {
    fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1e9 / reps;
  };
  const reps = 5;
  const crucible = time(() => {
    const r = recomputeBundles(envelopes);
    if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 3)));
  }, reps);
  const baseline = time(() => {
    for (const e of envelopes) {
      if (sha256Hex(e.body) !== e.sha256 || !signatureVerify(e.sha256, e.signature, e.signer).isValid) throw new Error('baseline failed');
    }
  }, reps);
  console.log(`bundles: ${envelopes.length}`);
  console.log(`bundle_bytes_total: ${envelopes.reduce((a, e) => a + e.body.length, 0)}`);
  console.log(`weight_sets: ${7 * 24}`);
  console.log(`crucible_recompute_s: ${crucible.toFixed(4)}`);
  console.log(`baseline_hash_and_verify_s: ${baseline.toFixed(4)}`);
  console.log('direction: lower is better (crucible recompute time / bare hash+signature check time)');
  console.log(`ratio: ${(crucible / baseline).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
