import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import Docker from 'dockerode';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DataSource } from 'typeorm';
import { Transactor } from '../common/transactor';
import { AuditBundleRepository } from '../audit/audit-bundle.repository';
import { runAuditCommand } from '../audit/audit-command';
import { loadConfig, loadConfigWith } from '../config/app-config';
import { createApp } from '../main';
import { TrainingRunEntity } from '../runs/training-run.entity';
import { EntrantEntity } from '../submissions/entrant.entity';
import { buildSubmissionMessage } from '../submissions/signature';
import { SubmissionsService } from '../submissions/submissions.service';
import { RoundEntity } from '../tournaments/round.entity';
import { TaskEntity } from '../tournaments/task.entity';
import { TournamentAdminService } from '../tournaments/tournament-admin.service';
import { TournamentEntity } from '../tournaments/tournament.entity';
import { TournamentFactory } from '../tournaments/tournament.factory';
import { newTournamentRulebook } from '../scoring/tournament-rulebook';
import { TournamentQueriesService } from '../tournaments/tournament-queries.service';
import { WeightsPreviewService } from '../tournaments/weights-preview.service';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import { evaluatorFor } from '../evaluation/task-types';

type DemoMiner = { name: string; seed: string; fixture: string; hyperparameters?: Record<string, number>; taskTypes?: string[] };

/** The tournament types the demo runs (`npm run demo -- --type image`). */
export const DEMO_TYPES = ['text', 'image'] as const;
export type DemoType = (typeof DEMO_TYPES)[number];

/** Per tournament type: the miners (the same trainer with different effort, plus broken ones) and the baseline champion. */
const TEXT_TASK_TYPES = ['instruct', 'preference', 'reward'];

const LINEUPS: Record<DemoType, { miners: DemoMiner[]; baseline: Omit<DemoMiner, 'seed'>; metric: string }> = {
  // The default text tournament: each knockout task draws instruct, preference or reward; the boss round plays one of each.
  text: {
    miners: [
      // The example text miner (fine-tunes the task's base model) with more or less training.
      // Sized for 2 cores: a DPO step costs about twice an SFT step (the frozen reference runs too).
      { name: 'miner-strong', seed: '//Alice', fixture: 'text-tuner', hyperparameters: { steps: 40, lr: 0.004, grpoSteps: 4, groupSize: 4 } },
      { name: 'miner-good', seed: '//Bob', fixture: 'text-tuner', hyperparameters: { steps: 15, lr: 0.003, grpoSteps: 2, groupSize: 4 } },
      { name: 'miner-fair', seed: '//Charlie', fixture: 'text-tuner', hyperparameters: { steps: 5, lr: 0.001, grpoSteps: 1, groupSize: 2 } },
      // Writes a model that reads the token it predicts (issue 19): the causality check rejects it on
      // instruct and preference; on reward its generations never end, so it earns nothing.
      { name: 'miner-cheat', seed: '//Dave', fixture: 'look-ahead', taskTypes: TEXT_TASK_TYPES },
      { name: 'miner-broken', seed: '//Eve', fixture: 'exit-1', taskTypes: TEXT_TASK_TYPES },
    ],
    baseline: { name: 'baseline-champion', fixture: 'text-tuner', hyperparameters: { steps: 3, lr: 0.001, grpoSteps: 0 } },
    metric: 'each task in its own metric and direction (printed per task above); mean place 0 = best on every task played',
  },
  image: {
    miners: [
      { name: 'miner-strong', seed: '//Alice', fixture: 'image-denoiser', hyperparameters: { steps: 150, lr: 0.002 } },
      { name: 'miner-good', seed: '//Bob', fixture: 'image-denoiser', hyperparameters: { steps: 60 } },
      { name: 'miner-fair', seed: '//Charlie', fixture: 'image-denoiser', hyperparameters: { steps: 20 } },
      // The same broken script, entered for image tasks.
      { name: 'miner-broken', seed: '//Eve', fixture: 'exit-1', taskTypes: ['image'] },
    ],
    // Trained from scratch, briefly: the miners start from the task's base denoiser.
    baseline: { name: 'baseline-champion', fixture: 'image-denoiser', hyperparameters: { steps: 10, fromScratch: 1 } },
    metric: 'mean squared error of the predicted noise on the hidden test images (lower is better); mean place 0 = best on every task played',
  },
};

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'miners');

/**
 * `npm run demo`: a whole tournament on one machine with embedded defaults: PGlite, the Docker
 * sandbox with the trainer-cpu image, a dataset generated from each task's seed, five signed submissions
 * (one of them a look-ahead cheater the causality check rejects).
 */
