/** Typed calls to Crucible's /api routes (same origin). Errors carry the API's error envelope. */

// The dashboard routes' responses, as the server declares them (type-only: nothing of src/ is bundled).
export type {
  AuditRecomputeView as AuditRecompute,
  BoardRun,
  MinerView,
  RunView,
  TournamentBoard,
  WeightSetView as WeightSet,
} from '../../src/dashboard/dashboard.types';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Tournament {
  id: string;
  type: string;
  cycle: number;
  state: string;
  stateReason: string | null;
  rulebookVersion: string;
  rulebook: Record<string, unknown>;
  registrationOpensAt: string;
  registrationClosesAt: string;
  endsBy: string;
  defendingChampion: { hotkey?: string; repoUrl?: string; commitSha?: string; defences?: number } | null;
  winnerEntrantId: string | null;
  publication: Record<string, unknown> | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface PlannedCycle {
  cycle: number;
  tournamentId: string | null;
  state: string | null;
  opensAt: string;
  opensBy: string;
  endsBy: string;
}

export interface TypeSchedule {
  type: string;
  autoSchedule: boolean;
  schedule: { registrationMinutes: number; maxDurationHours: number; gapHours: number; roundDeadlineMinutes?: number };
  cycles: PlannedCycle[];
}

export interface Round {
  id: string;
  index: number;
  kind: 'group' | 'knockout' | 'boss';
  state: string;
  stateReason: string | null;
  advancing: string[] | null;
  decision: RoundDecision | null;
  decidedAt: string | null;
}

export interface RoundDecision {
  plan?: RoundPlan;
  verdict?: BossVerdict;
  eliminated?: Array<{ entrantId: string; reason?: string }>;
  startedAt?: string;
}

export type RoundPlan =
  | { kind: 'group'; roundIndex: number; groups: Array<{ slot: number; entrants: string[] }>; advancePerGroup: number }
  | { kind: 'knockout'; roundIndex: number; pairs: Array<{ slot: number; entrants: [string, string]; withChampion: boolean }> }
  | { kind: 'boss'; roundIndex: number; challenger: string; champion: string; tasks: number };

export interface BossTaskVerdict {
  taskIndex: number;
  taskId: string;
  championLoss: number | null;
  challengerLoss: number | null;
  threshold: number;
  relativeImprovement: number | null;
  thresholdPassed: boolean | null;
  bootstrap: { estimate: number; lowerBound: number; seed: string } | null;
  bootstrapPassed: boolean | null;
  challengerWins: boolean;
  reason: string;
}

export interface BossVerdict {
  mode: string;
  championDefences: number;
  threshold: number;
  taskCount: number;
  tasksNeeded: number;
  tasksWon: number;
  challengerWins: boolean;
  tasks: BossTaskVerdict[];
}

export interface Task {
  id: string;
  roundId: string;
  slot: number;
  taskType: string;
  datasetId: string;
  datasetVisibility: string;
  datasetNote: string;
  baseModel: string;
  timeLimitSeconds: number;
  hardware: string;
  seedCommitment: string;
  testSetCommitment: string;
  revealedSeed: string | null;
  revealedAt: string | null;
}

export interface LeaderboardEntry {
  entrantId: string;
  hotkey: string;
  uid: number | null;
  repoUrl: string;
  commitSha: string;
  isChampion: boolean;
  eliminatedInRound: number | null;
  tasksScored: number;
  /** Null when the entrant's tasks have different metrics (a reward and a loss do not average). */
  meanMetric: number | null;
  /** Mean place over its scored tasks, 0 best to 1 worst, each in its metric's direction. */
  meanPlace: number | null;
  runsSucceeded: number;
  runsFailed: number;
  runsActive: number;
  rank: number;
  stillIn: boolean;
}

export interface Leaderboard {
  tournamentId: string;
  state: string;
  entries: LeaderboardEntry[];
}

export interface Run {
  id: string;
  tournamentId: string;
  taskId: string;
  entrantId: string;
  attempt: number;
  state: string;
  outcome: string | null;
  outcomeReason: string | null;
  hardware: string;
  runnerKind: string | null;
  imageDigest: string | null;
  exitCode: number | null;
  artifactSha256: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WeightShare {
  tournamentType: string | null;
  hotkey: string | null;
  uid: number;
  kind: 'rank' | 'participation' | 'unpooled' | 'no_result';
  rank: number | null;
  weight: number;
  burned: boolean;
}

export interface WeightsPreview {
  tournaments: Array<{ id: string; type: string; cycle: number; rulebookVersion: string }>;
  basis: { tournamentIds: string[]; burnUid: number; metagraph: { block: number | null; uids: Record<string, number> } };
  vector: { uids: number[]; weights: number[]; shares: WeightShare[] };
  emit: { uids: number[]; weights: number[] } | null;
}

export interface AuditBundle {
  sequence: number;
  kind: string;
  subject: string;
  day: string;
  previousSha256: string | null;
  sha256: string;
  signer: string;
  signature: string;
  sealedAt: string;
}

export interface AuditSigner {
  address: string;
  publicKey: string;
  kind: string;
}

/** The API's error envelope {statusCode, code, message, details}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; details?: Record<string, unknown> };
    return new ApiError(res.status, body.code ?? 'HTTP_ERROR', body.message ?? res.statusText, body.details ?? {});
  } catch {
    return new ApiError(res.status, 'HTTP_ERROR', text.slice(0, 200) || res.statusText, {});
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function getText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { Accept: 'text/plain' } });
  if (!res.ok) throw await failure(res);
  return res.text();
}

export async function postJson<T>(path: string, body: unknown, token: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** Every item of a paged route (pages of 200, the API's maximum). */
export async function getAll<T>(path: string): Promise<T[]> {
  const sep = path.includes('?') ? '&' : '?';
  const first = await getJson<Page<T>>(`${path}${sep}limit=200&offset=0`);
  const rest: Array<Promise<Page<T>>> = [];
  for (let offset = 200; offset < first.total; offset += 200) rest.push(getJson<Page<T>>(`${path}${sep}limit=200&offset=${offset}`));
  return [...first.items, ...(await Promise.all(rest)).flatMap((p) => p.items)];
}

export const enc = encodeURIComponent;
