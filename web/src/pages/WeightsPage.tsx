import { getJson, type WeightSet, type WeightShare, type WeightsPreview } from '../api';
import { ErrorBox, HotkeyLink, Loading, Section, StateBadge } from '../components/common';
import { pct, time } from '../format';
import { useLiveEvents } from '../live';
import { useLoad } from '../use-load';

function why(s: WeightShare): string {
  switch (s.kind) {
    case 'rank':
      return `rank ${s.rank} in ${s.tournamentType}`;
    case 'participation':
      return `participation floor in ${s.tournamentType} (rank ${s.rank})`;
    case 'unpooled':
      return 'not in any pool: burned';
    case 'no_result':
      return `${s.tournamentType}: no result, pool burned`;
  }
}

export function WeightsPage() {
  const preview = useLoad(() => getJson<WeightsPreview>('/api/weights/preview'), 'preview');
  const history = useLoad(() => getJson<WeightSet[]>('/api/dashboard/weight-sets?limit=50'), 'history');
  useLiveEvents({
    affects: (e) => e.kind === 'weights' || (e.kind === 'tournament' && e.data.state === 'finalised'),
    onChange: () => {
      preview.reload();
      history.reload();
    },
  });
  const p = preview.data;
  const total = p ? p.vector.shares.reduce((a, s) => a + s.weight, 0) : 0;
  const vectorTotal = p ? p.vector.weights.reduce((a, w) => a + w, 0) : 0;

  return (
    <>
      <h1>Weights</h1>
      <Section title="The vector the validator would set now">
        <ErrorBox error={preview.error} />
        {!p && !preview.error && <Loading what="the weights" />}
        {p && (
          <>
            <p className="muted">
              From {p.tournaments.length === 0 ? 'no decided tournament (everything to the burn uid)' : p.tournaments.map((t) => `${t.type} #${t.cycle}`).join(', ')} · burn uid {p.basis.burnUid} · metagraph at block{' '}
              {p.basis.metagraph.block ?? 'static'}
            </p>
            <h3>Every share and why</h3>
            <table data-testid="weight-shares">
              <thead>
                <tr>
                  <th>Tournament type</th>
                  <th>Miner</th>
                  <th>uid</th>
                  <th>Why</th>
                  <th>Share</th>
                </tr>
              </thead>
              <tbody>
                {p.vector.shares.map((s, i) => (
                  <tr key={i} className={s.burned ? 'muted' : ''}>
                    <td>{s.tournamentType ?? '—'}</td>
                    <td>{s.hotkey ? <HotkeyLink hotkey={s.hotkey} /> : '—'}</td>
                    <td>
                      {s.uid}
                      {s.burned ? ' (burn)' : ''}
                    </td>
                    <td>{why(s)}</td>
                    <td data-testid="share-weight" data-weight={s.weight}>
                      {pct(s.weight, 4)}
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={4}>Sum of shares</td>
                  <td data-testid="share-total">{pct(total, 4)}</td>
                </tr>
              </tfoot>
            </table>
            <h3>Per uid, and its u16 form</h3>
            <table data-testid="weight-vector">
              <thead>
                <tr>
                  <th>uid</th>
                  <th>Weight</th>
                  <th>u16</th>
                </tr>
              </thead>
              <tbody>
                {p.vector.uids.map((uid, i) => {
                  const at = p.emit ? p.emit.uids.indexOf(uid) : -1;
                  return (
                    <tr key={uid}>
                      <td>{uid}</td>
                      <td>{pct(p.vector.weights[i], 4)}</td>
                      <td className="mono">{at >= 0 ? p.emit!.weights[at] : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
              <tfoot>
                <tr>
                  <td>Sum</td>
                  <td data-testid="vector-total">{pct(vectorTotal, 4)}</td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </>
        )}
      </Section>
      <Section title="Weight sets">
        <ErrorBox error={history.error} />
        {history.data && history.data.length === 0 && <p className="muted">No weight set yet.</p>}
        {history.data && history.data.length > 0 && (
          <table data-testid="weight-sets">
            <thead>
              <tr>
                <th>Epoch</th>
                <th>Made</th>
                <th>Status</th>
                <th>Block</th>
                <th>Read back from chain</th>
                <th>uids</th>
                <th>Tries</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((w) => (
                <tr key={w.id}>
                  <td>{w.epoch}</td>
                  <td className="small">{time(w.createdAt)}</td>
                  <td>
                    <StateBadge state={w.status} />
                  </td>
                  <td>{w.block ?? '—'}</td>
                  <td>
                    <StateBadge state={w.readBack} />
                  </td>
                  <td className="small" title={w.uids.map((u, i) => `${u}:${w.values[i]}`).join(' ')}>
                    {w.uids.length}
                  </td>
                  <td>{w.tries}</td>
                  <td className="reason small">{w.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
