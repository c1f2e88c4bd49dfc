// An application's interviews, and which of their panelists still owe a scorecard that a
// reminder may be sent for (docs/reminders.md: never before the end, never for an interview
// that did not take place, never once the scorecard is in).
import { allPages, api, type Result, type Schemas } from "./api";

export type Interview = Schemas["InterviewPublic"];
export type Panelist = Schemas["InterviewerPublic"];

/** Every interview of an application, in one call per 200. */
export function applicationInterviews(applicationId: number): Promise<Result<Interview[]>> {
  return allPages((cursor) =>
    api().GET("/applications/{application_id}/interviews", {
      params: { path: { application_id: applicationId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

const NOT_HELD: ReadonlySet<Schemas["InterviewStatus"]> = new Set(["cancelled", "no_show"]);

/** The reminders' clock: the interview ends at its start plus its own duration. */
export function interviewEnd(interview: Interview): number {
  return new Date(interview.scheduled_at).getTime() + interview.duration_minutes * 60_000;
}

/** Whether the interview took place and is over, so its panel owes scorecards now. */
export function isHeldAndEnded(interview: Interview, now: number): boolean {
  return !NOT_HELD.has(interview.status) && interviewEnd(interview) <= now;
}

/** The panelists of a held, ended interview whose scorecard is not submitted. */
export function latePanelists(interview: Interview, now: number): Panelist[] {
  if (!isHeldAndEnded(interview, now)) return [];
  return interview.interviewers.filter((p) => p.scorecard_status !== "submitted");
}
