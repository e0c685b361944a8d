import type { Tournament, TournamentBoard } from '../api';
import { time } from '../format';

const STEPS = ['scheduled', 'registration', 'rounds', 'boss_round', 'finalised', 'published', 'weights_set', 'completed'] as const;

/** Which recorded transition marks each step (the first one wins); "scheduled" is the creation. */
function reachedAt(step: string, board: TournamentBoard): { at: string; reason: string | null } | null {
  const names = step === 'scheduled' ? ['created', 'scheduled'] : [step];
  const e = board.timeline.find((x) => names.includes(x.step));
  return e ? { at: e.at, reason: e.reason } : null;
}

export function Timeline({ tournament, board }: { tournament: Tournament; board: TournamentBoard }) {
  const current = STEPS.indexOf(tournament.state as (typeof STEPS)[number]);
  const extra = board.timeline.filter((e) => !(STEPS as readonly string[]).includes(e.step));
  return (
    <>
      <ol className="timeline" data-testid="timeline">
        {STEPS.map((step, i) => {
          const reached = reachedAt(step, board);
          const cls = i === current ? 'current' : reached || i < current ? 'done' : 'future';
          const planned =
            step === 'registration' ? `opens ${time(tournament.registrationOpensAt)}` : step === 'rounds' ? `registration closes ${time(tournament.registrationClosesAt)}` : step === 'completed' ? `ends by ${time(tournament.endsBy)}` : null;
          return (
            <li key={step} className={cls}>
              <div className="step">{step.replace(/_/g, ' ')}</div>
              <div className="small">{reached ? time(reached.at) : <span className="muted">{planned ?? '—'}</span>}</div>
              {reached?.reason && <div className="muted small">{reached.reason}</div>}
            </li>
          );
        })}
      </ol>
      {tournament.state === 'cancelled' && <p className="error">Cancelled: {tournament.stateReason}</p>}
      <table className="compact">
        <thead>
          <tr>
            <th>Round</th>
            <th>Kind</th>
            <th>Started</th>
            <th>Decided</th>
          </tr>
        </thead>
        <tbody>
          {board.rounds.map((r) => (
            <tr key={r.roundId}>
              <td>{r.index + 1}</td>
              <td>{r.kind}</td>
              <td className="small">{time(r.startedAt)}</td>
              <td className="small">{r.decidedAt ? time(r.decidedAt) : <span className="muted">running</span>}</td>
            </tr>
          ))}
          {extra.map((e, i) => (
            <tr key={`e${i}`} className="muted">
              <td colSpan={2}>{e.step.replace(/_/g, ' ')}</td>
              <td className="small">{time(e.at)}</td>
              <td className="small">
                {e.actor}
                {e.reason ? `: ${e.reason}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
