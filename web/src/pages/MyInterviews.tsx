// The interviewer's list: upcoming, awaiting my scorecard, overdue.
import { allPages, api, catalog, type Result, type Schemas } from "../api";
import { Empty, Loaded, PageTitle } from "../components/Status";
import { dateTime, plural, stageName } from "../format";
import { useLoad, useNow } from "../hooks";
import { href } from "../router";

type Interview = Schemas["InterviewPublic"];

/**
 * Overdue, the rule: my scorecard is not submitted (the interview is in the API's
 * `awaiting_scorecard` view) and the interview ended more than LATE_AFTER_HOURS ago, where it
 * ends at `scheduled_at` + the seed's duration of its stage (`GET /catalog` →
 * `stages[].duration_minutes`: 5, 30, 90, 240 min). 24 h is the threshold the interviewer
 * calibration report counts a scorecard as late by (docs/reports.md, `late_after_hours`), so a
 * scorecard shown overdue here is one that report will count late. Awaiting = the rest of that
 * view: started, or ended less than 24 h ago.
 */
export const LATE_AFTER_HOURS = 24;

export function endsAt(interview: Interview, stageMinutes: Map<string, number>): number {
  const minutes = stageMinutes.get(interview.stage) ?? interview.duration_minutes;
  return new Date(interview.scheduled_at).getTime() + minutes * 60_000;
}

export function isOverdue(interview: Interview, stageMinutes: Map<string, number>, now: number): boolean {
  return now - endsAt(interview, stageMinutes) > LATE_AFTER_HOURS * 3_600_000;
}

interface Lists {
  upcoming: Interview[];
  awaiting: Interview[];
  stageMinutes: Map<string, number>;
}

async function loadLists(): Promise<Result<Lists>> {
  const [upcoming, awaiting, cat] = await Promise.all([
    allPages((cursor) =>
      api().GET("/interviews", { params: { query: { view: "upcoming", limit: 200, ...(cursor ? { cursor } : {}) } } }),
    ),
    allPages((cursor) =>
      api().GET("/interviews", {
        params: { query: { view: "awaiting_scorecard", limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
    catalog(),
  ]);
  if (!upcoming.ok) return upcoming;
  if (!awaiting.ok) return awaiting;
  if (!cat.ok) return cat;
  const stageMinutes = new Map(cat.data.stages.map((stage) => [stage.key, stage.duration_minutes]));
  return { ok: true, data: { upcoming: upcoming.data, awaiting: awaiting.data, stageMinutes }, response: cat.response };
}

export function MyInterviews() {
  const { load } = useLoad(loadLists, []);
  const now = useNow();
  return (
    <>
      <PageTitle title="My interviews">My interviews</PageTitle>
      <Loaded load={load} what="your interviews">
        {({ upcoming, awaiting, stageMinutes }) => {
          const overdue = awaiting.filter((i) => isOverdue(i, stageMinutes, now));
          const waiting = awaiting.filter((i) => !isOverdue(i, stageMinutes, now));
          return (
            <div class="interview-groups">
              <InterviewGroup
                id="overdue"
                title="Overdue scorecards"
                hint={`Ended more than ${LATE_AFTER_HOURS} hours ago (the stage's length counts as the interview's), and your scorecard is not submitted: the calibration report counts it late.`}
                empty="Nothing overdue."
                items={overdue}
                stageMinutes={stageMinutes}
              />
              <InterviewGroup
                id="awaiting"
                title="Awaiting my scorecard"
                hint="Started, and your scorecard is not submitted yet."
                empty="No scorecard is waiting for you."
                items={waiting}
                stageMinutes={stageMinutes}
              />
              <InterviewGroup
                id="upcoming"
                title="Upcoming"
                hint="Scheduled and not started yet, soonest first."
                empty="No upcoming interviews."
                items={upcoming}
                stageMinutes={stageMinutes}
              />
            </div>
          );
        }}
      </Loaded>
    </>
  );
}

function InterviewGroup(props: {
  id: string;
  title: string;
  hint: string;
  empty: string;
  items: Interview[];
  stageMinutes: Map<string, number>;
}) {
  const headingId = `group-${props.id}`;
  return (
    <section aria-labelledby={headingId} data-testid={`interviews-${props.id}`} class="card-section">
      <h2 id={headingId}>
        {props.title} <span class="count">({props.items.length})</span>
      </h2>
      <p class="hint">{props.hint}</p>
      {props.items.length === 0 ? (
        <Empty>{props.empty}</Empty>
      ) : (
        <ul class="plain-list">
          {props.items.map((interview) => (
            <li key={interview.id} class="list-item">
              <a href={href.interview(interview.id)}>
                {interview.candidate_name} — {stageName(interview.stage)}
              </a>
              <span class="muted">
                {" "}
                · {interview.requisition_title} · {dateTime(interview.scheduled_at)} ·{" "}
                {plural(props.stageMinutes.get(interview.stage) ?? interview.duration_minutes, "minute")}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
