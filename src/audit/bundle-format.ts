/**
 * The audit bundle, format crucible-audit-bundle-v2. Sealed when a tournament completes (its whole
 * evidence, per-example losses included), when a weight set is made (the vector and the metagraph
 * snapshot it paid), at the end of each UTC day (the audit log since the previous bundle) and when
 * the signing key changes. All of them form one hash chain, in sequence; a day may hold several.
 *
 * On disk (<dataDir>/audit/<sequence>-<kind>.json) and over HTTP a bundle travels as an envelope:
 *   { "sha256": hex, "signature": 0x + 128 hex, "signer": ss58, "body": "<canonical JSON string>" }
 * sha256 = sha256(UTF-8 body); signature = sr25519 by the signer over the ASCII bytes of the sha256
 * hex; body.previousSha256 = the previous bundle's envelope sha256 (null for the first). The body is
 * canonical JSON (canonical-json.ts) of AuditBundleBody.
 */
import type { RejectionEvidence } from '../evaluation/task-data';
import type { CausalityEvidence } from '../evaluation/task-types/causality';

import type { BundleKind } from './audit-bundle.entity';
import type { WeightBasis } from '../scoring/tournament-evidence';
import type { OverrunMarker } from '../scoring/overrun';
import type { ChampionRef } from '../tournaments/tournament.entity';
import type { TaskTypeParams } from '../scoring/rulebook';

export const BUNDLE_FORMAT = 'crucible-audit-bundle-v2';

export interface BundleEnvelope {
  sha256: string;
  signature: string;
  signer: string;
  body: string;
}

export interface BundleTournament {
  id: string;
  type: string;
  cycle: number;
  state: string;
  rulebookVersion: string;
  /** The full rulebook the tournament ran under. */
  rulebook: Record<string, unknown>;
  defendingChampion: ChampionRef | null;
  /** Final ranking, entrant ids best first (null until finalised). */
  ranking: string[] | null;
  winnerEntrantId: string | null;
  finishedAt: string | null;
  /** The overrun marker (scoring/overrun.ts) when the tournament was finalised at its time budget; absent in older bundles. */
  overrun?: OverrunMarker | null;
}

export interface BundleRound {
  id: string;
  tournamentId: string;
  index: number;
  kind: string;
  state: string;
  advancing: string[] | null;
  /** The engine's decision record: per-task ranks, boss verdict and margins. */
  decision: Record<string, unknown> | null;
}

export interface BundleTask {
  id: string;
  tournamentId: string;
  roundId: string;
  slot: number;
  taskType: string;
  datasetId: string;
  baseModel: string;
  seedCommitment: string;
  testSetCommitment: string;
  revealedSeed: string | null;
  revealedAt: string | null;
  /**
   * The task type's constants its evaluations used (rulebook `taskTypes.<type>` when the round was
   * planned), which a re-evaluation uses too. Absent in bundles sealed before they were recorded: the
   * values from before rulebooks carried them (scoring/rulebook.ts TASK_TYPE_PARAMS_BEFORE_RULEBOOK).
   */
  params?: TaskTypeParams;
}

export interface BundleEntrant {
  id: string;
  tournamentId: string;
  hotkey: string;
  coldkey: string | null;
  uid: number | null;
  repoUrl: string;
  commitSha: string;
  treeHash: string | null;
  /** null for an entry from a chain commitment (the hotkey signed the extrinsic). */
  signature: string | null;
  /** Absent in bundles sealed before entries from chain commitments existed (all were 'http'). */
  source?: 'http' | 'chain';
  /** Chain entries: the block the commitment was written in and the block it was read at. */
  commitmentBlock?: number | null;
  readAtBlock?: number | null;
  status: string;
  rejectionReason: string | null;
  isChampion: boolean;
  receivedAt: string;
}

export interface BundleRun {
  id: string;
  tournamentId: string;
  taskId: string;
  entrantId: string;
  attempt: number;
  outcome: string | null;
  outcomeReason: string | null;
  imageDigest: string | null;
  artifactSha256: string | null;
  /** Facts behind a rejection, e.g. the causality check's offending example, position and cut. */
  evidence: RejectionEvidence | null;
  finishedAt: string | null;
}

export interface BundleEvaluation {
  id: string;
  taskId: string;
  runId: string | null;
  metricName: string;
  metricValue: number;
  exampleCount: number;
  lossesSha256: string;
  modelSha256: string;
  evaluatorVersion: string;
  /**
   * The causality check the model passed (sequence task types): its sample, re-derivable after the
   * reveal from causalitySeed(task seed, modelSha256), and the largest deviation seen.
   */
  causality: CausalityEvidence | null;
  /** Per-example losses, little-endian float64, base64; present in the bundle sealing the tournament's completion. */
  losses: string | null;
}

export interface BundleWeightSet {
  id: string;
  netuid: number;
  epoch: number;
  status: string;
  uids: number[];
  values: number[];
  floats: Record<string, number>;
  versionKey: string;
  hotkey: string | null;
  block: number | null;
  extrinsicHash: string | null;
  createdAt: string;
  /** What the vector was made from: the latest decided tournament of each type (rules = first's rulebook), the burn uid and the metagraph snapshot. */
  basis: WeightBasis;
}

/**
 * A change of signing key, signed by the old key: `signature` is the old key's sr25519 signature over
 * the ASCII text `crucible-key-change:<sequence>:<to>`. The bundle itself is signed by the new key.
 */
export interface BundleKeyChange {
  from: string;
  to: string;
  signature: string;
}

export function keyChangeMessage(sequence: number, to: string): string {
  return `crucible-key-change:${sequence}:${to}`;
}

export interface AuditBundleBody {
  format: typeof BUNDLE_FORMAT;
  kind: BundleKind;
  /** The tournament id, weight set id, day or new signer the bundle seals. */
  subject: string;
  day: string;
  /** The audit log window: from the previous bundle's `to` (or the day's start) to the seal. */
  from: string;
  to: string;
  sequence: number;
  previousSha256: string | null;
  netuid: number;
  validator: string;
  keyChange: BundleKeyChange | null;
  /** A 'tournament' bundle: the completed tournament, with everything below for it. */
  tournaments: BundleTournament[];
  rounds: BundleRound[];
  tasks: BundleTask[];
  entrants: BundleEntrant[];
  runs: BundleRun[];
  evaluations: BundleEvaluation[];
  weightSets: BundleWeightSet[];
  /** The append-only audit log of the window [from, to). */
  events: Array<{ id: string; occurredAt: string; actor: string; action: string; subjectType: string; subjectId: string; payload: Record<string, unknown> }>;
  /** Id of the last audit-log event sealed so far (this bundle's or an earlier one's); the next bundle starts after it. */
  eventsThrough: string | null;
}
