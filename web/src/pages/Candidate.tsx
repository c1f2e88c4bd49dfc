// A candidate: each of their applications with its stage history and skills assessment.
import { allPages, api, call, catalog, type Names, namesFrom, type Result, type Schemas } from "../api";
import { Empty, Loaded, Loading, PageTitle, ProblemMessage } from "../components/Status";
import { dateTime, humanize, MOVE_NAMES, plural, stageName } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { TableWrap } from "../components/TableWrap";

type Application = Schemas["ApplicationPublic"];

interface Data {
  candidate: Schemas["CandidatePublic"];
  applications: { application: Application; title: string }[];
  names: Names;
}

async function loadCandidate(id: number): Promise<Result<Data>> {
  const [candidate, applications, cat] = await Promise.all([
    call(api().GET("/candidates/{candidate_id}", { params: { path: { candidate_id: id } } })),
    allPages((cursor) =>
      api().GET("/applications", {
        params: { query: { candidate_id: id, limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
    catalog(),
  ]);
  if (!candidate.ok) return candidate;
  if (!applications.ok) return applications;
  const titled = await Promise.all(
    applications.data.map(async (application) => {
      const r = await call(
        api().GET("/requisitions/{requisition_id}", {
          params: { path: { requisition_id: application.requisition_id } },
        }),
      );
      return { application, title: r.ok ? r.data.title : `Requisition ${application.requisition_id}` };
    }),
  );
  const names = namesFrom(cat);
  return { ok: true, response: candidate.response, data: { candidate: candidate.data, applications: titled, names } };
}

export function CandidatePage({ id }: { id: number }) {
  const { load } = useLoad(() => loadCandidate(id), [id]);
  const title = load.state === "ready" ? load.data.candidate.name : "Candidate";
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <Loaded load={load} what="the candidate">
        {({ candidate, applications, names }) => (
          <>
            <dl class="facts">
              <div>
                <dt>Email</dt>
                <dd>{candidate.email}</dd>
              </div>
              <div>
                <dt>Source</dt>
                <dd>
                  {names.source(candidate.source)}
                  {candidate.source_detail ? ` (${candidate.source_detail})` : ""}
                </dd>
              </div>
            </dl>
            {applications.length === 0 && <Empty>No applications.</Empty>}
            {applications.map(({ application, title: reqTitle }) => (
              <section key={application.id} aria-labelledby={`app-${application.id}`} class="card-section">
                <h2 id={`app-${application.id}`}>
                  {reqTitle} <span class="muted">— {stageName(application.stage)}</span>
                </h2>
                <p>
                  <a href={href.application(application.id)}>
                    Open the application<span class="visually-hidden"> to {reqTitle}</span>
                  </a>
                </p>
                <StageHistory applicationId={application.id} />
                <SkillsAssessment applicationId={application.id} skillName={names.skill} />
              </section>
            ))}
          </>
        )}
      </Loaded>
    </>
  );
}

function StageHistory({ applicationId }: { applicationId: number }) {
  const { load } = useLoad(
    () =>
      call(
        api().GET("/applications/{application_id}/history", { params: { path: { application_id: applicationId } } }),
      ),
    [applicationId],
  );
  return (
    <div data-testid="stage-history">
      <h3>Stage history</h3>
      <Loaded load={load} what="the stage history">
        {(events) =>
          events.length === 0 ? (
            <Empty>No moves yet.</Empty>
          ) : (
            <TableWrap label="Stage history">
              <table>
                <caption class="visually-hidden">Every move of this application, dated</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Move</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">By</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr key={e.id}>
                      <td>{dateTime(e.occurred_at)}</td>
                      <td>{MOVE_NAMES[e.move]}</td>
                      <td>{e.from_stage ? stageName(e.from_stage) : "—"}</td>
                      <td>{stageName(e.to_stage)}</td>
                      <td>{e.actor_kind === "user" ? `user ${e.actor_id ?? "?"}` : humanize(e.actor_kind)}</td>
                      <td>{e.reason ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
    </div>
  );
}

function SkillsAssessment({ applicationId, skillName }: { applicationId: number; skillName: (key: string) => string }) {
  const { load } = useLoad(
    () =>
      call(
        api().GET("/applications/{application_id}/skills-assessment", {
          params: { path: { application_id: applicationId } },
        }),
      ),
    [applicationId],
  );
  const name = skillName;
  return (
    <div data-testid="skills-assessment">
      <h3>Skills assessment</h3>
      {load.state === "loading" && <Loading what="the skills assessment" />}
      {load.state === "error" && (
        <ProblemMessage problem={load.problem} title="Could not load the skills assessment." />
      )}
      {load.state === "ready" &&
        (typeof load.data === "string" ? (
          <pre>{load.data}</pre>
        ) : (
          <>
            {(load.data.withheld ?? 0) > 0 && (
              <p class="notice">
                {plural(load.data.withheld ?? 0, "scorecard")} left out by blind review: you have an unsubmitted
                scorecard for this candidate.
              </p>
            )}
            <TableWrap label="Skills assessment">
              <table>
                <caption class="visually-hidden">Current and target skill levels (0–3)</caption>
                <thead>
                  <tr>
                    <th scope="col">Skill</th>
                    <th scope="col">Assessed</th>
                    <th scope="col">Target</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(load.data.target_skills).map(([key, target]) => {
                    const current = load.data.current_skills[key];
                    return (
                      <tr key={key}>
                        <th scope="row">{name(key)}</th>
                        <td>{current ?? "not assessed"}</td>
                        <td>{target}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableWrap>
            <h4>Gaps and the training for them</h4>
            {load.data.gaps.length === 0 ? (
              <Empty>No gap among the assessed skills.</Empty>
            ) : (
              <ul data-testid="skill-gaps">
                {load.data.gaps.map((g) => (
                  <li key={g.skill}>
                    {name(g.skill)}: {plural(g.gap, "level")} below target —{" "}
                    {g.training ? `training: ${g.training}` : "no training in the catalog"}
                  </li>
                ))}
              </ul>
            )}
            {load.data.unassessed.length > 0 && (
              <p class="hint">Not assessed yet: {load.data.unassessed.map(name).join(", ")}.</p>
            )}
          </>
        ))}
    </div>
  );
}
