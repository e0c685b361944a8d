import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { pausePoint } from '../common/pause-point';
import { AppConfig } from '../config/app-config';
import type { WeightSetEntity } from '../chain/weight-set.entity';
import type { BundleKind } from './audit-bundle.entity';
import { AuditBundleRepository, SealedBundle } from './audit-bundle.repository';
import { ArtifactArchive } from './artifact-archive';
import { AuditSourceRepository } from './audit-source.repository';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEnvelope, BundleWeightSet, keyChangeMessage } from './bundle-format';
import { parseBundleBody } from './bundle-parse';
import { BundleSigner } from './bundle-signer';
import { canonicalJson, sha256Hex } from './canonical-json';
import { paramsRecordedOn } from '../scoring/rulebook';

const DAY_MS = 86_400_000;

/** What one bundle adds besides the audit log: a tournament's evidence, a weight set, or nothing. */
type BundleContent = Partial<Pick<AuditBundleBody, 'tournaments' | 'rounds' | 'tasks' | 'entrants' | 'runs' | 'evaluations' | 'weightSets' | 'keyChange'>>;

/**
 * Seals audit bundles: when a tournament completes, when a weight set is settled, at the end of each
 * UTC day, and when the signing key changes. Builds the body from the database, hashes, signs,
 * chains, stores and writes it. Idempotent: each subject is sealed once (unique per kind).
 */
@Injectable()
export class AuditBundleService {
  private readonly logger = new Logger(AuditBundleService.name);

