import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No such page. <Link to="/tournaments">Tournaments</Link>
      </p>
    </section>
  );
}
