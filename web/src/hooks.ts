// Loading data for a page: one state (loading, failed with a problem, or ready), and a reload.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import type { ProblemInfo, Result } from "./api";

export type Load<T> = { state: "loading" } | { state: "error"; problem: ProblemInfo } | { state: "ready"; data: T };

export interface Loaded<T> {
  load: Load<T>;
  reload: () => void;
  /** Replace the data in place (after a write answered with the new value). */
  set: (data: T) => void;
}

export function useLoad<T>(fetcher: () => Promise<Result<T>>, deps: readonly unknown[]): Loaded<T> {
  const [load, setLoad] = useState<Load<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(fetcher);
  latest.current = fetcher;

  useEffect(() => {
    let current = true;
    setLoad({ state: "loading" });
    latest.current().then((result) => {
      if (!current) return;
      setLoad(result.ok ? { state: "ready", data: result.data } : { state: "error", problem: result.problem });
    });
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deps are the caller's
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const set = useCallback((data: T) => setLoad({ state: "ready", data }), []);
  return { load, reload, set };
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
