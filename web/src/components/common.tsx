import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api';

export function StateBadge({ state }: { state: string | null }) {
  const value = state ?? 'none';
  return <span className={`badge state-${value}`} data-state={value}>{value.replace(/_/g, ' ')}</span>;
}

export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  const details = error instanceof ApiError && Object.keys(error.details).length > 0 ? JSON.stringify(error.details) : null;
  return (
    <div className="error" role="alert">
      {error instanceof ApiError ? `${error.status} ${error.code}: ` : ''}
      {error.message}
      {details && <div className="muted">{details}</div>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Plain anchors (the layout routes their clicks): long tables stay cheap to render, unlike one router Link per cell. */
export function HotkeyLink({ hotkey }: { hotkey: string | null }) {
  if (!hotkey) return <span className="muted">baseline</span>;
  return (
    <a href={`/miners/${encodeURIComponent(hotkey)}`} className="mono">
      {hotkey.length > 16 ? `${hotkey.slice(0, 8)}…${hotkey.slice(-6)}` : hotkey}
    </a>
  );
}

/** Rendered as text, never as a link target the page follows: a miner's URL is only shown. */
export function RepoText({ url, commit }: { url: string; commit?: string }) {
  return (
    <span className="mono small" title={url}>
      {url}
      {commit ? `@${commit.slice(0, 12)}` : ''}
    </span>
  );
}

/** The current time, ticking every second (for the elapsed time of running runs). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Rows a long table shows before "show all": a 256-entrant tournament's page stays quick to open. */
export const FIRST_ROWS = 100;

/** The first FIRST_ROWS rows, and a button that shows the rest. */
export function useFirstRows<T>(rows: T[]): { shown: T[]; more: ReactNode } {
  const [all, setAll] = useState(false);
  if (all || rows.length <= FIRST_ROWS) return { shown: rows, more: null };
  return {
    shown: rows.slice(0, FIRST_ROWS),
    more: (
      <button className="more" onClick={() => setAll(true)}>
        Show all {rows.length} (first {FIRST_ROWS} shown)
      </button>
    ),
  };
}
