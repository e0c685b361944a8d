import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  /** Loads again, keeping the shown data until the new answer arrives. */
  reload: () => void;
}

/** Loads `load()` when `key` changes; a late answer to an older request is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(() => {
    const ticket = ++latest.current;
    loader
      .current()
      .then((value) => {
        if (ticket !== latest.current) return;
        setData(value);
        setError(null);
      })
      .catch((e: unknown) => {
        if (ticket === latest.current) setError(e instanceof Error ? e : new Error(String(e)));
      });
  }, []);

  useEffect(() => {
    setData(null);
    setError(null);
    reload();
  }, [key, reload]);

  return { data, error, reload };
}