export async function runDemo(type: DemoType = 'text'): Promise<number> {
  const { miners, baseline, metric } = LINEUPS[type];
  const started = Date.now();
  const say = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
  const base = loadConfig();
  const dataDir = path.join(base.dataDir, 'demo');
  const image = base.sandbox.image;

  const docker = new Docker({ socketPath: base.sandbox.docker.socketPath });
  try {
    await docker.ping();
  } catch {
    console.error(
      [
        'Docker is not reachable at /var/run/docker.sock, and the demo runs every miner in a Docker sandbox.',
        'Install and start it, then run the demo again:',
        '  Debian/Ubuntu: sudo apt-get install -y docker.io && sudo systemctl start docker',
        '  without systemd: sudo dockerd --iptables=false --ip-forward=false --bridge=none &',
        '  (`npm run demo` does this itself through scripts/setup.sh where it may install: root or passwordless sudo)',
      ].join('\n'),
    );
    return 2;
  }
  if (!(await imageExists(docker, image))) {
    say(`building the sandbox image ${image} (once; about 3 minutes)`);
    const code = await runScript(path.join(ROOT, 'scripts', 'build-trainer-image.sh'), [image]);
    if (code !== 0) {
      console.error(`could not build ${image}; see sandbox-images/trainer-cpu/README.md`);
      return 2;
    }
  }

  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const pairs = miners.map((m) => keyring.addFromUri(m.seed));
  const baselineRepo = makeRepo(dataDir, baseline.name, baseline.fixture, baseline.hyperparameters);

  const config = loadConfigWith(
    {
      CRUCIBLE_DATA_DIR: dataDir,
      CRUCIBLE_GIT_ALLOW_INSECURE: 'true',
      CRUCIBLE_SANDBOX_INSTANCE: 'demo',
      // The demo runs its own one-off tournament; `crucible serve` schedules cycles by itself.
      CRUCIBLE_AUTO_SCHEDULE: 'false',
      CRUCIBLE_TICK_MS: '1000',
      CRUCIBLE_BASELINE_REPO_URL: baselineRepo.url,
      CRUCIBLE_BASELINE_COMMIT: baselineRepo.sha,
      CRUCIBLE_STATIC_METAGRAPH: pairs.map((p, i) => `${p.address}=${i + 1}`).join(','),
      CRUCIBLE_OWNER_UID: '0',
    },
    { CRUCIBLE_LOG_LEVEL: 'warn', CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=2', CRUCIBLE_SANDBOX_MEMORY_MB: '1536' },
  );
  const app = await createApp(config, 'all');
  await app.listen(config.port, config.host).catch(() => app.listen(0, config.host));
  const url = await app.getUrl();
  say(`Crucible is up (embedded PostgreSQL in ${path.relative(process.cwd(), dataDir)}); API ${url}/api, docs ${url}/docs`);

  try {
    const ds = app.get(DataSource);
    const rulebook = newTournamentRulebook({ rules: { bossTasks: 3, timeLimitsSeconds: { group: 240, knockout: 240, boss: 240 } }, schedule: { registrationMinutes: 60 } });
    const tournament = await app.get(Transactor).run(() => app.get(TournamentFactory).createNextCycle({ type, opensAt: new Date(), rulebook }));
    say(`${type} tournament ${tournament.id} open for registration (rulebook ${tournament.rulebookVersion}; champion: the baseline repo; pool ${rulebook.pools[type]} of emission)`);

    const submissions = app.get(SubmissionsService);
    for (const [i, miner] of miners.entries()) {
      const repo = makeRepo(dataDir, miner.name, miner.fixture, miner.hyperparameters, miner.taskTypes);
      const fields = { tournamentId: tournament.id, hotkey: pairs[i].address, repoUrl: repo.url, commitSha: repo.sha, signedAt: Math.floor(Date.now() / 1000) };
      const entrant = await submissions.submit({ ...fields, signature: u8aToHex(pairs[i].sign(buildSubmissionMessage(fields))) });
      say(`signed submission accepted: ${miner.name} (hotkey ${short(entrant.hotkey)}, uid ${entrant.uid}, commit ${repo.sha.slice(0, 10)})`);
    }
    await app.get(TournamentAdminService).closeRegistration(tournament.id);
    say('registration closed; the worker plans the knockout and starts training');

    const names = new Map<string, string>();
    const queries = app.get(TournamentQueriesService);
    const datasetLabel = (id: string): string => {
      const v = queries.datasetVisibility(id);
      return `${id}, ${v.visibility}: ${v.note}`;
    };
    await watch(ds, tournament.id, names, miners.map((m) => m.name), datasetLabel, say);
    await printResults(queries, app.get(WeightsPreviewService), ds, tournament.id, names, metric);
    const audited = await auditSealedBundles(app.get(AuditBundleRepository), tournament.id, config.dataDir);
    say('demo finished');
    return audited ? 0 : 1;
  } finally {
    await app.close();
  }
}

async function watch(ds: DataSource, tournamentId: string, names: Map<string, string>, minerNames: string[], datasetLabel: (id: string) => string, say: (m: string) => void): Promise<void> {
  const seen = new Map<string, string>();
  const announced = new Set<string>();
  const rounds = new Map<string, RoundEntity>();
  for (;;) {
    const t = await ds.getRepository(TournamentEntity).findOneByOrFail({ id: tournamentId });
    const entrants = await ds.getRepository(EntrantEntity).find({ where: { tournamentId, status: 'accepted' }, order: { receivedAt: 'ASC' } });
    let m = 0;
    for (const e of entrants) if (!names.has(e.id)) names.set(e.id, e.isChampion ? 'baseline-champion' : (minerNames[m++] ?? short(e.hotkey)));
    for (const r of await ds.getRepository(RoundEntity).find({ where: { tournamentId }, order: { index: 'ASC' } })) {
      const before = rounds.get(r.id);
      if (!before) say(`round ${r.index} (${r.kind}) planned`);
      if (r.state === 'decided' && before?.state !== 'decided') {
        say(`round ${r.index} (${r.kind}) decided; advancing: ${(r.advancing ?? []).map((id) => names.get(id)).join(', ') || 'nobody'}`);
      }
      rounds.set(r.id, r);
    }
    const runs = await ds.getRepository(TrainingRunEntity).find({ where: { tournamentId }, order: { queuedAt: 'ASC' } });
    const tasks = new Map((await ds.getRepository(TaskEntity).find({ where: { tournamentId } })).map((x) => [x.id, x]));
    const roundIndex = new Map([...rounds.values()].map((r) => [r.id, r.index]));
    for (const task of tasks.values()) {
      // A task of a round planned after the rounds were read is announced on the next pass.
      if (announced.has(task.id) || !roundIndex.has(task.roundId)) continue;
      announced.add(task.id);
      say(`task ${task.slot} of round ${roundIndex.get(task.roundId)}: ${task.taskType} (${metricLabel(task.taskType)}) on ${datasetLabel(task.datasetId)}; test-set commitment ${task.testSetCommitment.slice(0, 16)}...`);
    }
    for (const run of runs) {
      const key = `${run.state}/${run.outcome ?? ''}`;
      if (seen.get(run.id) === key) continue;
      seen.set(run.id, key);
      const task = tasks.get(run.taskId);
      const where = `${names.get(run.entrantId)} round ${roundIndex.get(task?.roundId ?? '')} task ${task?.slot} attempt ${run.attempt}`;
      const elapsed = run.startedAt ? ` after ${(((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000).toFixed(1)}s` : '';
      if (run.state === 'running') say(`training    ${where}`);
      else if (run.state === 'evaluating') say(`evaluating  ${where}${elapsed}`);
      else if (run.state === 'finished') say(`done        ${where}: ${run.outcome}${elapsed} (${run.outcomeReason})`);
    }
    if (t.state === 'completed' || t.state === 'cancelled') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** "denoising_mse, lower is better": the task type's metric and its direction, from its evaluator. */
function metricLabel(taskType: string): string {
  const evaluator = evaluatorFor(taskType);
  return evaluator ? `${evaluator.metricName}, ${evaluator.direction} is better` : 'unknown task type';
}

async function printResults(queries: TournamentQueriesService, weights: WeightsPreviewService, ds: DataSource, tournamentId: string, names: Map<string, string>, metric: string): Promise<void> {
  const { entries } = await queries.leaderboard(tournamentId);
  console.log(`\nLeaderboard (${metric})`);
  // The mean metric is blank for an entrant whose tasks had different metrics (a reward and a loss do not average).
  console.log('  rank  entrant            uid   tasks  mean place  mean metric  runs ok/failed  eliminated in round');
  const cell = (v: number | null, width: number) => (v === null ? '-'.padStart(width) : v.toFixed(4).padStart(width));
  for (const e of entries) {
    console.log(
      `  ${String(e.rank).padStart(4)}  ${(names.get(e.entrantId) ?? e.hotkey).padEnd(17)}  ${String(e.uid ?? '-').padStart(3)}  ${String(e.tasksScored).padStart(5)}  ${cell(e.meanPlace, 10)}  ${cell(e.meanMetric, 11)}  ${`${e.runsSucceeded}/${e.runsFailed}`.padStart(14)}  ${e.eliminatedInRound ?? '-'}`,
    );
  }
  const tasks = await ds.getRepository(TaskEntity).find({ where: { tournamentId } });
  const baselines = await ds.getRepository(EvaluationEntity).createQueryBuilder('e').where('e.runId IS NULL AND e.taskId IN (SELECT id FROM tasks WHERE "tournamentId" = :id)', { id: tournamentId }).getMany();
  const taskTypeOf = new Map(tasks.map((t) => [t.id, t.taskType]));
  for (const taskType of [...new Set(baselines.map((b) => taskTypeOf.get(b.taskId) ?? '?'))].sort()) {
    const scores = baselines.filter((b) => taskTypeOf.get(b.taskId) === taskType).map((b) => b.metricValue);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.log(`  base model on ${taskType} (${metricLabel(taskType)}): mean ${mean.toFixed(4)} over ${scores.length} task${scores.length === 1 ? '' : 's'}`);
  }

  const boss = await ds.getRepository(RoundEntity).findOne({ where: { tournamentId, kind: 'boss' } });
  const verdict = boss?.decision?.verdict as
    | { challengerWins: boolean; threshold: number; tasksWon: number; tasksNeeded: number; taskCount: number; tasks: Array<{ championLoss: number | null; challengerLoss: number | null; relativeImprovement: number | null; bootstrap: { lowerBound: number } | null; challengerWins: boolean; reason: string }> }
    | undefined;
  const plan = boss?.decision?.plan as { challenger: string } | undefined;
  if (verdict && plan) {
    const bossTasks = tasks.filter((t) => t.roundId === boss?.id).sort((a, b) => a.slot - b.slot);
    console.log(`\nBoss round: ${names.get(plan.challenger)} vs the champion; margin to beat t = ${(verdict.threshold * 100).toFixed(1)}%`);
    for (const [i, x] of verdict.tasks.entries()) {
      const imp = x.relativeImprovement === null ? 'n/a' : `${(x.relativeImprovement * 100).toFixed(2)}%`;
      const lb = x.bootstrap ? `, bootstrap lower bound ${(x.bootstrap.lowerBound * 100).toFixed(2)}%` : '';
      const kind = bossTasks[i] ? `${bossTasks[i].taskType}, ${metricLabel(bossTasks[i].taskType)}` : '?';
      console.log(`  task ${i} (${kind}): champion ${fmt(x.championLoss)}, challenger ${fmt(x.challengerLoss)}, improvement ${imp}${lb}: ${x.challengerWins ? 'challenger' : 'champion'} (${x.reason})`);
    }
    console.log(`  verdict: ${verdict.challengerWins ? 'the challenger takes the title' : 'the champion keeps the title'} (${verdict.tasksWon} of ${verdict.taskCount} tasks won, ${verdict.tasksNeeded} needed)`);
  } else {
    console.log('\nNo boss round was played (no challenger reached it).');
  }

  const preview = await weights.preview();
  console.log('\nWeight vector (uid -> weight; u16 as it would be set on chain; uid 0 is the owner/burn uid)');
  preview.vector.uids.forEach((uid, i) => {
    const u16 = preview.emit ? preview.emit.weights[preview.emit.uids.indexOf(uid)] : 0;
    console.log(`  uid ${String(uid).padStart(3)}  ${preview.vector.weights[i].toFixed(6)}  u16 ${u16}`);
  });
}

/** The demo ends with an auditor's session: the sealed bundles re-derived from the files alone, three models re-evaluated. */
async function auditSealedBundles(bundles: AuditBundleRepository, tournamentId: string, dataDir: string): Promise<boolean> {
  // The worker seals the tournament in the tick that completes it.
  for (let i = 0; i < 30 && !(await bundles.bySubject('tournament', tournamentId)); i++) await new Promise((r) => setTimeout(r, 1000));
  const source = path.join(dataDir, 'audit');
  const shown = path.relative(process.cwd(), source).startsWith('..') ? source : path.relative(process.cwd(), source);
  console.log('\nAudit (re-derived from the signed bundles alone; to repeat it:');
  console.log(`  npx crucible audit --source ${shown} --days 7 --reevaluate 3)`);
  const code = await runAuditCommand({ source, days: 7, reevaluate: 3, out: (line) => console.log(`  ${line}`) });
  return code === 0;
}

function fmt(x: number | null): string {
  return x === null ? 'failed' : x.toFixed(4);
}

function short(hotkey: string): string {
  return `${hotkey.slice(0, 6)}…${hotkey.slice(-4)}`;
}

function makeRepo(dataDir: string, name: string, fixture: string, hyperparameters?: Record<string, number>, taskTypes?: string[]): { url: string; sha: string } {
  const dir = path.join(dataDir, 'miners', name);
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  if (taskTypes) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'crucible.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'crucible.json'), JSON.stringify({ ...manifest, taskTypes }) + '\n');
  }
  if (hyperparameters) fs.writeFileSync(path.join(dir, 'hyperparameters.json'), JSON.stringify(hyperparameters, null, 2) + '\n');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: `${name}@example.invalid`, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: `${name}@example.invalid` };
  const git = (args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git(['init', '--quiet', '--initial-branch=main']);
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', `${name}: training script`]);
  return { url: `file://${dir}`, sha: git(['rev-parse', 'HEAD']) };
}

async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

function runScript(script: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
}
