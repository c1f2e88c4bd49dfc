// Reading scorecards: one scorecard's content, the version history, the peers' (blind review).
import { api, call, type Schemas } from "../api";
import { dateTime, plural, RATING_NAMES } from "../format";
import { useLoad } from "../hooks";
import type { Names, ScorecardBody } from "../scorecard";
import { Empty, Loaded } from "./Status";

export function ScorecardView({ content, names }: { content: ScorecardBody; names: Names }) {
  const ratings = Object.entries(content.ratings ?? {});
  const skills = Object.entries(content.skill_ratings ?? {});
  const notes = content.question_notes ?? [];
  return (
    <dl class="scorecard-view">
      {ratings.map(([key, rating]) => (
        <div key={`r-${key}`}>
          <dt>{names.criteria.get(key) ?? key}</dt>
          <dd>{RATING_NAMES[rating]}</dd>
        </div>
      ))}
      {skills.map(([key, level]) => (
        <div key={`s-${key}`}>
          <dt>Skill: {names.skills.get(key) ?? key}</dt>
          <dd>{level} of 3</dd>
        </div>
      ))}
      {notes.map((note) => (
        <div key={`n-${note.question_id}`}>
          <dt>Note: {names.questions.get(note.question_id) ?? `question ${note.question_id}`}</dt>
          <dd>{note.note}</dd>
        </div>
      ))}
      <div>
        <dt>Overall recommendation</dt>
        <dd>{content.recommendation ? RATING_NAMES[content.recommendation] : "—"}</dd>
      </div>
      {content.summary && (
        <div>
          <dt>Summary</dt>
          <dd class="prose">{content.summary}</dd>
        </div>
      )}
    </dl>
  );
}

export function VersionHistory({
  scorecardId,
  version,
  names,
  people,
}: {
  scorecardId: number;
  version: number;
  names: Names;
  people: Map<number, string>;
}) {
  const { load } = useLoad(
    () => call(api().GET("/scorecards/{scorecard_id}/versions", { params: { path: { scorecard_id: scorecardId } } })),
    [scorecardId, version],
  );
  return (
    <section aria-labelledby="versions-heading" data-testid="version-history">
      <h2 id="versions-heading">Version history</h2>
      <Loaded load={load} what="the versions">
        {(versions) =>
          versions.length === 0 ? (
            <Empty>No version yet: a scorecard gets its first version when it is submitted.</Empty>
          ) : (
            <ol class="versions">
              {[...versions].reverse().map((v) => (
                <li key={v.version}>
                  <details>
                    <summary>
                      Version {v.version}, {dateTime(v.recorded_at)}, by{" "}
                      {people.get(v.recorded_by) ?? `user ${v.recorded_by}`}
                      {v.reason ? ` — ${v.reason}` : v.version === 1 ? " — first submission" : ""}
                    </summary>
                    <ScorecardView content={v} names={names} />
                  </details>
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </section>
  );
}

type Interview = Schemas["InterviewPublic"];

/** The panel's scorecards. The API applies blind review; this says what it withheld and why. */
export function PeerScorecards({
  interview,
  meId,
  mineSubmitted,
  onPanel,
  names,
  refresh,
}: {
  interview: Interview;
  meId: number;
  mineSubmitted: boolean;
  onPanel: boolean;
  names: Names;
  refresh: unknown;
}) {
  const { load } = useLoad(
    () =>
      call(api().GET("/interviews/{interview_id}/scorecards", { params: { path: { interview_id: interview.id } } })),
    [interview.id, refresh],
  );
  const people = new Map(interview.interviewers.map((i) => [i.interviewer_id, i.name]));
  return (
    <section aria-labelledby="peers-heading" data-testid="peers">
      <h2 id="peers-heading">{onPanel ? "Peers' scorecards" : "The panel's scorecards"}</h2>
      <Loaded load={load} what="the panel's scorecards">
        {({ items, withheld }) => {
          const peers = items.filter((s) => s.interviewer_id !== meId);
          if (onPanel && !mineSubmitted) {
            return (
              <p class="notice" data-testid="peers-hidden">
                Hidden until you submit your own scorecard. This is blind review: you read your peers' ratings only once
                yours is in, so that theirs cannot sway it.{" "}
                {withheld > 0
                  ? `${plural(withheld, "peer scorecard")} withheld for now.`
                  : "No peer scorecard is withheld from you now."}
              </p>
            );
          }
          return (
            <>
              {withheld > 0 && (
                <p class="notice" data-testid="peers-withheld">
                  {plural(withheld, "scorecard")} withheld by blind review: you have another unsubmitted scorecard for
                  this candidate's stage. Submit it to read these.
                </p>
              )}
              {peers.length === 0 ? (
                <Empty>No other scorecard on this panel yet.</Empty>
              ) : (
                <ul class="plain-list">
                  {peers.map((s) => (
                    <li key={s.id}>
                      <article class="peer" aria-labelledby={`peer-${s.id}`}>
                        <h3 id={`peer-${s.id}`}>
                          {people.get(s.interviewer_id) ?? `Interviewer ${s.interviewer_id}`}
                          <span class="muted"> — {statusWords(s.status, s.version)}</span>
                        </h3>
                        {s.status === "submitted" ? (
                          <ScorecardView content={s} names={names} />
                        ) : (
                          <p class="muted">Not submitted yet: its content stays with its author.</p>
                        )}
                      </article>
                    </li>
                  ))}
                </ul>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

export function statusWords(status: Schemas["ScorecardStatus"], version: number): string {
  if (status === "submitted") return version > 1 ? `submitted, amended (version ${version})` : "submitted";
  if (status === "draft") return "draft";
  return "not started";
}
