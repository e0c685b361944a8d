import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getJson, type Leaderboard, type Round, type Task, type Tournament, type TournamentBoard } from '../api';
import { Bracket } from '../components/Bracket';
import { BossRound } from '../components/BossRound';
import { ErrorBox, HotkeyLink, Loading, RepoText, Section, StateBadge, useFirstRows } from '../components/common';
import { RunsTable } from '../components/RunsTable';
import { Timeline } from '../components/Timeline';
import { num, short, time } from '../format';
import { useLiveEvents, type LiveStatus } from '../live';
import { useLoad } from '../use-load';

// Chart.js is most of the bundle: it loads after the page's tables, for the chart at the bottom.
const ScoreChart = lazy(() => import('../components/ScoreChart').then((m) => ({ default: m.ScoreChart })));

interface TournamentData {
  tournament: Tournament;
  rounds: Round[];
  tasks: Task[];
  leaderboard: Leaderboard;
  board: TournamentBoard;
}

async function loadTournament(id: string): Promise<TournamentData> {
  const base = `/api/tournaments/${id}`;
  const [tournament, rounds, tasks, leaderboard, board] = await Promise.all([
    getJson<Tournament>(base),
    getJson<Round[]>(`${base}/rounds`),
    getJson<Task[]>(`${base}/tasks`),
    getJson<Leaderboard>(`${base}/leaderboard`),
    getJson<TournamentBoard>(`/api/dashboard/tournaments/${id}/board`),
  ]);
  return { tournament, rounds, tasks, leaderboard, board };
}

export function LiveBadge({ status }: { status: LiveStatus }) {
  return (
    <span className={`live live-${status}`} data-testid="live-status" title="updates arrive by server-sent events">
      {status === 'live' ? '● live' : status}
    </span>
  );
}

