import { Injectable } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { K, similarPairs, SharedPassage, W } from './code-similarity';
import { EntrantRepository } from './entrant.repository';
import { RepoIntake } from '../repo-intake/repo-intake';

/** Files larger than this are not source code worth comparing. */
const MAX_FILE_BYTES = 512 * 1024;

export interface SimilarityEntrant {
  entrantId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
}

export interface SimilarityReport {
  tournamentId: string;
  method: string;
  threshold: number;
  entrants: number;
  pairs: Array<{ a: SimilarityEntrant; b: SimilarityEntrant; similarity: number; shared: SharedPassage[] }>;
}

/**
 * The organiser's code similarity report for one tournament: every accepted entrant's repository at
 * its pinned commit, compared by winnowed fingerprints (code-similarity.ts). It flags pairs for a
 * human to read; it decides nothing.
 */
@Injectable()
export class SimilarityReportService {
  constructor(
    private readonly entrants: EntrantRepository,
    private readonly repos: RepoIntake,
    private readonly config: AppConfig,
  ) {}

  async report(tournamentId: string, threshold: number): Promise<SimilarityReport> {
    const entrants = await this.entrants.accepted(tournamentId);
    if (entrants.length === 0) throw new NotFoundError('tournament entrants', tournamentId);
    const scratch = path.join(this.config.dataDir, 'similarity');
    await fs.promises.mkdir(scratch, { recursive: true });
    const work = await fs.promises.mkdtemp(path.join(scratch, 'report-'));
    try {
      const sources = new Map<string, Array<{ path: string; text: string }>>();
      for (const e of entrants) {
        const dir = path.join(work, e.id);
        await fs.promises.mkdir(dir);
        await this.repos.checkout(e.repoUrl, e.commitSha, dir);
        sources.set(e.id, textFiles(dir));
      }
      const byId = new Map(entrants.map((e): [string, SimilarityEntrant] => [e.id, { entrantId: e.id, hotkey: e.hotkey, repoUrl: e.repoUrl, commitSha: e.commitSha }]));
      const entrantOf = (id: string): SimilarityEntrant => {
        const found = byId.get(id);
        if (!found) throw new Error(`similarity pair names ${id}, which is not an entrant of tournament ${tournamentId}`);
        return found;
      };
      return {
        tournamentId,
        method: `winnowing (MOSS), ${K}-token k-grams, window ${W}, names and literals abstracted`,
        threshold,
        entrants: entrants.length,
        pairs: similarPairs(sources, threshold).map((p) => ({ ...p, a: entrantOf(p.a), b: entrantOf(p.b) })),
      };
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true });
    }
  }
}

/**
 * UTF-8 text files under root (no NUL byte, at most MAX_FILE_BYTES), relative paths; not the contract
 * manifest crucible.json, which every entry has in the same shape.
 */
function textFiles(root: string, rel = ''): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...textFiles(root, name));
    if (!entry.isFile() || name === 'crucible.json') continue;
    const bytes = fs.readFileSync(path.join(root, name));
    if (bytes.length > MAX_FILE_BYTES || bytes.includes(0)) continue;
    out.push({ path: name, text: bytes.toString('utf8') });
  }
  return out;
}
