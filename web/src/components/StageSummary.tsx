// The stage summary: the panel's scorecards of the current stage and the suggested decision.
import { api, call } from "../api";
import { humanize, plural, RATING_NAMES, RATINGS, stageName } from "../format";
import { useLoad } from "../hooks";
import { statusWords } from "./ScorecardView";
import { Loading, ProblemMessage } from "./Status";
import { TableWrap } from "./TableWrap";

export function StageSummary({
  applicationId,
  version,
  people,
}: {
  applicationId: number;
  version: number;
  people: Map<number, string>;
}) {
  const { load } = useLoad(
    () =>
      call(
        api().GET("/applications/{application_id}/stage-summary", {
          params: { path: { application_id: applicationId } },
        }),
      ),
    [applicationId, version],
  );
  return (
    <section aria-labelledby="summary-heading" data-testid="stage-summary">
      <h2 id="summary-heading">Stage summary</h2>
      {load.state === "loading" && <Loading what="the stage summary" />}
      {load.state === "error" &&
        (load.problem.status === 409 ? (
          <p class="notice">{load.problem.detail}</p>
        ) : (
          <ProblemMessage problem={load.problem} title="Could not load the stage summary." />
        ))}
      {load.state === "ready" && (
        <>
          <p>
            {stageName(load.data.stage)}: {plural(load.data.interviews, "interview")},{" "}
            {plural(load.data.submitted, "scorecard")} submitted, {load.data.pending} pending.
          </p>
          <p class="decision">
            Suggested decision:{" "}
            <strong data-testid="suggested-decision">{humanize(load.data.suggested_decision)}</strong>
          </p>
          <p class="hint">
            {load.data.explanation} (rule: {load.data.rule})
          </p>
          {load.data.withheld > 0 && (
            <p class="notice">
              {plural(load.data.withheld, "scorecard")} withheld by blind review: submit your own scorecard of this
              stage to count them.
            </p>
          )}
          {load.data.scorecards.length > 0 && (
            <ul class="inline-list">
              {load.data.scorecards.map((s) => (
                <li key={s.scorecard_id}>
                  {people.get(s.interviewer_id) ?? `Interviewer ${s.interviewer_id}`}: {statusWords(s.status, 1)}
                  {s.recommendation ? `, ${RATING_NAMES[s.recommendation]}` : ""}
                </li>
              ))}
            </ul>
          )}
          {load.data.criteria.length > 0 && (
            <TableWrap label="Ratings per criterion">
              <table>
                <caption>Ratings per criterion (latest versions)</caption>
                <thead>
                  <tr>
                    <th scope="col">Criterion</th>
                    {RATINGS.map((r) => (
                      <th scope="col" key={r}>
                        {RATING_NAMES[r]}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {load.data.criteria.map((c) => (
                    <tr key={c.key}>
                      <th scope="row">{c.name}</th>
                      {RATINGS.map((r) => (
                        <td key={r}>{c.counts[r] ?? 0}</td>
                      ))}
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">Overall recommendation</th>
                    {RATINGS.map((r) => (
                      <td key={r}>{load.data.recommendations[r] ?? 0}</td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </section>
  );
}
