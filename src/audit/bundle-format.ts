/**
 * The audit bundle, format crucible-audit-bundle-v1. One per UTC day, sealed after the day ends.
 *
 * On disk and over HTTP a bundle travels as an envelope:
 *   { "sha256": hex, "signature": 0x + 128 hex, "signer": ss58, "body": "<canonical JSON string>" }
 * sha256 = sha256(UTF-8 body); signature = sr25519 by the validator hotkey over the ASCII bytes of
 * the sha256 hex; body.previousSha256 = the previous day's envelope sha256 (null for the first).
 * The body is canonical JSON (canonical-json.ts) of AuditBundleBody.
 */
import type { RejectionEvidence } from '../evaluation/task-data';
import type { CausalityEvidence } from '../evaluation/task-types/causality';

export const BUNDLE_FORMAT = 'crucible-audit-bundle-v1';

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
  defendingChampion: Record<string, unknown> | null;
  /** Final ranking, entrant ids best first (null until finalised). */
  ranking: string[] | null;
  winnerEntrantId: string | null;
  finishedAt: string | null;
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
  signature: string;
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
  /** Per-example losses, little-endian float64, base64; present in the bundle of the day the evaluation was made. */
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
  /** What the vector was computed from: the latest decided tournament of each type (rules = first's rulebook), and the burn uid. */
  basis: { tournamentIds: string[]; burnUid: number };
}

export interface AuditBundleBody {
  format: typeof BUNDLE_FORMAT;
  day: string;
  from: string;
  to: string;
  sequence: number;
  previousSha256: string | null;
  netuid: number;
  validator: string;
  /** Tournaments touched during the day or used by one of the day's weight sets, with everything below for them. */
  tournaments: BundleTournament[];
  rounds: BundleRound[];
  tasks: BundleTask[];
  entrants: BundleEntrant[];
  runs: BundleRun[];
  evaluations: BundleEvaluation[];
  weightSets: BundleWeightSet[];
  /** The append-only audit log of the day. */
  events: Array<{ id: string; occurredAt: string; actor: string; action: string; subjectType: string; subjectId: string; payload: Record<string, unknown> }>;
}
