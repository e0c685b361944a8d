import type { Round, Task } from '../api';
import { num, pct } from '../format';
import { HotkeyLink } from './common';

function passed(v: boolean | null): string {
  return v === null ? '—' : v ? 'passed' : 'failed';
}

/** Each boss task: champion vs challenger, the margin needed, the improvement, the bootstrap lower bound, the verdict. */
export function BossRound({ round, tasks, hotkeyOf }: { round: Round; tasks: Task[]; hotkeyOf: (id: string) => string | null }) {
  const plan = round.decision?.plan;
  if (plan?.kind !== 'boss') return null;
  const verdict = round.decision?.verdict;
  const slotOf = new Map(tasks.map((t) => [t.id, t.slot]));
  return (
    <div className="card" data-testid="boss-round">
      <p>
        Champion <HotkeyLink hotkey={hotkeyOf(plan.champion)} /> against challenger <HotkeyLink hotkey={hotkeyOf(plan.challenger)} />
        {verdict ? (
          <>
            {' '}
            · mode {verdict.mode} · margin needed {pct(verdict.threshold)} (defences {verdict.championDefences}) · tasks won {verdict.tasksWon} of {verdict.taskCount}, {verdict.tasksNeeded} needed ·{' '}
            <strong>{verdict.challengerWins ? 'the challenger wins' : 'the champion defends'}</strong>
          </>
        ) : (
          <span className="muted"> · not decided yet</span>
        )}
      </p>
      {verdict && (
        <table>
          <thead>
            <tr>
              <th>Task</th>
              <th>Champion loss</th>
              <th>Challenger loss</th>
              <th>Margin needed</th>
              <th>Improvement</th>
              <th>Threshold</th>
              <th>Bootstrap lower bound</th>
              <th>Bootstrap</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {verdict.tasks.map((t) => (
              <tr key={t.taskId}>
                <td>{(slotOf.get(t.taskId) ?? t.taskIndex) + 1}</td>
                <td>{num(t.championLoss)}</td>
                <td>{num(t.challengerLoss)}</td>
                <td>{pct(t.threshold)}</td>
                <td>{pct(t.relativeImprovement)}</td>
                <td>{passed(t.thresholdPassed)}</td>
                <td>{t.bootstrap ? pct(t.bootstrap.lowerBound) : '—'}</td>
                <td>{passed(t.bootstrapPassed)}</td>
                <td>
                  <strong>{t.challengerWins ? 'challenger' : 'champion'}</strong> <span className="muted small">{t.reason}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
