/**
 * Something the main panel shows, loaded from the backend when what it is
 * about changes (inspect, top, diff, history), optionally refreshed while it
 * is on screen (top). Keeps the last answer while a refresh runs.
 */
import { useEffect, useState } from 'react';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

export function useResource<T>(key: string | null, load: () => Promise<T>, refreshMs = 0): Resource<T> {
  const [r, setR] = useState<Resource<T> & { key: string | null }>({
    key: null,
    data: null,
    error: null,
    loading: false,
  });
  useEffect(() => {
    if (key === null) return;
    let live = true;
    let timer: NodeJS.Timeout | null = null;
    setR((cur) => (cur.key === key ? { ...cur, loading: true } : { key, data: null, error: null, loading: true }));
    const run = async () => {
      try {
        const data = await load();
        if (live) setR({ key, data, error: null, loading: false });
      } catch (e) {
        if (live) setR({ key, data: null, error: (e as Error).message, loading: false });
      }
      if (live && refreshMs) timer = setTimeout(() => void run(), refreshMs);
    };
    void run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // `load` is a fresh closure each render; `key` says when it means something new
  }, [key, refreshMs]);
  if (r.key !== key) return { data: null, error: null, loading: key !== null };
  return r;
}