export function TournamentPage() {
  const { id = '' } = useParams();
  const loaded = useLoad(() => loadTournament(id), id);
  const live = useLiveEvents({ tournamentId: id, affects: (e) => e.kind !== 'weights', onChange: loaded.reload });
  const [tab, setTab] = useState<'all' | 'active'>('all');
  const data = loaded.data;

  const hotkeyOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const e of data?.leaderboard.entries ?? []) m.set(e.entrantId, e.hotkey);
    for (const r of data?.board.runs ?? []) m.set(r.entrantId, r.hotkey);
    return (entrantId: string) => m.get(entrantId) ?? null;
  }, [data]);

  const taskOrder = useMemo(() => {
    const roundIndex = new Map((data?.rounds ?? []).map((r) => [r.id, r.index]));
    return [...(data?.tasks ?? [])]
      .sort((a, b) => (roundIndex.get(a.roundId) ?? 0) - (roundIndex.get(b.roundId) ?? 0) || a.slot - b.slot)
      .map((t) => ({ taskId: t.id, roundId: t.roundId, label: `R${(roundIndex.get(t.roundId) ?? 0) + 1}·${t.slot + 1}`, task: t }));
  }, [data]);

  const taskLabels = new Map(taskOrder.map((x) => [x.taskId, x.label]));
  const standings = useFirstRows(data?.leaderboard.entries ?? []);
  if (!data) return loaded.error ? <ErrorBox error={loaded.error} /> : <Loading what="the tournament" />;
  const { tournament: t, rounds, board } = data;
  const winner = t.winnerEntrantId ? hotkeyOf(t.winnerEntrantId) : null;

  return (
    <>
      <h1>
        {t.type} #{t.cycle} <StateBadge state={t.state} /> <LiveBadge status={live} />
      </h1>
      <ErrorBox error={loaded.error} />
      <p className="muted">
        {t.stateReason} · rulebook {t.rulebookVersion}
        {t.defendingChampion?.hotkey ? (
          <>
            {' '}
            · defending champion <HotkeyLink hotkey={t.defendingChampion.hotkey} /> ({t.defendingChampion.defences ?? 0} defences)
          </>
        ) : null}
        {t.winnerEntrantId ? (
          <>
            {' '}
            · winner <HotkeyLink hotkey={winner} />
          </>
        ) : null}
      </p>
      <nav className="toc">
        <a href="#timeline">Timeline</a> <a href="#bracket">Bracket</a> <a href="#tasks">Tasks</a> <a href="#runs">Runs</a> <a href="#leaderboard">Leaderboard</a> <a href="#boss">Boss round</a>{' '}
        <a href="#scores">Scores</a>
      </nav>

      <Section title="Timeline" id="timeline">
        <Timeline tournament={t} board={board} />
      </Section>

      <Section title="Bracket" id="bracket">
        <Bracket rounds={rounds} hotkeyOf={hotkeyOf} />
      </Section>

      <Section title="Tasks" id="tasks">
        <table data-testid="tasks">
          <thead>
            <tr>
              <th>Task</th>
              <th>Type</th>
              <th>Dataset</th>
              <th>Base model</th>
              <th>Hardware</th>
              <th>Time limit</th>
              <th>Seed commitment</th>
              <th>Test-set commitment</th>
              <th>Seed (after the reveal)</th>
            </tr>
          </thead>
          <tbody>
            {taskOrder.map(({ taskId, label, task }) => (
              <tr key={taskId}>
                <td>{label}</td>
                <td>
                  {task.taskType} <span className="muted small">{board.directions[taskId] === 'higher' ? 'higher is better' : 'lower is better'}</span>
                </td>
                <td>
                  {task.datasetId}{' '}
                  <span className="muted small" title={task.datasetNote}>
                    ({task.datasetVisibility})
                  </span>
                </td>
                <td className="small">{task.baseModel}</td>
                <td>{task.hardware}</td>
                <td>{task.timeLimitSeconds} s</td>
                <td className="mono small" title={task.seedCommitment}>
                  {short(task.seedCommitment, 16)}
                </td>
                <td className="mono small" title={task.testSetCommitment}>
                  {short(task.testSetCommitment, 16)}
                </td>
                <td className="mono small" title={task.revealedSeed ?? ''}>
                  {task.revealedSeed ? `${short(task.revealedSeed, 16)} (${time(task.revealedAt)})` : <span className="muted">sealed</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Runs" id="runs">
        <div className="filters">
          <label>
            <input type="radio" checked={tab === 'all'} onChange={() => setTab('all')} /> all ({board.runs.length})
          </label>
          <label>
            <input type="radio" checked={tab === 'active'} onChange={() => setTab('active')} /> not finished ({board.runs.filter((r) => r.state !== 'finished').length})
          </label>
        </div>
        <RunsTable runs={tab === 'all' ? board.runs : board.runs.filter((r) => r.state !== 'finished')} taskLabel={(id) => taskLabels.get(id) ?? short(id)} />
      </Section>

      <Section title="Leaderboard" id="leaderboard">
        <table data-testid="leaderboard" data-rows={standings.shown.length}>
          <thead>
            <tr>
              <th>Rank</th>
              <th>Miner</th>
              <th>uid</th>
              <th>Repository</th>
              <th>Standing</th>
              <th>Tasks scored</th>
              <th title="0 best, 1 worst, on each task in its metric's direction">Mean place</th>
              <th>Mean metric</th>
              <th>Runs ok / failed / active</th>
            </tr>
          </thead>
          <tbody>
            {standings.shown.map((e) => (
              <tr key={e.entrantId}>
                <td>{e.rank}</td>
                <td>
                  <HotkeyLink hotkey={e.hotkey} />
                  {e.isChampion ? <span className="badge"> champion</span> : null}
                </td>
                <td>{e.uid ?? '—'}</td>
                <td>
                  <RepoText url={e.repoUrl} commit={e.commitSha} />
                </td>
                <td>{e.stillIn ? 'still in' : `out in round ${(e.eliminatedInRound ?? 0) + 1}`}</td>
                <td>{e.tasksScored}</td>
                <td>{num(e.meanPlace)}</td>
                <td>{num(e.meanMetric)}</td>
                <td>
                  {e.runsSucceeded} / {e.runsFailed} / {e.runsActive}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {standings.more}
      </Section>

      <Section title="Boss round" id="boss">
        {rounds.filter((r) => r.kind === 'boss').length === 0 && <p className="muted">No boss round yet.</p>}
        {rounds
          .filter((r) => r.kind === 'boss')
          .map((r) => (
            <BossRound key={r.id} round={r} tasks={data.tasks} hotkeyOf={hotkeyOf} />
          ))}
      </Section>

      <Section title="Scores per task" id="scores">
        <Suspense fallback={<Loading what="the chart" />}>
          <ScoreChart board={board} taskOrder={taskOrder} />
        </Suspense>
      </Section>
      <p className="muted small">
        <Link to={`/tournaments?type=${encodeURIComponent(t.type)}`}>Other {t.type} tournaments</Link>
      </p>
    </>
  );
}
