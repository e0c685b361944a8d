import { useState } from 'react';
import { getJson, type AuditBundle, type AuditRecompute, type AuditSigner } from '../api';
import { ErrorBox, Loading, Section, StateBadge } from '../components/common';
import { short, time } from '../format';
import { useLiveEvents } from '../live';
import { useLoad } from '../use-load';

interface AuditData {
  bundles: AuditBundle[];
  signer: AuditSigner;
}

async function loadAudit(): Promise<AuditData> {
  const [list, signer] = await Promise.all([getJson<{ bundles: AuditBundle[] }>('/api/audit/bundles?days=30'), getJson<AuditSigner>('/api/audit/signer')]);
  return { bundles: list.bundles, signer };
}

function CopyCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    // The clipboard API needs a secure context; elsewhere the text stays selectable.
    navigator.clipboard?.writeText(command).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="command">
      <code data-testid="audit-command">{command}</code>
      <button onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
    </div>
  );
}

export function AuditPage() {
  const loaded = useLoad(loadAudit, 'audit');
  const recompute = useLoad(() => getJson<AuditRecompute>('/api/dashboard/audit/recompute'), 'recompute');
  useLiveEvents({
    affects: (e) => e.kind === 'weights' || (e.kind === 'tournament' && e.data.state === 'completed'),
    onChange: () => {
      loaded.reload();
      recompute.reload();
    },
  });
  const command = `crucible audit --source ${window.location.origin} --days 7`;
  const r = recompute.data;
  return (
    <>
      <h1>Audit</h1>
      <Section title="Check it yourself">
        <p>Re-derive every decision and weight vector from the signed bundles, without trusting this server:</p>
        <CopyCommand command={command} />
        <p className="muted small">Add --chain ws://… to compare the newest weight set with the chain, --reevaluate N to re-score archived models on your CPU.</p>
      </Section>
      <Section title="This service's own last recompute">
        <ErrorBox error={recompute.error} />
        {!r && !recompute.error && <Loading what="the recompute" />}
        {r && r.at === null && <p className="muted">No bundle sealed yet.</p>}
        {r && r.at !== null && (
          <>
            <p data-testid="recompute-result">
              {r.ok === null ? 'no bundle in the window' : r.ok ? 'Everything re-derives.' : 'Differences found.'} Bundles {r.fromSequence ?? '—'}–{r.toSequence ?? '—'} (last {r.days} days), checked {time(r.at)}.
            </p>
            <table className="compact">
              <thead>
                <tr>
                  <th>Check</th>
                  <th>Result</th>
                  <th>Checked</th>
                  <th>Skipped</th>
                  <th>First difference</th>
                </tr>
              </thead>
              <tbody>
                {r.checks.map((c) => (
                  <tr key={c.name} title={c.description}>
                    <td>{c.name}</td>
                    <td>
                      <StateBadge state={c.passed ? 'passed' : 'failed'} />
                    </td>
                    <td>{c.checked}</td>
                    <td>{c.skipped}</td>
                    <td className="reason small">{c.firstDifference ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
      <Section title="Sealed bundles">
        <ErrorBox error={loaded.error} />
        {!loaded.data && !loaded.error && <Loading what="the bundles" />}
        {loaded.data && (
          <>
            <p className="muted">
              New bundles are signed by <span className="mono">{loaded.data.signer.address}</span> ({loaded.data.signer.kind.replace(/_/g, ' ')}).
            </p>
            <table data-testid="bundles">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Kind</th>
                  <th>Subject</th>
                  <th>Sealed</th>
                  <th>Signer</th>
                  <th>sha256</th>
                  <th>Previous</th>
                  <th>Chain</th>
                </tr>
              </thead>
              <tbody>
                {loaded.data.bundles.map((b, i, all) => {
                  const before = all[i - 1];
                  const link = before === undefined ? 'first shown' : before.sequence === b.sequence - 1 && before.sha256 === b.previousSha256 ? 'linked' : 'broken';
                  return (
                    <tr key={b.sequence}>
                      <td>{b.sequence}</td>
                      <td>{b.kind}</td>
                      <td className="mono small">{short(b.subject, 12)}</td>
                      <td className="small">{time(b.sealedAt)}</td>
                      <td className="mono small" title={b.signer}>
                        {short(b.signer, 10)}
                      </td>
                      <td className="mono small" title={b.sha256}>
                        {short(b.sha256, 12)}
                      </td>
                      <td className="mono small" title={b.previousSha256 ?? ''}>
                        {short(b.previousSha256, 12)}
                      </td>
                      <td>{link === 'first shown' ? <span className="muted small">first shown</span> : <StateBadge state={link} />}</td>
                    </tr>
                  );
                })}
                {loaded.data.bundles.length === 0 && (
                  <tr>
                    <td colSpan={8} className="muted">
                      No bundle sealed in the last 30 days.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </>
        )}
      </Section>
    </>
  );
}
