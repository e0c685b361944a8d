import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, getJson, postJson, type Page, type Tournament } from '../api';
import { ErrorBox, Section, StateBadge } from '../components/common';
import { useLoad } from '../use-load';

const TOKEN_KEY = 'crucible.adminToken';

type Outcome = { ok: Tournament } | { error: Error } | null;

function Result({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  if ('error' in outcome) return <ErrorBox error={outcome.error} />;
  return (
    <p className="ok" role="status">
      Done: <Link to={`/tournaments/${outcome.ok.id}`}>{`${outcome.ok.type} #${outcome.ok.cycle}`}</Link> is <StateBadge state={outcome.ok.state} />
    </p>
  );
}

function ActionForm({ title, onSubmit, children, outcome }: { title: string; onSubmit: () => Promise<void>; children: ReactNode; outcome: Outcome }) {
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    onSubmit().finally(() => setBusy(false));
  };
  return (
    <form className="card admin" onSubmit={submit}>
      <h3>{title}</h3>
      {children}
      <button type="submit" disabled={busy}>
        {title}
      </button>
      <Result outcome={outcome} />
    </form>
  );
}

/** Admin actions with the admin token, kept in this tab's session storage only. Validation is the API's own. */
export function AdminPage() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const saveToken = (value: string) => {
    setToken(value);
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  };
  const open = useLoad(async () => {
    const [registration, scheduled, running] = await Promise.all(
      ['registration', 'scheduled', 'rounds'].map((s) => getJson<Page<Tournament>>(`/api/tournaments?state=${s}&limit=200`)),
    );
    return [...registration.items, ...scheduled.items, ...running.items];
  }, 'open');

  const [type, setType] = useState('');
  const [opensAt, setOpensAt] = useState('');
  const [minutes, setMinutes] = useState('');
  const [closeId, setCloseId] = useState('');
  const [cancelId, setCancelId] = useState('');
  const [reason, setReason] = useState('');
  const [created, setCreated] = useState<Outcome>(null);
  const [closed, setClosed] = useState<Outcome>(null);
  const [cancelled, setCancelled] = useState<Outcome>(null);

  const act = async (call: () => Promise<Tournament>, set: (o: Outcome) => void) => {
    try {
      set({ ok: await call() });
      open.reload();
    } catch (e) {
      set({ error: e instanceof Error ? e : new ApiError(0, 'ERROR', String(e), {}) });
    }
  };
  const schedule = () => {
    // Only what was filled in is sent, as typed: the API validates and names the field it refuses.
    const body: Record<string, unknown> = { type };
    if (opensAt.trim()) body.registrationOpensAt = opensAt.trim();
    if (minutes.trim()) body.registrationMinutes = minutes.trim();
    return act(() => postJson<Tournament>('/api/tournaments', body, token), setCreated);
  };
  const pick = (value: string, set: (v: string) => void) => (
    <select value={value} onChange={(e) => set(e.target.value)}>
      <option value="">choose…</option>
      {(open.data ?? []).map((t) => (
        <option key={t.id} value={t.id}>
          {t.type} #{t.cycle} ({t.state})
        </option>
      ))}
    </select>
  );

  return (
    <>
      <h1>Admin</h1>
      <Section title="Admin token">
        <label>
          Token{' '}
          <input type="password" autoComplete="off" value={token} onChange={(e) => saveToken(e.target.value)} placeholder="CRUCIBLE_ADMIN_TOKEN" data-testid="admin-token" />
        </label>
        <p className="muted small">Kept in this tab's session storage only; sent as a bearer token with each action.</p>
      </Section>
      <ErrorBox error={open.error} />
      <div className="admin-grid">
        <ActionForm title="Schedule a tournament" onSubmit={schedule} outcome={created}>
          <label>
            Type <input value={type} onChange={(e) => setType(e.target.value)} placeholder="text" />
          </label>
          <label>
            Registration opens (ISO 8601, optional) <input value={opensAt} onChange={(e) => setOpensAt(e.target.value)} placeholder="2026-12-03T12:00:00Z" />
          </label>
          <label>
            Registration minutes (optional) <input value={minutes} onChange={(e) => setMinutes(e.target.value)} placeholder="from the rulebook" />
          </label>
        </ActionForm>
        <ActionForm title="Close registration" onSubmit={() => act(() => postJson<Tournament>(`/api/tournaments/${closeId}/close-registration`, {}, token), setClosed)} outcome={closed}>
          <label>Tournament {pick(closeId, setCloseId)}</label>
        </ActionForm>
        <ActionForm title="Cancel" onSubmit={() => act(() => postJson<Tournament>(`/api/tournaments/${cancelId}/cancel`, { reason }, token), setCancelled)} outcome={cancelled}>
          <label>Tournament {pick(cancelId, setCancelId)}</label>
          <label>
            Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        </ActionForm>
      </div>
    </>
  );
}
