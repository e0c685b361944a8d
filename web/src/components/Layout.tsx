import { useState, type FormEvent, type MouseEvent } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';

export function Layout() {
  const navigate = useNavigate();
  const [hotkey, setHotkey] = useState('');
  const findMiner = (e: FormEvent) => {
    e.preventDefault();
    const h = hotkey.trim();
    if (h) navigate(`/miners/${encodeURIComponent(h)}`);
  };
  // Plain same-origin links to pages navigate inside the app (no reload, the live stream stays open).
  const followLinks = (e: MouseEvent<HTMLElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== window.location.origin) return;
    if (/^\/(api|docs|health|metrics)(\/|$)/.test(a.pathname)) return;
    if (a.pathname === window.location.pathname && a.search === window.location.search && a.hash) return;
    e.preventDefault();
    navigate(a.pathname + a.search + a.hash);
  };
  return (
    <>
      <header className="top">
        <NavLink to="/" className="brand">
          Crucible
        </NavLink>
        <nav>
          <NavLink to="/tournaments">Tournaments</NavLink>
          <NavLink to="/weights">Weights</NavLink>
          <NavLink to="/audit">Audit</NavLink>
          <NavLink to="/admin">Admin</NavLink>
          <a href="/docs">API</a>
        </nav>
        <form onSubmit={findMiner} className="find">
          <input aria-label="Miner hotkey" placeholder="miner hotkey" value={hotkey} onChange={(e) => setHotkey(e.target.value)} />
          <button type="submit">Find</button>
        </form>
      </header>
      <main onClick={followLinks}>
        <Outlet />
      </main>
    </>
  );
}
