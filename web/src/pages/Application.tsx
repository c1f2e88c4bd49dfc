// One application: where it is, its moves, the stage summary, its interviews and scheduling.
import { api, call, etagOfVersion, type Result, type Schemas, type User } from "../api";
import { MoveControls } from "../components/MoveControls";
import { PanelList } from "../components/Reminders";
import { ScheduleInterview } from "../components/ScheduleInterview";
import { StageSummary } from "../components/StageSummary";
import { Empty, Loaded, PageTitle } from "../components/Status";
import { dateTime, daysSince, humanize, plural, stageName } from "../format";
import { useLoad, useNow } from "../hooks";
import { applicationInterviews, type Interview } from "../interviews";
import { can } from "../roles";
import { href } from "../router";

type Application = Schemas["ApplicationPublic"];

interface Data {
  application: Application;
  etag: string;
  candidate: Schemas["CandidatePublic"] | null;
  requisition: Schemas["RequisitionPublic"] | null;
}

const INTERVIEW_STAGES = ["resume_screen", "phone_screen", "technical_interview", "onsite_final"];

async function loadApplication(id: number): Promise<Result<Data>> {
  const application = await call(
    api().GET("/applications/{application_id}", { params: { path: { application_id: id } } }),
  );
  if (!application.ok) return application;
  const a = application.data;
  const [candidate, requisition] = await Promise.all([
    call(api().GET("/candidates/{candidate_id}", { params: { path: { candidate_id: a.candidate_id } } })),
    call(api().GET("/requisitions/{requisition_id}", { params: { path: { requisition_id: a.requisition_id } } })),
  ]);
  return {
    ok: true,
    response: application.response,
    data: {
      application: a,
      etag: application.response.headers.get("ETag") ?? etagOfVersion(a.version),
      candidate: candidate.ok ? candidate.data : null,
      requisition: requisition.ok ? requisition.data : null,
    },
  };
}

export function ApplicationPage({ id, user }: { id: number; user: User }) {
  const { load, set } = useLoad(() => loadApplication(id), [id]);
  const interviews = useLoad(() => applicationInterviews(id), [id]);
  const now = useNow();
  const name = load.state === "ready" ? (load.data.candidate?.name ?? `Application ${id}`) : "Application";
  const title = `Application: ${name}`;

  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <Loaded load={load} what="the application">
        {(data) => {
          const a = data.application;
          const people = new Map<number, string>();
          if (interviews.load.state === "ready") {
            for (const i of interviews.load.data) for (const p of i.interviewers) people.set(p.interviewer_id, p.name);
          }
          return (
            <>
              <dl class="facts">
                <div>
                  <dt>Candidate</dt>
                  <dd>
                    <a href={href.candidate(a.candidate_id)}>{data.candidate?.name ?? `Candidate ${a.candidate_id}`}</a>
                  </dd>
                </div>
                <div>
                  <dt>Requisition</dt>
                  <dd>
                    <a href={href.board(a.requisition_id)}>
                      {data.requisition?.title ?? `Requisition ${a.requisition_id}`}
                    </a>
                  </dd>
                </div>
                <div>
                  <dt>Stage</dt>
                  <dd data-testid="application-stage">
                    {stageName(a.stage)}
                    {a.status === "active" ? `, ${plural(daysSince(a.stage_entered_at, now), "day")} in stage` : ""}
                  </dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>{humanize(a.status)}</dd>
                </div>
                <div>
                  <dt>Applied</dt>
                  <dd>{dateTime(a.applied_at)}</dd>
                </div>
              </dl>
              {can.recruit(user.roles) && (
                <section aria-labelledby="moves-heading">
                  <h2 id="moves-heading">Moves</h2>
                  <MoveControls
                    application={a}
                    etag={data.etag}
                    idPrefix="application"
                    onUpdate={(application, etag) => set({ ...data, application, etag })}
                  />
                </section>
              )}
              {INTERVIEW_STAGES.includes(a.stage) && (
                <StageSummary applicationId={a.id} version={a.version} people={people} />
              )}
              <section aria-labelledby="interviews-heading">
                <h2 id="interviews-heading">Interviews</h2>
                <Loaded load={interviews.load} what="the interviews">
                  {(list) => <InterviewList interviews={list} now={now} mayRemind={can.recruit(user.roles)} />}
                </Loaded>
              </section>
              {can.recruit(user.roles) && a.status === "active" && INTERVIEW_STAGES.includes(a.stage) && (
                <ScheduleInterview
                  applicationId={a.id}
                  stage={a.stage}
                  known={people}
                  onScheduled={() => interviews.reload()}
                />
              )}
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function InterviewList({ interviews, now, mayRemind }: { interviews: Interview[]; now: number; mayRemind: boolean }) {
  if (interviews.length === 0) return <Empty>No interview scheduled yet.</Empty>;
  return (
    <ul class="plain-list">
      {interviews.map((i) => (
        <li key={i.id} class="list-item">
          <a href={href.interview(i.id)}>
            {stageName(i.stage)}, {dateTime(i.scheduled_at)}
          </a>{" "}
          <span class="muted">· {humanize(i.status)}</span>
          <PanelList interview={i} now={now} mayRemind={mayRemind} />
          {i.load_overrides.map((o) => (
            <p class="hint" key={o.overridden_at} data-testid={`load-override-${i.id}`}>
              Scheduled past the weekly cap of{" "}
              {o.over_cap.map((c) => i.interviewers.find((p) => p.interviewer_id === c.interviewer_id)?.name ?? `user ${c.interviewer_id}`).join(", ")}
              : “{o.reason}”
            </p>
          ))}
        </li>
      ))}
    </ul>
  );
}
