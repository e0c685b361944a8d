import { signatureVerify } from '@polkadot/util-crypto';
import { assertValidRulebook } from '../scoring/rulebook';
import { convertWeightsAndUidsForEmit } from '../scoring/u16';
import { computeWeights, TournamentWeightInput } from '../scoring/weights';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEntrant, BundleEnvelope, BundleTournament, BundleWeightSet } from './bundle-format';
import { sha256Hex } from './canonical-json';

/** The baseline champion's pseudo-hotkey: not a miner, its share goes to the burn uid. */
const BASELINE_HOTKEY = 'baseline';

export interface AuditProblem {
  /** e.g. "bundle 2026-01-03", "bundle 2026-01-03 evaluation <id>", "weight set epoch 12". */
  where: string;
  what: string;
}

export interface RecomputedWeightSet {
  day: string;
  epoch: number;
  block: number | null;
  uids: number[];
  values: number[];
  matches: boolean;
}

export interface AuditReport {
  ok: boolean;
  bundles: number;
  weightSets: RecomputedWeightSet[];
  problems: AuditProblem[];
}

export interface RecomputeOptions {
  /** The validator's hotkey the bundles must be signed by; default: whoever signed the first one. */
  expectedSigner?: string;
  /** Weights(netuid, validatorUid) read from chain now, [uid, u16] pairs: compared with the newest weight set that was set on chain. */
  chainWeights?: Array<[number, number]>;
}

/**
 * Verifies bundles alone, without trusting the validator: each body's sha256 and sr25519 signature,
 * the hash chain (sequence and previousSha256), each included loss file against its sha256; then
 * recomputes every weight vector with the same pure scoring code (computeWeights + the SDK u16
 * conversion) from the bundled tournaments, entrants and run outcomes, and diffs it with the
 * recorded vector and (optionally) with the chain. Every problem is reported, with where it is.
 */
export function recomputeBundles(envelopes: readonly BundleEnvelope[], opts: RecomputeOptions = {}): AuditReport {
  const problems: AuditProblem[] = [];
  const bodies: AuditBundleBody[] = [];
  const signer = opts.expectedSigner ?? envelopes[0]?.signer;

  for (const env of envelopes) {
    let body: AuditBundleBody;
    try {
      body = JSON.parse(env.body) as AuditBundleBody;
    } catch {
      problems.push({ where: `bundle sha256 ${env.sha256}`, what: 'body is not JSON' });
      continue;
    }
    const where = `bundle ${body.day} (sequence ${body.sequence})`;
    if (body.format !== BUNDLE_FORMAT) problems.push({ where, what: `unknown format ${String(body.format)}` });
    const actual = sha256Hex(env.body);
    if (actual !== env.sha256) problems.push({ where, what: `body sha256 is ${actual}, envelope says ${env.sha256} (body altered)` });
    if (env.signer !== signer) problems.push({ where, what: `signed by ${env.signer}, expected ${signer}` });
    if (!verifies(env.sha256, env.signature, env.signer)) problems.push({ where, what: 'signature does not verify' });
    if (body.validator !== env.signer) problems.push({ where, what: `body names validator ${body.validator}, signed by ${env.signer}` });
    bodies.push(body);
  }
  bodies.sort((a, b) => a.sequence - b.sequence);
  for (let i = 1; i < bodies.length; i++) {
    const prev = bodies[i - 1];
    const cur = bodies[i];
    const where = `bundle ${cur.day} (sequence ${cur.sequence})`;
    if (cur.sequence !== prev.sequence + 1) problems.push({ where, what: `sequence follows ${prev.sequence}: a bundle is missing` });
    const prevSha = envelopes.find((e) => safeParse(e.body)?.sequence === prev.sequence)?.sha256;
    if (cur.previousSha256 !== prevSha) {
      problems.push({ where, what: `previousSha256 ${String(cur.previousSha256)} is not the sha256 of bundle ${prev.day} (${String(prevSha)}): broken link` });
    }
  }

  // Index everything; a later bundle's copy of a record wins (tournaments progress).
  const tournaments = new Map<string, BundleTournament>();
  const entrants = new Map<string, BundleEntrant>();
  const succeeded = new Map<string, Set<string>>();
  for (const b of bodies) {
    for (const t of b.tournaments) tournaments.set(t.id, t);
    for (const e of b.entrants) entrants.set(e.id, e);
    for (const r of b.runs) {
      if (r.outcome !== 'succeeded') continue;
      const set = succeeded.get(r.tournamentId) ?? new Set<string>();
      set.add(r.entrantId);
      succeeded.set(r.tournamentId, set);
    }
    for (const ev of b.evaluations) {
      if (ev.losses === null) continue;
      const where = `bundle ${b.day} evaluation ${ev.id} (task ${ev.taskId})`;
      const bytes = Buffer.from(ev.losses, 'base64');
      const sha = sha256Hex(bytes);
      if (sha !== ev.lossesSha256) problems.push({ where, what: `per-example losses hash to ${sha}, recorded ${ev.lossesSha256}` });
      if (bytes.length !== ev.exampleCount * 8) problems.push({ where, what: `${bytes.length / 8} losses, recorded exampleCount ${ev.exampleCount}` });
    }
  }

  const recomputed: RecomputedWeightSet[] = [];
  for (const b of bodies) {
    for (const ws of b.weightSets) {
      const where = `bundle ${b.day} weight set epoch ${ws.epoch}`;
      try {
        const emit = recomputeWeightSet(ws, tournaments, entrants, succeeded);
        const matches = emit.uids.join(',') === ws.uids.join(',') && emit.weights.join(',') === ws.values.join(',');
        if (!matches) {
          problems.push({ where, what: `recomputed uids [${emit.uids}] values [${emit.weights}] != recorded uids [${ws.uids}] values [${ws.values}]` });
        }
        recomputed.push({ day: b.day, epoch: ws.epoch, block: ws.block, uids: emit.uids, values: emit.weights, matches });
      } catch (e) {
        problems.push({ where, what: `cannot recompute: ${(e as Error).message}` });
      }
    }
  }

  if (opts.chainWeights) {
    const onChain = recomputed.filter((r) => r.block !== null).sort((a, b) => (a.block ?? 0) - (b.block ?? 0)).pop();
    if (!onChain) {
      problems.push({ where: 'chain', what: 'no weight set in the window was set on chain' });
    } else {
      const chain = [...opts.chainWeights].sort((a, b) => a[0] - b[0]);
      const mine = onChain.uids.map((u, i) => [u, onChain.values[i]] as [number, number]).sort((a, b) => a[0] - b[0]);
      if (JSON.stringify(chain) !== JSON.stringify(mine)) {
        problems.push({ where: `chain vs bundle ${onChain.day} weight set epoch ${onChain.epoch}`, what: `chain holds ${JSON.stringify(chain)}, recomputed ${JSON.stringify(mine)}` });
      }
    }
  }

  return { ok: problems.length === 0, bundles: bodies.length, weightSets: recomputed, problems };
}

