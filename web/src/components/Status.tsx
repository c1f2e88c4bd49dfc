// Loading, empty and error states, shared by every page.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

import { fieldText, type ProblemInfo } from "../api";
import type { Load } from "../hooks";

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/**
 * A problem from the API in plain words: its `detail`; for a 422 with field errors, the list of
 * fields instead (the detail says the same, less readably), named by `label` when given.
 */
export function ProblemMessage({
  problem,
  title,
  testId = "problem",
  label,
  children,
}: {
  problem: ProblemInfo;
  title?: string;
  testId?: string;
  label?: (loc: (string | number)[]) => string | null;
  children?: ComponentChildren;
}) {
  return (
    <div class="problem" role="alert" data-testid={testId}>
      {title && <p class="problem-title">{title}</p>}
      {problem.fields.length === 0 ? (
        <p>{problem.detail}</p>
      ) : (
        <ul>
          {problem.fields.map((field) => {
            const text = fieldText(field, label);
            return <li key={text}>{text}</li>;
          })}
        </ul>
      )}
      {children}
    </div>
  );
}

/** Renders a load: its loading text, its problem, or the page body once ready. */
export function Loaded<T>({
  load,
  what,
  children,
}: {
  load: Load<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (load.state === "loading") return <Loading what={what} />;
  if (load.state === "error") return <ProblemMessage problem={load.problem} title={`Could not load ${what}.`} />;
  return <>{children(load.data)}</>;
}

/** Marks a figure built on fewer cases than the small-sample threshold. */
export function SmallSample({ small }: { small: boolean }) {
  if (!small) return null;
  return (
    <span class="badge badge-warn" title="Fewer cases than the small-sample threshold: read as an anecdote">
      small sample
    </span>
  );
}

/** The page's one <h1>; focused after navigation so screen readers announce the new page. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · interview-pipeline`;
  }, [title]);
  useEffect(() => {
    // Once per page: a later change of the title text must not pull focus from a control.
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
