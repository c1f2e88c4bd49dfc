// Loading data for a page: one state (loading, failed with a problem, or ready), a reload, and
// a refresh in place.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import type { ProblemInfo, Result } from "./api";

export type Load<T> = { state: "loading" } | { state: "error"; problem: ProblemInfo } | { state: "ready"; data: T };

export interface Loaded<T> {
  load: Load<T>;
  reload: () => void;
  /**
   * Fetch again and replace the data in place, with no loading state between: what the page
   * shows (and the state of its forms) stays until the answer comes.
   */
  refresh: () => void;
  /** Replace the data in place (after a write answered with the new value). */
  set: (data: T) => void;
}

export function useLoad<T>(fetcher: () => Promise<Result<T>>, deps: readonly unknown[]): Loaded<T> {
  const [load, setLoad] = useState<Load<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  // Only the newest request's answer is shown (a reload and a refresh may overlap).
  const sequence = useRef(0);

  const fetchInto = useCallback(() => {
    const mine = ++sequence.current;
    void latest.current().then((result) => {
      if (mine !== sequence.current) return;
      setLoad(result.ok ? { state: "ready", data: result.data } : { state: "error", problem: result.problem });
    });
  }, []);

  useEffect(() => {
    setLoad({ state: "loading" });
    fetchInto();
    return () => {
      sequence.current += 1;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deps are the caller's
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const set = useCallback((data: T) => {
    sequence.current += 1;
    setLoad({ state: "ready", data });
  }, []);
  return { load, reload, refresh: fetchInto, set };
}

/** Calls `refresh` each time `signal` changes after the first render (a parent's "read again"). */
export function useRefreshOn(signal: unknown, refresh: () => void): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    refresh();
  }, [signal, refresh]);
}

/** The current time, ticking each minute (days in stage, overdue interviews). */
export function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface CursorPages {
  /** The cursor of the page shown (undefined: the first). */
  cursor: string | undefined;
  /** 1 for the first page. */
  number: number;
  next: (cursor: string) => void;
  previous: () => void;
  first: () => void;
}

/** Where a cursor-paginated list is (the API's `next_cursor`), with Next and Previous. */
export function useCursorPages(): CursorPages {
  const [pages, setPages] = useState<string[]>([""]);
  const next = useCallback((cursor: string) => setPages((shown) => [...shown, cursor]), []);
  const previous = useCallback(() => setPages((shown) => (shown.length > 1 ? shown.slice(0, -1) : shown)), []);
  const first = useCallback(() => setPages([""]), []);
  return { cursor: pages[pages.length - 1] || undefined, number: pages.length, next, previous, first };
}
