import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import type { TournamentEntity } from '../tournaments/tournament.entity';
import { AuditBundleRepository } from './audit-bundle.repository';
import { AuditSourceRepository } from './audit-source.repository';
import { AuditBundleBody, BUNDLE_FORMAT, BundleEnvelope, BundleWeightSet } from './bundle-format';
import { BundleSigner } from './bundle-signer';
import { canonicalJson, sha256Hex } from './canonical-json';

const DAY_MS = 86_400_000;

/** Seals daily audit bundles: builds the body from the database, hashes, signs, chains, stores and writes it. */
@Injectable()
export class AuditBundleService {
  private readonly logger = new Logger(AuditBundleService.name);

  constructor(
    private readonly source: AuditSourceRepository,
    private readonly bundles: AuditBundleRepository,
    private readonly signer: BundleSigner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get directory(): string {
    return path.join(this.config.dataDir, 'audit');
  }

  /** Seals every finished day after the last sealed one (at most `maxDays`, the first time: yesterday only). */
  async sealDueDays(maxDays = 7): Promise<string[]> {
    const today = dayOf(this.clock.now());
    const last = await this.bundles.latest();
    let next = last ? addDays(last.day, 1) : addDays(today, -1);
    const sealed: string[] = [];
    while (next < today && sealed.length < maxDays) {
      await this.sealDay(next);
      sealed.push(next);
      next = addDays(next, 1);
    }
    return sealed;
  }

  /** Seals one UTC day; idempotent (an already sealed day is returned unchanged). */
  async sealDay(day: string): Promise<BundleEnvelope> {
    const existing = await this.bundles.byDay(day);
    if (existing) return { sha256: existing.sha256, signature: existing.signature, signer: existing.signer, body: existing.body };
    const previous = await this.bundles.latest();
    // The hash chain runs forward in time: a day before the newest sealed one can no longer be sealed.
    if (previous && previous.day > day) throw new Error(`cannot seal ${day}: ${previous.day} is already sealed`);
    const body = await this.buildBody(day, previous ? previous.sequence + 1 : 0, previous?.sha256 ?? null);
    const text = canonicalJson(body);
    const sha256 = sha256Hex(text);
    const envelope: BundleEnvelope = { sha256, signature: this.signer.sign(sha256), signer: this.signer.address, body: text };
    await this.bundles.insert({ day, sequence: body.sequence, previousSha256: body.previousSha256, sha256, signature: envelope.signature, signer: envelope.signer, body: text, sealedAt: this.clock.now() });
    fs.mkdirSync(this.directory, { recursive: true });
    fs.writeFileSync(path.join(this.directory, `${day}.json`), JSON.stringify(envelope));
    this.logger.log({ day, sequence: body.sequence, sha256 }, 'audit bundle sealed');
    return envelope;
  }

  async buildBody(day: string, sequence: number, previousSha256: string | null): Promise<AuditBundleBody> {
    const from = new Date(`${day}T00:00:00.000Z`);
    const to = new Date(from.getTime() + DAY_MS);
    const weightRows = await this.source.weightSets(from, to);
    const weightSets: BundleWeightSet[] = [];
    const ids = new Set(await this.source.tournamentIdsTouched(from, to));
    for (const w of weightRows) {
      const basis: TournamentEntity[] = [];
      for (const type of this.config.tournaments.types) {
        const t = await this.source.latestDecidedBefore(type, w.createdAt);
        if (t) basis.push(t);
      }
      basis.forEach((t) => ids.add(t.id));
      weightSets.push({
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
        basis: { tournamentIds: basis.map((t) => t.id), burnUid: this.config.chain.ownerUid },
      });
    }
    const tournamentIds = [...ids];
    const [tournaments, rounds, tasks, entrants, runs, events] = await Promise.all([
      this.source.tournaments(tournamentIds),
      this.source.rounds(tournamentIds),
      this.source.tasks(tournamentIds),
      this.source.entrants(tournamentIds),
      this.source.runs(tournamentIds),
      this.source.events(from, to),
    ]);
    const evaluations = await this.source.evaluations(tasks.map((t) => t.id));
    return {
      format: BUNDLE_FORMAT,
      day,
      from: from.toISOString(),
      to: to.toISOString(),
      sequence,
      previousSha256,
      netuid: this.config.chain.netuid,
      validator: this.signer.address,
      tournaments: tournaments.map((t) => ({
        id: t.id,
        type: t.type,
        cycle: t.cycle,
        state: t.state,
        rulebookVersion: t.rulebookVersion,
        rulebook: t.rulebook,
        defendingChampion: (t.defendingChampion as unknown as Record<string, unknown> | null) ?? null,
        ranking: t.ranking,
        winnerEntrantId: t.winnerEntrantId,
        finishedAt: iso(t.finishedAt),
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
        losses: e.createdAt >= from && e.createdAt < to ? readLosses(e.lossesPath) : null,
      })),
      weightSets,
      events: events.map((e) => ({ id: String(e.id), occurredAt: e.occurredAt.toISOString(), actor: e.actor, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, payload: e.payload })),
    };
  }
}

function readLosses(file: string): string | null {
  try {
    return fs.readFileSync(file).toString('base64');
  } catch {
    return null;
  }
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