  constructor(
    private readonly source: AuditSourceRepository,
    private readonly bundles: AuditBundleRepository,
    private readonly signer: BundleSigner,
    private readonly artifacts: ArtifactArchive,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get directory(): string {
    return path.join(this.config.dataDir, 'audit');
  }

  /**
   * Seals everything due now, oldest first: a key change, completed tournaments (archiving their
   * scored models first), settled weight sets, finished days; then prunes expired archived models.
   */
  async sealDue(maxDays = 7): Promise<BundleEnvelope[]> {
    const sealed: BundleEnvelope[] = [];
    const latest = await this.bundles.latestSummary();
    // A worker killed between the insert and the file write: the row is the bundle, the file its copy.
    if (latest && !fs.existsSync(path.join(this.directory, bundleFileName(latest.sequence, latest.kind)))) {
      const full = await this.bundles.bySequence(latest.sequence);
      if (full) this.writeFile(full.sequence, full.kind, envelopeOf(full));
    }
    if (latest && latest.signer !== this.signer.address) sealed.push(await this.sealKeyChange(latest.signer));
    for (const id of await this.source.completedTournamentsNotSealed()) {
      for (const m of await this.source.scoredModels(id)) await this.artifacts.archive(m.artifactPath, m.modelSha256);
      sealed.push(await this.seal('tournament', id, await this.tournamentContent([id])));
    }
    for (const w of await this.source.weightSetsNotSealed()) sealed.push(await this.seal('weights', w.id, { weightSets: [toBundleWeightSet(w)] }));
    sealed.push(...(await this.sealDueDays(maxDays)));
    await this.artifacts.prune();
    return sealed;
  }

  /** Seals every finished UTC day after the last sealed one (at most `maxDays`; the first time: yesterday only). */
  async sealDueDays(maxDays = 7): Promise<BundleEnvelope[]> {
    const today = dayOf(this.clock.now());
    const last = await this.bundles.latestOfKind('day');
    let next = last ? addDays(last.subject, 1) : addDays(today, -1);
    const sealed: BundleEnvelope[] = [];
    while (next < today && sealed.length < maxDays) {
      sealed.push(await this.seal('day', next, {}));
      next = addDays(next, 1);
    }
    return sealed;
  }

  /** The new key's first bundle, carrying the old key's signature over the change when that key is at hand. */
  private async sealKeyChange(from: string): Promise<BundleEnvelope> {
    const sequence = ((await this.bundles.latestSummary())?.sequence ?? -1) + 1;
    const to = this.signer.address;
    const retired = this.signer.retired?.address === from ? this.signer.retired : null;
    if (!retired) this.logger.warn({ from, to }, 'signing key changed and the old key is not at hand: the change is sealed unendorsed');
    return this.seal('key_change', to, { keyChange: { from, to, signature: retired ? retired.sign(keyChangeMessage(sequence, to)) : '' } });
  }

  /** An evaluation's per-example losses for the bundle; a file that cannot be read is sealed as null and said. */
  private readLosses(file: string, evaluationId: string): string | null {
    try {
      return fs.readFileSync(file).toString('base64');
    } catch (error) {
      this.logger.warn({ evaluationId, file, error: String(error) }, 'losses file unreadable: sealed without its per-example losses');
      return null;
    }
  }

  /** Seals one subject; idempotent (an already sealed subject is returned unchanged). */
  private async seal(kind: BundleKind, subject: string, content: BundleContent): Promise<BundleEnvelope> {
    const existing = await this.bundles.bySubject(kind, subject);
    if (existing) return envelopeOf(existing);
    const previous = await this.bundles.latest();
    const now = this.clock.now();
    const previousBody = previous ? parseBundleBody(previous.body, `bundle ${previous.sequence}`) : null;
    const events = await this.source.eventsAfter(previousBody?.eventsThrough ?? null);
    const body: AuditBundleBody = {
      format: BUNDLE_FORMAT,
      kind,
      subject,
      day: kind === 'day' ? subject : dayOf(now),
      from: previous ? previous.sealedAt.toISOString() : `${dayOf(now)}T00:00:00.000Z`,
      to: now.toISOString(),
      sequence: previous ? previous.sequence + 1 : 0,
      previousSha256: previous?.sha256 ?? null,
      netuid: this.config.chain.netuid,
      validator: this.signer.address,
      keyChange: null,
      tournaments: [],
      rounds: [],
      tasks: [],
      entrants: [],
      runs: [],
      evaluations: [],
      weightSets: [],
      ...content,
      events: events.map((e) => ({ id: String(e.id), occurredAt: e.occurredAt.toISOString(), actor: e.actor, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, payload: e.payload })),
      eventsThrough: events.length ? String(events[events.length - 1].id) : (previousBody?.eventsThrough ?? null),
    };
    const text = canonicalJson(body);
    const sha256 = sha256Hex(text);
    const envelope: BundleEnvelope = { sha256, signature: this.signer.sign(sha256), signer: this.signer.address, body: text };
    await this.bundles.insert({ day: body.day, kind, subject, sequence: body.sequence, previousSha256: body.previousSha256, sha256, signature: envelope.signature, signer: envelope.signer, body: text, sealedAt: now });
    pausePoint('bundle-sealed');
    this.writeFile(body.sequence, kind, envelope);
    this.logger.log({ kind, subject, sequence: body.sequence, sha256 }, 'audit bundle sealed');
    return envelope;
  }

  /** Whole or absent: written beside and renamed into place. */
  private writeFile(sequence: number, kind: BundleKind, envelope: BundleEnvelope): void {
    fs.mkdirSync(this.directory, { recursive: true });
    const file = path.join(this.directory, bundleFileName(sequence, kind));
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(envelope));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** Everything about the tournaments: rulebook, rounds and decisions, tasks and reveals, entrants, runs, evaluations with their per-example losses. */
  async tournamentContent(tournamentIds: string[]): Promise<BundleContent> {
    const [tournaments, rounds, tasks, entrants, runs] = await Promise.all([
      this.source.tournaments(tournamentIds),
      this.source.rounds(tournamentIds),
      this.source.tasks(tournamentIds),
      this.source.entrants(tournamentIds),
      this.source.runs(tournamentIds),
    ]);
    const evaluations = await this.source.evaluations(tasks.map((t) => t.id));
    return {
      tournaments: tournaments.map((t) => ({
        id: t.id,
        type: t.type,
        cycle: t.cycle,
        state: t.state,
        rulebookVersion: t.rulebookVersion,
        rulebook: t.rulebook,
        defendingChampion: t.defendingChampion ?? null,
        ranking: t.ranking,
        winnerEntrantId: t.winnerEntrantId,
        finishedAt: iso(t.finishedAt),
        overrun: t.overrun ?? null,
      })),
      rounds: rounds.map((r) => ({ id: r.id, tournamentId: r.tournamentId, index: r.index, kind: r.kind, state: r.state, advancing: r.advancing, decision: r.decision })),
      tasks: tasks.map((t) => ({
        id: t.id,
        tournamentId: t.tournamentId,
        roundId: t.roundId,
        slot: t.slot,
        taskType: t.taskType,
        datasetId: t.datasetId,
        baseModel: t.baseModel,
        seedCommitment: t.seedCommitment,
        testSetCommitment: t.testSetCommitment,
        revealedSeed: t.revealedSeed,
        revealedAt: iso(t.revealedAt),
        params: paramsRecordedOn(t.spec),
      })),
      entrants: entrants.map((e) => ({
        id: e.id,
        tournamentId: e.tournamentId,
        hotkey: e.hotkey,
        coldkey: e.coldkey,
        uid: e.uid,
        repoUrl: e.repoUrl,
        commitSha: e.commitSha,
        treeHash: e.treeHash,
        signature: e.signature,
        source: e.source,
        commitmentBlock: e.commitmentBlock,
        readAtBlock: e.readAtBlock,
        status: e.status,
        rejectionReason: e.rejectionReason,
        isChampion: e.isChampion,
        receivedAt: e.receivedAt.toISOString(),
      })),
      runs: runs.map((r) => ({
        id: r.id,
        tournamentId: r.tournamentId,
        taskId: r.taskId,
        entrantId: r.entrantId,
        attempt: r.attempt,
        outcome: r.outcome,
        outcomeReason: r.outcomeReason,
        imageDigest: r.imageDigest,
        artifactSha256: r.artifactSha256,
        evidence: r.evidence,
        finishedAt: iso(r.finishedAt),
      })),
      evaluations: evaluations.map((e) => ({
        id: e.id,
        taskId: e.taskId,
        runId: e.runId,
        metricName: e.metricName,
        metricValue: e.metricValue,
        exampleCount: e.exampleCount,
        lossesSha256: e.lossesSha256,
        modelSha256: e.modelSha256,
        evaluatorVersion: e.evaluatorVersion,
        causality: e.causality,
        losses: this.readLosses(e.lossesPath, e.id),
      })),
    };
  }
}

function toBundleWeightSet(w: WeightSetEntity): BundleWeightSet {
  if (!w.basis) throw new Error(`weight set ${w.id} has no recorded basis (tournaments, metagraph snapshot)`);
  return {
    id: w.id,
    netuid: w.netuid,
    epoch: w.epoch,
    status: w.status,
    uids: w.uids,
    values: w.values,
    floats: w.floats,
    versionKey: w.versionKey,
    hotkey: w.hotkey,
    block: w.block,
    extrinsicHash: w.extrinsicHash,
    createdAt: w.createdAt.toISOString(),
    basis: w.basis,
  };
}

function envelopeOf(b: SealedBundle): BundleEnvelope {
  return { sha256: b.sha256, signature: b.signature, signer: b.signer, body: b.body };
}

/** <sequence, 6 digits>-<kind>.json: sorts in chain order. */
export function bundleFileName(sequence: number, kind: BundleKind): string {
  return `${String(sequence).padStart(6, '0')}-${kind}.json`;
}



function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayOf(new Date(new Date(`${day}T00:00:00.000Z`).getTime() + n * DAY_MS));
}
