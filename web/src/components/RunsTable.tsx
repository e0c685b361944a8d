import type { BoardRun } from '../api';
import { elapsed, num } from '../format';
import { HotkeyLink, StateBadge, useFirstRows, useNow } from './common';

/** Every run of a tournament (latest round first), live: state, elapsed time, outcome and the reason given to the miner. */
export function RunsTable({ runs, taskLabel }: { runs: BoardRun[]; taskLabel: (taskId: string) => string }) {
  // Only this table ticks every second (the elapsed time of running runs), not the whole page.
  const now = useNow();
  const { shown, more } = useFirstRows(runs);
  return (
    <>
      <div className="scroll">
        <table data-testid="runs" data-rows={shown.length}>
          <thead>
            <tr>
              <th>Run</th>
              <th>Task</th>
              <th>Miner</th>
              <th>Attempt</th>
              <th>State</th>
              <th>Elapsed</th>
              <th>Outcome</th>
              <th>Reason</th>
              <th>Metric</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.runId} data-run-id={r.runId}>
                <td>
                  <a href={`/runs/${r.runId}`} className="mono">
                    {r.runId.slice(0, 8)}
                  </a>
                </td>
                <td>{taskLabel(r.taskId)}</td>
                <td>
                  <HotkeyLink hotkey={r.hotkey} />
                </td>
                <td>{r.attempt}</td>
                <td data-testid="run-state">
                  <StateBadge state={r.state} />
                </td>
                <td>{elapsed(r.startedAt, r.finishedAt, now)}</td>
                <td>{r.outcome ? <StateBadge state={r.outcome} /> : '—'}</td>
                <td className="reason">{r.outcomeReason ?? ''}</td>
                <td>{num(r.metricValue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more}
    </>
  );
}
