import { Link, useParams } from 'react-router-dom';
import { ApiError, getJson, getText, type Run, type RunView } from '../api';
import { ErrorBox, HotkeyLink, Loading, RepoText, Section, StateBadge, useNow } from '../components/common';
import { elapsed, num, time } from '../format';
import { useLiveEvents } from '../live';
import { useLoad } from '../use-load';
import { LiveBadge } from './TournamentPage';

/** Lines of the log shown (the stored log is already capped by the sandbox). */
const TAIL_LINES = 200;

type LogState = { text: string } | { refused: string };

async function loadLog(id: string): Promise<LogState> {
  try {
    return { text: await getText(`/api/runs/${id}/log`) };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) return { refused: e.message };
    throw e;
  }
}

/** A log is public once its round is decided; before that only its miner reads it, signing with the hotkey. */
async function loadRun(id: string): Promise<{ run: Run; view: RunView; log: LogState }> {
  const [run, view] = await Promise.all([getJson<Run>(`/api/runs/${id}`), getJson<RunView>(`/api/dashboard/runs/${id}`)]);
  const log = view.round.state === 'decided' ? await loadLog(id) : { refused: `The log is public once round ${view.round.index + 1} is decided. Before that, its miner reads it with: crucible logs ${id} --wallet <wallet dir>` };
  return { run, view, log };
}

function tail(text: string): { lines: string; cut: number } {
  const all = text.split('\n');
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return { lines: all.slice(-TAIL_LINES).join('\n'), cut: Math.max(0, all.length - TAIL_LINES) };
}

export function RunPage() {
  const { id = '' } = useParams();
  const loaded = useLoad(() => loadRun(id), id);
  const tournamentId = loaded.data?.run.tournamentId;
  const live = useLiveEvents({
    tournamentId,
    affects: (e) => (e.kind === 'run' && e.data.runId === id) || (e.kind === 'round' && e.data.roundId === loaded.data?.view.round.roundId),
    onChange: loaded.reload,
  });
  const now = useNow();
  if (!loaded.data) return loaded.error ? <ErrorBox error={loaded.error} /> : <Loading what="the run" />;
  const { run, view, log } = loaded.data;
  const logTail = 'text' in log ? tail(log.text) : null;

  return (
    <>
      <h1>
        Run <span className="mono">{run.id.slice(0, 8)}</span> <StateBadge state={run.state} /> {run.outcome && <StateBadge state={run.outcome} />} <LiveBadge status={live} />
      </h1>
      <ErrorBox error={loaded.error} />
      <p>
        <HotkeyLink hotkey={view.hotkey} /> · <RepoText url={view.repoUrl} commit={view.commitSha} /> ·{' '}
        <Link to={`/tournaments/${run.tournamentId}`}>tournament</Link> · round {view.round.index + 1} ({view.round.kind}, {view.round.state}) · task {view.task.taskType} on {view.task.datasetId}
      </p>
      <Section title="Outcome">
        <dl className="facts" data-testid="run-facts">
          <dt>State</dt>
          <dd data-testid="run-state">{run.state}</dd>
          <dt>Outcome</dt>
          <dd>{run.outcome ?? '—'}</dd>
          <dt>Reason</dt>
          <dd className="reason">{run.outcomeReason ?? '—'}</dd>
          <dt>Exit code</dt>
          <dd>{run.exitCode ?? '—'}</dd>
          <dt>Elapsed</dt>
          <dd>{elapsed(run.startedAt, run.finishedAt, now)}</dd>
          <dt>Attempt</dt>
          <dd>
            {run.attempt}
            {view.attempts.length > 1 && (
              <span className="muted">
                {' '}
                (
                {view.attempts.map((a, i) => (
                  <span key={a.runId}>
                    {i > 0 ? ', ' : ''}
                    <Link to={`/runs/${a.runId}`}>#{a.attempt}</Link> {a.outcome ?? a.state}
                  </span>
                ))}
                )
              </span>
            )}
          </dd>
          <dt>Metric</dt>
          <dd>{view.evaluation ? `${view.evaluation.metricName} ${num(view.evaluation.metricValue, 6)}` : '—'}</dd>
          <dt>Accuracy</dt>
          <dd>{num(view.evaluation?.accuracy)}</dd>
          <dt>Examples</dt>
          <dd>{view.evaluation?.exampleCount ?? '—'}</dd>
          <dt>Model sha256</dt>
          <dd className="mono small">{view.evaluation?.modelSha256 ?? run.artifactSha256 ?? '—'}</dd>
          <dt>Evaluator</dt>
          <dd className="small">{view.evaluation?.evaluatorVersion ?? '—'}</dd>
        </dl>
      </Section>
      <Section title="State history">
        <table className="compact" data-testid="run-history">
          <tbody>
            {view.history.map((h) => (
              <tr key={h.state}>
                <td>
                  <StateBadge state={h.state} />
                </td>
                <td className="small">{time(h.at)}</td>
                <td className="muted small">{h.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Sandbox">
        <dl className="facts">
          <dt>Hardware</dt>
          <dd>{run.hardware}</dd>
          <dt>Runner</dt>
          <dd>{run.runnerKind ?? '—'}</dd>
          <dt>Image digest</dt>
          <dd className="mono small">{run.imageDigest ?? '—'}</dd>
          <dt>Limits</dt>
          <dd className="small">
            wall {view.limits.wallSeconds} s · memory {view.limits.memoryMb} MB · {view.limits.cpus} CPUs · {view.limits.gpus} GPUs · {view.limits.pidsLimit} processes · output {view.limits.outputMaxMb} MB · scratch{' '}
            {view.limits.scratchMb} MB · log {view.limits.logMaxKb} KB
          </dd>
        </dl>
      </Section>
      <Section title="Log tail">
        {logTail ? (
          <>
            {logTail.cut > 0 && <p className="muted small">last {TAIL_LINES} lines ({logTail.cut} earlier lines not shown)</p>}
            <pre className="log" data-testid="log-tail">
              {logTail.lines || '(empty log)'}
            </pre>
          </>
        ) : (
          <p className="muted" data-testid="log-refused">
            {'refused' in log ? log.refused : ''}
          </p>
        )}
      </Section>
    </>
  );
}
