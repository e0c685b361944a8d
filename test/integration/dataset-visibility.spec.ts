import { Logger } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TaskEntity } from '../../src/tournaments/task.entity';
import { TournamentFactory } from '../../src/tournaments/tournament.factory';
import { newTournamentRulebook } from '../../src/scoring/tournament-rulebook';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/app';
import { causalLmTextRules } from '../support/tournaments';
import { Transactor } from '../../src/common/transactor';

/**
 * Issue 19, second half: a public corpus is not a secret. Tasks say which kind of dataset they use,
 * and a tournament type that earns emission cannot draw on a public dataset unless its rulebook says so.
 */
describe('public datasets are marked public (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp('postgres')));
  afterAll(async () => t?.close());

  const create = (rules: Record<string, unknown>) => {
    // Text on causal-lm, whose dataset the public catalog below swaps.
    const rulebook = { ...newTournamentRulebook(), ...causalLmTextRules(), ...rules };
    return t.app.get(Transactor).run(() => t.app.get(TournamentFactory).createNextCycle({ type: 'text', opensAt: new Date(), rulebook }));
  };
  // The default catalog (every tournament type's task types) with causal-lm on the public corpus.
  const publicCatalog = { ...newTournamentRulebook().taskCatalog, 'causal-lm': { datasets: ['devils-dictionary'], baseModels: ['builtin:unigram'] } };

  it('the default rulebook schedules a weight-setting tournament on generated data', async () => {
    const res = await request(t.app.getHttpServer()).post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ type: 'text' });
    expect(res.status).toBe(201);
    const { tournamentTaskTypes, taskCatalog } = res.body.rulebook;
    expect(tournamentTaskTypes.text.map((taskType: string) => taskCatalog[taskType].datasets)).toEqual([['prompts-v2'], ['prompts-v2'], ['prompts-v2']]);
    expect(taskCatalog['causal-lm'].datasets).toEqual(['grammar-lm-v1']);
  });

  it('refuses a weight-setting tournament on a public dataset without allowPublicDatasets', async () => {
    await expect(create({ taskCatalog: publicCatalog })).rejects.toThrow(/sets weights but draws on public dataset\(s\) devils-dictionary.*allowPublicDatasets/);
    await expect(create({ taskCatalog: { ...publicCatalog, 'causal-lm': { datasets: ['no-such-set'], baseModels: ['builtin:unigram'] } } })).rejects.toThrow(/unknown dataset no-such-set/);
  });

  it('refuses a rulebook whose tournament type draws a task type no evaluator scores (a typo in the overrides)', async () => {
    // 'causal_lm' is in the catalogue, so the rulebook itself validates; only the evaluator registry does not know it.
    const rules = causalLmTextRules();
    const taskCatalog = { ...publicCatalog, causal_lm: { datasets: ['grammar-lm-v1'], baseModels: ['builtin:unigram'] } };
    await expect(create({ taskCatalog, tournamentTaskTypes: { ...rules.tournamentTaskTypes, text: ['causal-lm', 'causal_lm'] } })).rejects.toThrow(
      'task type(s) causal_lm of tournament type text have no evaluator',
    );
  });

  it('allows it with the flag and warns at every start; a type without a pool needs no flag', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await create({ taskCatalog: publicCatalog, allowPublicDatasets: true });
      await create({ taskCatalog: publicCatalog, allowPublicDatasets: true });
      const warnings = warn.mock.calls.filter(([fields, message]) => typeof fields === 'object' && /public datasets/.test(String(message)));
      expect(warnings).toHaveLength(2);
      await create({ taskCatalog: publicCatalog, pools: { text: 0 } });
    } finally {
      warn.mockRestore();
    }
  });

  it('labels every task with its dataset visibility and the reason', async () => {
    const ds = t.app.get(DataSource);
    const tournament = await create({});
    const round = await ds.getRepository(RoundEntity).save({ tournamentId: tournament.id, index: 0, kind: 'knockout', state: 'running', stateReason: null, advancing: null, decision: null, decidedAt: null });
    const task = (slot: number, datasetId: string): Partial<TaskEntity> => ({
      tournamentId: tournament.id,
      roundId: round.id,
      slot,
      taskType: 'causal-lm',
      datasetId,
      baseModel: 'builtin:unigram',
      timeLimitSeconds: 60,
      hardware: 'cpu-2',
      seedCommitment: 'a'.repeat(64),
      testSetCommitment: 'b'.repeat(64),
      secretSeed: 'secret',
      revealedSeed: null,
      revealedAt: null,
      spec: {},
      trainDir: null,
    });
    await ds.getRepository(TaskEntity).save([task(0, 'grammar-lm-v1'), task(1, 'devils-dictionary')]);
    const res = await request(t.app.getHttpServer()).get(`/api/tournaments/${tournament.id}/tasks`);
    expect(res.status).toBe(200);
    const bySlot = Object.fromEntries(res.body.map((x: { slot: number }) => [x.slot, x]));
    expect(bySlot[0]).toMatchObject({ datasetId: 'grammar-lm-v1', datasetVisibility: 'generated', datasetNote: expect.stringMatching(/secret seed/) });
    expect(bySlot[1]).toMatchObject({ datasetId: 'devils-dictionary', datasetVisibility: 'public', datasetNote: expect.stringMatching(/recover the hidden test split/) });
    expect(JSON.stringify(res.body)).not.toContain('secret"');
  });
});
