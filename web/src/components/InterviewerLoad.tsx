// Interviewers' load in the week of an interview (GET /interviews/load): each one's interviews
// against their weekly cap, for the scheduling form to show beside each name and to warn past it.
import { allPages, api, type Schemas } from "../api";
import { plural, utcDate } from "../format";
import { useLoad } from "../hooks";

export type InterviewerLoad = Schemas["InterviewerLoad"];

/** The Monday (UTC) of the week holding `moment`, as YYYY-MM-DD: the API's week. */
export function mondayOf(moment: Date): string {
  const back = (moment.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(moment.getUTCFullYear(), moment.getUTCMonth(), moment.getUTCDate() - back));
  return monday.toISOString().slice(0, 10);
}

/**
 * The load of every interviewer in the week starting `monday`, by user id. Those who may not
 * read it (it is for admins and recruiters, as scheduling is) get an empty map.
 */
export function useWeekLoad(monday: string) {
  const loaded = useLoad(
    () =>
      allPages((cursor) =>
        api().GET("/interviews/load", {
          params: { query: { week_of: monday, limit: 200, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [monday],
  );
  const byId = new Map<number, InterviewerLoad>();
  if (loaded.load.state === "ready") for (const item of loaded.load.data) byId.set(item.interviewer_id, item);
  return { byId, ready: loaded.load.state === "ready", reload: loaded.reload };
}

/** "in the week of 19 Jan 2026" (or "this week"), Monday to Sunday in UTC. */
export function weekWords(monday: string, today: Date = new Date()): string {
  return monday === mondayOf(today) ? "this week" : `in the week of ${utcDate(monday)}`;
}

/** Beside an interviewer's name: their count against their cap, marked when at or past it. */
export function LoadBadge({ load, id }: { load: InterviewerLoad | undefined; id: string }) {
  if (load === undefined) return null;
  return (
    <span id={id} class={load.full ? "badge badge-warn" : "muted"} data-testid={`load-${load.interviewer_id}`}>
      {load.interviews} of {load.cap}
      {load.interviews > load.cap ? ": past the cap" : load.full ? ": at the cap" : ""}
    </span>
  );
}

/** Who among the picked is at their cap: one more interview that week needs a reason. */
export function CapWarning({ full, week }: { full: InterviewerLoad[]; week: string }) {
  if (full.length === 0) return null;
  return (
    <div class="warning" role="status" data-testid="load-warning">
      <p>
        {full
          .map((l) => `${l.name} already has ${plural(l.interviews, "interview")} ${week} (cap ${l.cap})`)
          .join("; ")}
        . Scheduling takes them past their weekly cap: pick someone else or another week, or say why below.
      </p>
    </div>
  );
}
