/** Display helpers: times in UTC (the service's clock), durations, numbers. */

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** How long a run has taken: from its start to its end, or to now while it runs. */
export function elapsed(startedAt: string | null, finishedAt: string | null, now: number): string {
  if (!startedAt) return '—';
  return duration((finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt));
}

export function num(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;
}

export function short(id: string | null | undefined, n = 8): string {
  return id ? id.slice(0, n) : '—';
}
