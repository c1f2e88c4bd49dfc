// The recruiter's "Remind" button for a panelist whose scorecard is late, the panel of an
// interview with it, and the board's "Late scorecards" disclosure of an application.
// POST /interviews/{id}/panel/{interviewer_id}/remind: 202 with where it went and when the next
// nudge may go; 429 (once an hour a scorecard) with Retry-After; 409 when nothing is owed or
// the panelist muted reminders (docs/reminders.md).
import { useEffect, useState } from "preact/hooks";

import { api, call, type ProblemInfo } from "../api";
import { dateTime, duration, listWords, soon, stageName } from "../format";
import { useLoad } from "../hooks";
import { applicationInterviews, type Interview, interviewEnd, latePanelists, type Panelist } from "../interviews";
import { statusWords } from "./ScorecardView";
import { Empty, Loaded, ProblemMessage } from "./Status";

interface Wait {
  /** When the button may be pressed again (ms since the epoch). */
  until: number;
  /** What the last press was told, said again where the button shows anew. */
  note: string;
}

// What this tab was told of each scorecard's next nudge (by a 202 or a 429), so its button on
// another page of the tab (the board after the application) waits too. By scorecard id.
const waits = new Map<number, Wait>();

function waitOf(scorecardId: number): Wait | null {
  const wait = waits.get(scorecardId);
  return wait && wait.until > Date.now() ? wait : null;
}

/** Retry-After is seconds or an HTTP date (RFC 9110); the moment it names, if any. */
function retryAt(response: Response | null, now: number): number | null {
  const value = response?.headers.get("Retry-After")?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return now + Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

export function RemindButton({ interviewId, panelist }: { interviewId: number; panelist: Panelist }) {
  const [wait, setWait] = useState<Wait | null>(() => waitOf(panelist.scorecard_id));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState(wait?.note ?? "");
  const [problem, setProblem] = useState<{ problem: ProblemInfo; retry: string } | null>(null);

  useEffect(() => {
    if (wait === null) return undefined;
    const timer = window.setTimeout(() => setWait(null), Math.max(0, wait.until - Date.now()));
    return () => window.clearTimeout(timer);
  }, [wait]);

  function waitUntil(until: number, said: string) {
    const next = { until, note: said };
    waits.set(panelist.scorecard_id, next);
    setWait(next);
  }

  async function remind() {
    // aria-disabled keeps the button focusable (focus is not lost on press): ignore it here.
    if (busy || wait !== null) return;
    setBusy(true);
    setProblem(null);
    setNote(`Sending a reminder to ${panelist.name}…`);
    const result = await call(
      api().POST("/interviews/{interview_id}/panel/{interviewer_id}/remind", {
        params: { path: { interview_id: interviewId, interviewer_id: panelist.interviewer_id } },
      }),
    );
    setBusy(false);
    const now = Date.now();
    if (result.ok) {
      const said = `Reminder sent by ${listWords(result.data.channels)} at ${soon(Date.parse(result.data.created_at), now)}.`;
      setNote(said);
      waitUntil(Date.parse(result.data.next_nudge_at), said);
      return;
    }
    setNote("");
    const at = result.problem.status === 429 ? retryAt(result.response, now) : null;
    const retry = at === null ? "" : `Try again at ${soon(at, now)} (in ${duration((at - now) / 1000)}).`;
    if (at !== null) waitUntil(at, "");
    setProblem({ problem: result.problem, retry });
  }

  const waiting = busy || wait !== null;
  return (
    <span class="remind">
      <button
        type="button"
        class="button-secondary button-small"
        aria-disabled={waiting ? "true" : undefined}
        onClick={() => void remind()}
      >
        Remind<span class="visually-hidden"> {panelist.name}</span>
      </button>{" "}
      <span role="status" class="remind-status" data-testid="remind-status">
        {[note, wait !== null && !problem ? `You can remind ${panelist.name} again at ${soon(wait.until)}.` : ""]
          .filter(Boolean)
          .join(" ")}
      </span>
      {problem && (
        <ProblemMessage problem={problem.problem} title={`No reminder went to ${panelist.name}.`} testId="remind-problem">
          {problem.retry && <p>{problem.retry}</p>}
        </ProblemMessage>
      )}
    </span>
  );
}

/** An interview's panel: each panelist and their scorecard, with Remind where it is late. */
export function PanelList({ interview, now, mayRemind }: { interview: Interview; now: number; mayRemind: boolean }) {
  const late = new Set(latePanelists(interview, now).map((p) => p.scorecard_id));
  return (
    <ul class="panel-list">
      {interview.interviewers.map((p) => (
        <li key={p.scorecard_id} data-testid={`panelist-${p.scorecard_id}`}>
          {p.name} <span class="muted">({statusWords(p.scorecard_status, 1)})</span>
          {mayRemind && late.has(p.scorecard_id) && (
            <>
              {" "}
              <RemindButton interviewId={interview.id} panelist={p} />
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** A board card's late scorecards, read when opened (the board itself lists no interviews). */
export function LateScorecards({ applicationId, name, now }: { applicationId: number; name: string; now: number }) {
  const [open, setOpen] = useState(false);
  return (
    <details
      class="late-scorecards"
      data-testid="late-scorecards"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        Late scorecards<span class="visually-hidden"> of {name}</span>
      </summary>
      {open && <LateList applicationId={applicationId} now={now} />}
    </details>
  );
}

function LateList({ applicationId, now }: { applicationId: number; now: number }) {
  const { load } = useLoad(() => applicationInterviews(applicationId), [applicationId]);
  return (
    <Loaded load={load} what="the interviews">
      {(interviews) => {
        const late = interviews.flatMap((i) => latePanelists(i, now).map((p) => ({ interview: i, panelist: p })));
        if (late.length === 0) return <Empty>No scorecard is late.</Empty>;
        return (
          <ul class="plain-list">
            {late.map(({ interview, panelist }) => (
              <li key={panelist.scorecard_id} class="list-item" data-testid={`panelist-${panelist.scorecard_id}`}>
                {panelist.name}{" "}
                <span class="muted">
                  ({statusWords(panelist.scorecard_status, 1)}): {stageName(interview.stage)}, ended{" "}
                  {dateTime(new Date(interviewEnd(interview)).toISOString())}
                </span>{" "}
                <RemindButton interviewId={interview.id} panelist={panelist} />
              </li>
            ))}
          </ul>
        );
      }}
    </Loaded>
  );
}
