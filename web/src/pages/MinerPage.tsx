import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router-dom';
import { enc, getJson, type MinerView } from '../api';
import { ErrorBox, Loading, Section, StateBadge } from '../components/common';
import { num, pct, time } from '../format';
import { useLiveEvents } from '../live';
import { useLoad } from '../use-load';

const WeightsChart = lazy(() => import('../components/WeightsChart').then((m) => ({ default: m.WeightsChart })));

function result(e: MinerView['entries'][number]): string {
  if (e.status !== 'accepted') return `${e.status}${e.rejectionReason ? `: ${e.rejectionReason}` : ''}`;
  if (e.won) return 'won';
  if (e.finalRank !== null) return `ranked ${e.finalRank}`;
  if (e.eliminatedInRound !== null) return `out in round ${e.eliminatedInRound + 1}`;
  return 'still in';
}

export function MinerPage() {
  const { hotkey = '' } = useParams();
  const loaded = useLoad(() => getJson<MinerView>(`/api/dashboard/miners/${enc(hotkey)}`), hotkey);
  useLiveEvents({ affects: (e) => e.kind === 'weights' || e.kind === 'tournament' || (e.kind === 'run' && e.data.hotkey === hotkey), onChange: loaded.reload });
  const m = loaded.data;
  return (
    <>
      <h1>
        Miner <span className="mono">{hotkey}</span>
      </h1>
      <ErrorBox error={loaded.error} />
      {!m && !loaded.error && <Loading what="the miner" />}
      {m && (
        <>
          <Section title="Entries">
            {m.entries.length === 0 && <p className="muted">This hotkey has entered no tournament.</p>}
            {m.entries.length > 0 && (
              <table data-testid="miner-entries">
                <thead>
                  <tr>
                    <th>Tournament</th>
                    <th>State</th>
                    <th>Entered</th>
                    <th>Result</th>
                    <th>Runs ok / failed</th>
                    <th>Mean metric</th>
                  </tr>
                </thead>
                <tbody>
                  {m.entries.map((e) => (
                    <tr key={e.entrantId}>
                      <td>
                        <Link to={`/tournaments/${e.tournamentId}`}>
                          {e.type} #{e.cycle}
                        </Link>
                        {e.isChampion ? <span className="badge"> defending champion</span> : null}
                      </td>
                      <td>
                        <StateBadge state={e.tournamentState} />
                      </td>
                      <td className="small">{time(e.receivedAt)}</td>
                      <td className="reason">{result(e)}</td>
                      <td>
                        {e.runsSucceeded} / {e.runsFailed}
                      </td>
                      <td>{num(e.meanMetric)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Weights received">
            {m.weights.length === 0 ? (
              <p className="muted">No weight set has paid this hotkey's uid yet.</p>
            ) : (
              <>
                <Suspense fallback={<Loading what="the chart" />}>
                  <WeightsChart weights={m.weights} />
                </Suspense>
                <table className="compact">
                  <thead>
                    <tr>
                      <th>Epoch</th>
                      <th>Made</th>
                      <th>uid</th>
                      <th>Weight</th>
                      <th>Status</th>
                      <th>Block</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...m.weights].reverse().map((w) => (
                      <tr key={w.weightSetId}>
                        <td>{w.epoch}</td>
                        <td className="small">{time(w.at)}</td>
                        <td>{w.uid}</td>
                        <td>{pct(w.weight, 3)}</td>
                        <td>
                          <StateBadge state={w.status} />
                        </td>
                        <td>{w.block ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Section>
        </>
      )}
    </>
  );
}
