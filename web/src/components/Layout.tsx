import { useState, type FormEvent } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';

export function Layout() {
  const navigate = useNavigate();
  const [hotkey, setHotkey] = useState('');
  const findMiner = (e: FormEvent) => {
    e.preventDefault();
    const h = hotkey.trim();
    if (h) navigate(`/miners/${encodeURIComponent(h)}`);
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
      <main>
        <Outlet />
      </main>
    </>
  );
}
