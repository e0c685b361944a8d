import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Controller, Get, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import { TaskDataService } from '../../src/evaluation/task-data';
import { configureHttp } from '../../src/main';
import { RunDispatcherService } from '../../src/runs/run-dispatcher.service';
import { TrainingExecutor } from '../../src/sandbox/training-executor';
import { TournamentScheduler } from '../../src/tournaments/tournament.scheduler';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { ADMIN_TOKEN } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';

/** A route that fails the way a bug would, to see what a 500 leaves in the log. */
@Controller('test-only')
class FailingController {
  @Get('boom')
  boom(): never {
    throw new Error('boom: a bug');
  }
}

type Entry = Record<string, unknown>;

describe('structured logs: JSON lines with the request id and the tournament and run ids as fields (PostgreSQL, role all)', () => {
  let db: TestDatabase;
  let dir: string;
  let app: INestApplication;
  const lines: string[] = [];
  const entries = (): Entry[] => lines.map((l) => JSON.parse(l) as Entry);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-logging-'));
    const config = loadConfig({
      DATABASE_URL: db.config.url!,
      CRUCIBLE_DATA_DIR: dir,
      CRUCIBLE_ADMIN_TOKEN: ADMIN_TOKEN,
      CRUCIBLE_LOG_FORMAT: 'json',
      CRUCIBLE_LOG_LEVEL: 'log',
      CRUCIBLE_TICK_MS: '3600000',
      CRUCIBLE_AUTO_SCHEDULE: 'false',
      CRUCIBLE_SANDBOX_INSTANCE: `test-logging-${process.pid}`,
      CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
      CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
      CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2',
    });
    const moduleRef = await Test.createTestingModule({ imports: [await AppModule.forRole(config, 'all', { write: (line: string) => void lines.push(line) })], controllers: [FailingController] })
      .overrideProvider(TrainingExecutor)
      .useValue(new InMemoryTrainingExecutor((job) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 })))
      .overrideProvider(TaskDataService)
      .useValue(new FakeTaskDataService(path.join(dir, 'eval')))
      .compile();
    app = moduleRef.createNestApplication({ bufferLogs: true, bodyParser: false });
    app.useLogger(app.get(PinoNestLogger));
    configureHttp(app);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every line is a JSON object with time, level, message, role and pid; Nest itself logs through it too', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const e of entries()) expect(e).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.any(String), msg: expect.any(String), role: 'all', pid: process.pid });
    expect(entries()).toContainEqual(expect.objectContaining({ level: 'info', context: 'RouterExplorer', msg: 'Mapped {/api/tournaments, POST} route' }));
  });

  it("a request's lines carry its id (the caller's X-Request-Id), with the ids of what it did as fields", async () => {
    const res = await request(app.getHttpServer()).post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).set('x-request-id', 'req-create-1').send({ type: 'text' });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('req-create-1');
    const mine = entries().filter((e) => e.requestId === 'req-create-1');
    expect(mine).toContainEqual(expect.objectContaining({ level: 'info', context: 'TournamentAdminService', msg: 'tournament created by admin', tournamentId: res.body.id, type: 'text' }));
    expect(mine).toContainEqual(expect.objectContaining({ level: 'info', msg: 'request completed', req: { method: 'POST', url: '/api/tournaments' }, res: { statusCode: 201 } }));
  });

  it("a 500's correlationId is the request id: in the response, its header and the error line", async () => {
    const res = await request(app.getHttpServer()).get('/test-only/boom');
    expect(res.status).toBe(500);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'internal error', details: { correlationId: id } });
    const error = entries().find((e) => e.msg === 'unhandled error');
    expect(error).toMatchObject({ level: 'error', context: 'HttpErrorFilter', requestId: id, correlationId: id, method: 'GET', path: '/test-only/boom', error: expect.stringContaining('boom: a bug') });
  });

  it('worker lines name the tournament and the run', async () => {
    const { id } = await createClosedTournament(app);
    await addEntrants(app, id, [{ repoUrl: 'https://example.org/miner-0.git' }, { repoUrl: 'https://example.org/miner-1.git' }]);
    for (let tick = 0; tick < 50 && !entries().some((e) => e.msg === 'run finished' && e.tournamentId === id); tick++) {
      await app.get(TournamentScheduler).tick();
      await app.get(RunDispatcherService).drain();
    }
    const transition = entries().find((e) => e.msg === 'tournament transition' && e.tournamentId === id);
    expect(transition).toMatchObject({ level: 'info', context: 'TournamentTransitions', tournamentId: id, from: expect.any(String), to: expect.any(String) });
    const run = entries().find((e) => e.msg === 'run finished' && e.tournamentId === id);
    expect(run).toMatchObject({ level: 'info', context: 'RunOutcomeRecorder', tournamentId: id, runId: expect.stringMatching(/^[0-9a-f-]{36}$/), outcome: 'succeeded' });
  });
});
