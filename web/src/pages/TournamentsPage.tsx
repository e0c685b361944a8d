import { Link, useSearchParams } from 'react-router-dom';
import { enc, getJson, type Page, type Tournament, type TypeSchedule } from '../api';
import { ErrorBox, Loading, Section, StateBadge } from '../components/common';
import { time } from '../format';
import { useLiveEvents } from '../live';
import { useLoad } from '../use-load';

const STATES = ['scheduled', 'registration', 'rounds', 'boss_round', 'finalised', 'published', 'weights_set', 'completed', 'cancelled'];
const PAGE = 50;

export function TournamentsPage() {
  const [params, setParams] = useSearchParams();
  const type = params.get('type') ?? '';
  const state = params.get('state') ?? '';
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const query = `limit=${PAGE}&offset=${offset}${type ? `&type=${enc(type)}` : ''}${state ? `&state=${enc(state)}` : ''}`;
  const list = useLoad(() => getJson<Page<Tournament>>(`/api/tournaments?${query}`), query);
  const schedule = useLoad(() => getJson<TypeSchedule[]>('/api/schedule'), 'schedule');
  useLiveEvents({
    affects: (e) => e.kind === 'tournament',
    onChange: () => {
      list.reload();
      schedule.reload();
    },
  });

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('offset');
    setParams(next);
  };
  const page = (to: number) => {
    const next = new URLSearchParams(params);
    next.set('offset', String(to));
    setParams(next);
  };

  return (
    <>
      <h1>Tournaments</h1>
      <Section title="All tournaments">
        <div className="filters">
          <label>
            Type <input value={type} onChange={(e) => set('type', e.target.value.trim())} placeholder="any" />
          </label>
          <label>
            State{' '}
            <select value={state} onChange={(e) => set('state', e.target.value)}>
              <option value="">any</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBox error={list.error} />
        {!list.data && !list.error && <Loading what="tournaments" />}
        {list.data && (
          <>
            <table data-testid="tournament-list">
              <thead>
                <tr>
                  <th>Type</th>
                  <th>Cycle</th>
                  <th>State</th>
                  <th>Registration</th>
                  <th>Ends by</th>
                  <th>Finished</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/tournaments/${t.id}`}>{t.type}</Link>
                    </td>
                    <td>
                      <Link to={`/tournaments/${t.id}`}>#{t.cycle}</Link>
                    </td>
                    <td>
                      <StateBadge state={t.state} /> <span className="muted small">{t.stateReason}</span>
                    </td>
                    <td className="small">
                      {time(t.registrationOpensAt)} → {time(t.registrationClosesAt)}
                    </td>
                    <td className="small">{time(t.endsBy)}</td>
                    <td className="small">{time(t.finishedAt)}</td>
                  </tr>
                ))}
                {list.data.items.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No tournament matches.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
            <div className="pager">
              <button disabled={offset === 0} onClick={() => page(Math.max(0, offset - PAGE))}>
                Newer
              </button>
              <span className="muted">
                {list.data.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, list.data.total)} of {list.data.total}
              </span>
              <button disabled={offset + PAGE >= list.data.total} onClick={() => page(offset + PAGE)}>
                Older
              </button>
            </div>
          </>
        )}
      </Section>
      <Section title="Schedule of the next cycles">
        <ErrorBox error={schedule.error} />
        {!schedule.data && !schedule.error && <Loading what="the schedule" />}
        {schedule.data?.map((s) => (
          <div key={s.type} className="card">
            <h3>
              {s.type} <span className="muted small">{s.autoSchedule ? 'scheduled by the worker' : 'scheduled by hand'}</span>
            </h3>
            <p className="muted small">
              registration {s.schedule.registrationMinutes} min · at most {s.schedule.maxDurationHours} h per tournament · {s.schedule.gapHours} h between cycles
              {s.schedule.roundDeadlineMinutes ? ` · rounds decided within ${s.schedule.roundDeadlineMinutes} min` : ''}
            </p>
            {s.cycles.length === 0 && <p className="muted">No cycle on record or planned: this type's cycles are scheduled by hand (Admin page or POST /api/tournaments).</p>}
            {s.cycles.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>Cycle</th>
                    <th>State</th>
                    <th>Registration opens</th>
                    <th>At the latest</th>
                    <th>Ends by</th>
                  </tr>
                </thead>
                <tbody>
                  {s.cycles.map((c) => (
                    <tr key={c.cycle}>
                      <td>{c.tournamentId ? <Link to={`/tournaments/${c.tournamentId}`}>#{c.cycle}</Link> : `#${c.cycle}`}</td>
                      <td>{c.state ? <StateBadge state={c.state} /> : <span className="muted">projected</span>}</td>
                      <td className="small">{time(c.opensAt)}</td>
                      <td className="small">{time(c.opensBy)}</td>
                      <td className="small">{time(c.endsBy)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ))}
      </Section>
    </>
  );
}