function recomputeWeightSet(
  ws: BundleWeightSet,
  tournaments: ReadonlyMap<string, BundleTournament>,
  entrants: ReadonlyMap<string, BundleEntrant>,
  succeeded: ReadonlyMap<string, Set<string>>,
): { uids: number[]; weights: number[] } {
  const basis = ws.basis.tournamentIds.map((id) => {
    const t = tournaments.get(id);
    if (!t) throw new Error(`tournament ${id} is not in the bundles`);
    return t;
  });
  const hotkeyToUid = new Map<string, number>();
  const inputs: TournamentWeightInput[] = basis.map((t) => {
    const valid = succeeded.get(t.id) ?? new Set<string>();
    const standings = (t.ranking ?? []).flatMap((id) => {
      const e = entrants.get(id);
      if (!e) throw new Error(`entrant ${id} of tournament ${t.id} is not in the bundles`);
      if (e.uid !== null && e.hotkey !== BASELINE_HOTKEY) hotkeyToUid.set(e.hotkey, e.uid);
      return [{ hotkey: e.hotkey === BASELINE_HOTKEY ? null : e.hotkey, completedValidRun: valid.has(id) }];
    });
    return { tournamentType: t.type, standings };
  });
  const rules = basis.length ? assertValidRulebook(basis[0].rulebook) : { weightDecay: 0.3, pools: {}, participationFloor: 0 };
  const vector = computeWeights({ rules, tournaments: inputs, hotkeyToUid, burnUid: ws.basis.burnUid });
  return convertWeightsAndUidsForEmit(vector.uids, vector.weights);
}

function verifies(message: string, signature: string, signer: string): boolean {
  try {
    return signatureVerify(message, signature, signer).isValid;
  } catch {
    return false;
  }
}

function safeParse(text: string): AuditBundleBody | null {
  try {
    return JSON.parse(text) as AuditBundleBody;
  } catch {
    return null;
  }
}
