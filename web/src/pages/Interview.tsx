// One interview: the kit, my scorecard (draft → submit → amend), its versions, the peers'.
import { useState } from "preact/hooks";

import { api, call, catalog, type ProblemInfo, type Result, type Schemas, type User } from "../api";
import { AmendEditor, DraftEditor } from "../components/ScorecardEditors";
import { PeerScorecards, ScorecardView, statusWords, VersionHistory } from "../components/ScorecardView";
import { Loaded, PageTitle, ProblemMessage } from "../components/Status";
import { dateTime, humanize, plural, stageName } from "../format";
import { useLoad } from "../hooks";
import { can } from "../roles";
import { href } from "../router";
import { type Kit, namesOf, type ProfileSkill, type Scorecard } from "../scorecard";

type Interview = Schemas["InterviewPublic"];

interface Bundle {
  interview: Interview;
  kit: Kit | null;
  kitProblem: ProblemInfo | null;
  mine: Scorecard | null;
  profile: ProfileSkill[];
}

async function loadBundle(id: number, user: User): Promise<Result<Bundle>> {
  const path = { params: { path: { interview_id: id } } };
  const [interview, kit, mine, cat] = await Promise.all([
    call(api().GET("/interviews/{interview_id}", path)),
    call(api().GET("/interviews/{interview_id}/kit", path)),
    call(api().GET("/interviews/{interview_id}/scorecard", path)),
    catalog(),
  ]);
  if (!interview.ok) return interview;
  if (!cat.ok) return cat;
  // The skills to rate are the requisition's target profile (levels 1–3), which the kit carries
  // (panelists may not read the requisition). Without a kit (a cancelled interview never drew
  // one) the requisition is read where the role may, else the catalog's skills-matrix row of the
  // role family stands in.
  let target: Record<string, number> | null = kit.ok ? kit.data.target_skills : null;
  if (target === null && can.readPipeline(user.roles)) {
    const requisition = await call(
      api().GET("/requisitions/{requisition_id}", {
        params: { path: { requisition_id: interview.data.requisition_id } },
      }),
    );
    if (requisition.ok) target = requisition.data.target_skills;
  }
  target ??= cat.data.role_families.find((f) => f.key === interview.data.role_family)?.skills ?? {};
  const skillNames = new Map(cat.data.skills.map((s) => [s.key, s.name]));
  const profile = Object.entries(target)
    .filter(([, level]) => level > 0)
    .map(([key, level]) => ({ key, name: skillNames.get(key) ?? key, target: level }));
  return {
    ok: true,
    response: interview.response,
    data: {
      interview: interview.data,
      kit: kit.ok ? kit.data : null,
      kitProblem: kit.ok ? null : kit.problem,
      mine: mine.ok ? mine.data : null,
      profile,
    },
  };
}

export function InterviewPage({ id, user }: { id: number; user: User }) {
  const { load, reload } = useLoad(() => loadBundle(id, user), [id]);
  const [amending, setAmending] = useState(false);
  const title = load.state === "ready" ? `Interview with ${load.data.interview.candidate_name}` : "Interview";

  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <Loaded load={load} what="the interview">
        {({ interview, kit, kitProblem, mine, profile }) => {
          const names = namesOf(kit, profile);
          const people = new Map(interview.interviewers.map((i) => [i.interviewer_id, i.name]));
          people.set(user.id, `${user.name} (you)`);
          return (
            <>
              <InterviewFacts interview={interview} canOpenApplication={can.readPipeline(user.roles)} />
              <section aria-labelledby="kit-heading">
                <h2 id="kit-heading">Question kit</h2>
                {kit ? <KitView kit={kit} /> : kitProblem && <ProblemMessage problem={kitProblem} title="No kit." />}
              </section>
              {mine && (
                <section aria-labelledby="scorecard-heading" data-testid="my-scorecard">
                  <h2 id="scorecard-heading">Your scorecard</h2>
                  {!kit ? (
                    <p>The scorecard needs the kit's criteria, which could not be loaded.</p>
                  ) : mine.status !== "submitted" ? (
                    <DraftEditor
                      interviewId={interview.id}
                      scorecard={mine}
                      kit={kit}
                      profile={profile}
                      onSubmitted={reload}
                    />
                  ) : amending ? (
                    <AmendEditor
                      interviewId={interview.id}
                      scorecard={mine}
                      kit={kit}
                      profile={profile}
                      onSubmitted={reload}
                      onDone={() => {
                        setAmending(false);
                        reload();
                      }}
                      onCancel={() => setAmending(false)}
                    />
                  ) : (
                    <>
                      <p class="notice" role="status">
                        Submitted{mine.submitted_at ? ` on ${dateTime(mine.submitted_at)}` : ""}
                        {mine.version > 1 ? `; amended, now version ${mine.version}` : ""}. It is never overwritten: a
                        change is an amendment, recorded as a new version.
                      </p>
                      <ScorecardView content={mine} names={names} />
                      <div class="actions">
                        <button type="button" onClick={() => setAmending(true)}>
                          Amend scorecard
                        </button>
                      </div>
                    </>
                  )}
                </section>
              )}
              {mine && mine.status === "submitted" && (
                <VersionHistory scorecardId={mine.id} version={mine.version} names={names} people={people} />
              )}
              {!mine && (
                <p class="notice">You are not on this interview's panel: there is no scorecard of yours here.</p>
              )}
              <PeerScorecards
                interview={interview}
                meId={user.id}
                onPanel={mine !== null}
                mineSubmitted={mine?.status === "submitted"}
                names={names}
                refresh={`${mine?.status}-${mine?.version}`}
              />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function InterviewFacts({ interview, canOpenApplication }: { interview: Interview; canOpenApplication: boolean }) {
  return (
    <dl class="facts">
      <div>
        <dt>Stage</dt>
        <dd>{stageName(interview.stage)}</dd>
      </div>
      <div>
        <dt>Requisition</dt>
        <dd>{interview.requisition_title}</dd>
      </div>
      <div>
        <dt>When</dt>
        <dd>
          {dateTime(interview.scheduled_at)}, {plural(interview.duration_minutes, "minute")}
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>{humanize(interview.status)}</dd>
      </div>
      <div>
        <dt>Panel</dt>
        <dd>
          <ul class="inline-list">
            {interview.interviewers.map((i) => (
              <li key={i.interviewer_id}>
                {i.name} ({statusWords(i.scorecard_status, 1)})
              </li>
            ))}
          </ul>
        </dd>
      </div>
      {canOpenApplication && (
        <div>
          <dt>Application</dt>
          <dd>
            <a href={href.application(interview.application_id)}>Open the application</a>
          </dd>
        </div>
      )}
    </dl>
  );
}

function KitView({ kit }: { kit: Kit }) {
  return (
    <>
      <p>
        {kit.stage_name}, {plural(kit.duration_minutes, "minute")}. Rate: {kit.criteria.map((c) => c.name).join(", ")}.
      </p>
      {kit.warning && (
        <p class="warning" data-testid="kit-warning">
          {kit.warning}
        </p>
      )}
      {kit.questions.length === 0 ? (
        <p class="empty">This stage's kit holds no questions.</p>
      ) : (
        <ol class="questions">
          {kit.questions.map((q) => (
            <li key={q.question_id}>
              {q.text}{" "}
              <span class="muted">
                ({q.bank}
                {q.retired ? ", retired since" : ""})
              </span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
