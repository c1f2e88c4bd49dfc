// The main story, walked with the generated client against a live service:
//   SMOKE_BASE_URL=http://127.0.0.1:8000 SMOKE_ADMIN_TOKEN=ipt_... node dist/smoke.js
// Each step prints one line; the first failure prints what came back and exits 1.
//
// To extend the story (metrics, webhooks), add steps to STEPS below: a step
// reads and writes the shared Story, so a later step can use what an earlier one made.
import {
  type Api,
  type Schemas,
  apiClient,
  etagOf,
  expectProblem,
  expectStatus,
} from "./client.js";

interface Story {
  baseUrl: string;
  run: string; // makes emails unique, so the story can run twice against one database
  admin: Api;
  recruiter?: Api;
  manager?: Api;
  managerId?: number;
  interviewer?: Api;
  interviewerId?: number;
  requisition?: Schemas["RequisitionPublic"];
  candidates: Schemas["CandidatePublic"][];
  applications: Schemas["ApplicationPublic"][];
  etag?: string;
  interview?: Schemas["InterviewPublic"];
  kit?: Schemas["InterviewKitPublic"];
}

type Step = [name: string, run: (story: Story) => Promise<void>];

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`an earlier step should have made ${what}`);
  }
  return value;
}

async function createUser(story: Story, role: Schemas["Role"]): Promise<[Api, number]> {
  const created = expectStatus(
    await story.admin.POST("/users", {
      body: { email: `${role}.${story.run}@example.com`, name: `Smoke ${role}`, roles: [role] },
    }),
    201,
    `create ${role}`,
  );
  return [apiClient(story.baseUrl, created.token.token), created.user.id];
}

/** The recruiter advances the first application, based on the ETag the story last read. */
function advanceFirst(story: Story, body: Schemas["MoveRequest"]) {
  return need(story.recruiter, "a recruiter").POST("/applications/{application_id}/advance", {
    params: {
      path: { application_id: need(story.applications[0], "an application").id },
      header: { "If-Match": need(story.etag, "an ETag") },
    },
    body,
  });
}

const STEPS: Step[] = [
  [
    "the admin token works",
    async (story) => {
      const me = expectStatus(await story.admin.GET("/users/me"), 200, "getCurrentUser");
      if (!me.roles.includes("admin")) {
        throw new Error(`SMOKE_ADMIN_TOKEN belongs to someone with roles ${me.roles.join(", ") || "none"}`);
      }
    },
  ],
  [
    "the admin creates a recruiter, a hiring manager and an interviewer",
    async (story) => {
      [story.recruiter] = await createUser(story, "recruiter");
      [story.manager, story.managerId] = await createUser(story, "hiring_manager");
      [story.interviewer, story.interviewerId] = await createUser(story, "interviewer");
    },
  ],
  [
    "the catalog lists the four interview stages",
    async (story) => {
      const catalog = expectStatus(await story.admin.GET("/catalog"), 200, "getCatalog");
      const stages = catalog.stages.map((stage) => stage.key);
      const expected = ["resume_screen", "phone_screen", "technical_interview", "onsite_final"];
      if (JSON.stringify(stages) !== JSON.stringify(expected)) {
        throw new Error(`catalog stages are ${stages.join(", ")}`);
      }
    },
  ],
  [
    "the recruiter opens a requisition",
    async (story) => {
      story.requisition = expectStatus(
        await need(story.recruiter, "a recruiter").POST("/requisitions", {
          body: {
            title: "Senior MLOps Engineer",
            role_family: "mlops_engineer",
            level: "L2",
            team: "ML Platform",
            headcount: 1,
            hiring_manager_id: need(story.managerId, "a hiring manager"),
            opened_at: "2026-01-05T09:00:00Z",
            target_skills: { kubernetes: 3 },
          },
        }),
        201,
        "createRequisition",
      );
      if (story.requisition.status !== "open") throw new Error("a new requisition is open");
    },
  ],
  [
    "the recruiter adds two candidates",
    async (story) => {
      const recruiter = need(story.recruiter, "a recruiter");
      for (const [name, source] of [
        ["Grace Hopper", "devops_ml_training"],
        ["Alan Turing", "a meetup"],
      ] as const) {
        const email = `${name.split(" ")[0]?.toLowerCase()}.${story.run}@example.com`;
        story.candidates.push(
          expectStatus(
            await recruiter.POST("/candidates", { body: { name, email, source } }),
            201,
            "createCandidate",
          ),
        );
      }
      if (story.candidates[1]?.source !== "other") throw new Error("an unknown source is stored as other");
    },
  ],
  [
    "both apply to the requisition",
    async (story) => {
      const recruiter = need(story.recruiter, "a recruiter");
      const requisition = need(story.requisition, "a requisition");
      for (const candidate of story.candidates) {
        const outcome = await recruiter.POST("/applications", {
          body: {
            candidate_id: candidate.id,
            requisition_id: requisition.id,
            applied_at: "2026-01-10T09:00:00Z",
          },
        });
        const application = expectStatus(outcome, 201, "createApplication");
        if (application.stage !== "resume_screen") throw new Error("an application starts in resume_screen");
        story.applications.push(application);
      }
    },
  ],
  [
    "the recruiter reads the first application and its ETag",
    async (story) => {
      const first = need(story.applications[0], "an application");
      const outcome = await need(story.recruiter, "a recruiter").GET("/applications/{application_id}", {
        params: { path: { application_id: first.id } },
      });
      expectStatus(outcome, 200, "getApplication");
      story.etag = etagOf(outcome.response, "getApplication");
    },
  ],
  [
    "the recruiter advances it with If-Match",
    async (story) => {
      const outcome = await advanceFirst(story, { occurred_at: "2026-01-12T10:00:00Z" });
      const moved = expectStatus(outcome, 200, "advanceApplication");
      if (moved.stage !== "phone_screen") throw new Error(`advanced to ${moved.stage}`);
      const etag = etagOf(outcome.response, "advanceApplication");
      if (etag === story.etag) throw new Error("a move changes the ETag");
    },
  ],
  [
    "a move based on the old ETag is refused with 412",
    async (story) => {
      const outcome = await advanceFirst(story, {});
      expectProblem(outcome, 412, "stale_version", "advanceApplication with a stale ETag");
    },
  ],
  [
    "the recruiter rejects the second application, with a reason",
    async (story) => {
      const second = need(story.applications[1], "a second application");
      const outcome = await need(story.recruiter, "a recruiter").POST(
        "/applications/{application_id}/reject",
        {
          params: { path: { application_id: second.id }, header: { "If-Match": `"${second.version}"` } },
          body: { reason: "Kubernetes depth below the bar", occurred_at: "2026-01-11T09:00:00Z" },
        },
      );
      const rejected = expectStatus(outcome, 200, "rejectApplication");
      if (rejected.status !== "rejected" || rejected.allowed_moves.length !== 0) {
        throw new Error("a rejected application has ended");
      }
    },
  ],
  [
    "the history of the first application reads apply, then advance",
    async (story) => {
      const first = need(story.applications[0], "an application");
      const events = expectStatus(
        await need(story.recruiter, "a recruiter").GET("/applications/{application_id}/history", {
          params: { path: { application_id: first.id } },
        }),
        200,
        "getApplicationHistory",
      );
      const moves = events.map((event) => `${event.move}:${event.to_stage}`);
      if (JSON.stringify(moves) !== JSON.stringify(["apply:resume_screen", "advance:phone_screen"])) {
        throw new Error(`history is ${moves.join(", ")}`);
      }
    },
  ],
  [
    "the hiring manager pages through their requisition's applications",
    async (story) => {
      const manager = need(story.manager, "a hiring manager");
      const requisition = need(story.requisition, "a requisition");
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = expectStatus(
          await manager.GET("/applications", {
            params: { query: { requisition_id: requisition.id, limit: 1, ...(cursor ? { cursor } : {}) } },
          }),
          200,
          "listApplications",
        );
        seen.push(...page.items.map((application) => application.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
      const expected = story.applications.map((application) => application.id);
      if (JSON.stringify(seen) !== JSON.stringify(expected)) {
        throw new Error(`pages held ${seen.join(", ")}, not ${expected.join(", ")}`);
      }
    },
  ],
  [
    "an interviewer may not list applications",
    async (story) => {
      const outcome = await need(story.interviewer, "an interviewer").GET("/applications", {
        params: { query: {} },
      });
      expectProblem(outcome, 403, "forbidden", "listApplications as an interviewer");
    },
  ],
  [
    "the recruiter schedules the phone screen with the interviewer",
    async (story) => {
      const first = need(story.applications[0], "an application");
      story.interview = expectStatus(
        await need(story.recruiter, "a recruiter").POST("/applications/{application_id}/interviews", {
          params: { path: { application_id: first.id } },
          body: {
            scheduled_at: "2026-01-13T10:00:00Z",
            interviewer_ids: [need(story.interviewerId, "an interviewer")],
          },
        }),
        201,
        "scheduleInterview",
      );
      if (story.interview.stage !== "phone_screen") throw new Error(`scheduled a ${story.interview.stage}`);
    },
  ],
  [
    "the interviewer fetches the kit",
    async (story) => {
      story.kit = expectStatus(
        await need(story.interviewer, "an interviewer").GET("/interviews/{interview_id}/kit", {
          params: { path: { interview_id: need(story.interview, "an interview").id } },
        }),
        200,
        "getInterviewKit",
      );
      if (story.kit.criteria.length === 0) throw new Error("a kit names the criteria to rate");
    },
  ],
  [
    "the interviewer submits the scorecard",
    async (story) => {
      const kit = need(story.kit, "a kit");
      const ratings = Object.fromEntries(kit.criteria.map((criterion) => [criterion.key, "yes" as const]));
      const scorecard = expectStatus(
        await need(story.interviewer, "an interviewer").POST("/interviews/{interview_id}/scorecard/submit", {
          params: { path: { interview_id: kit.interview_id } },
          body: { ratings, recommendation: "yes", summary: "Clear on rollouts and rollbacks." },
        }),
        200,
        "submitScorecard",
      );
      if (scorecard.status !== "submitted") throw new Error(`the scorecard is ${scorecard.status}`);
    },
  ],
  [
    "the hiring manager reads the funnel's monthly trend, January present",
    async (story) => {
      const manager = need(story.manager, "a hiring manager");
      const listed = expectStatus(await manager.GET("/reports"), 200, "listReports");
      if (!listed.reports.some((report) => report.name === "funnel")) throw new Error("GET /reports lists the funnel");
      const funnel = expectStatus(
        await manager.GET("/reports/funnel", {
          params: { query: { period: "month", date_from: "2026-01-01", date_to: "2026-03-01" } },
        }),
        200,
        "getFunnelReport",
      );
      // The report is JSON unless CSV is asked for (Accept: text/csv): the type says either.
      if (typeof funnel === "string") throw new Error("the funnel came as CSV without being asked");
      const months = funnel.periods.map((period) => period.label);
      if (JSON.stringify(months) !== JSON.stringify(["2026-01", "2026-02"])) {
        throw new Error(`the trend's months are ${months.join(", ")}`);
      }
      const january = need(funnel.periods[0], "January");
      const screened = need(january.stages[0], "a stage").entered;
      if (screened < 2) throw new Error(`January's resume screen has ${screened} stays, not the story's 2`);
      const february = need(funnel.periods[1], "February");
      if (need(february.stages[0], "a stage").entered !== 0) throw new Error("February is empty, and listed");
    },
  ],
  [
    "a call without a token is refused with 401",
    async (story) => {
      const outcome = await apiClient(story.baseUrl).GET("/catalog");
      expectProblem(outcome, 401, "unauthenticated", "getCatalog without a token");
    },
  ],
];

async function main(): Promise<number> {
  const baseUrl = process.env["SMOKE_BASE_URL"];
  const token = process.env["SMOKE_ADMIN_TOKEN"];
  if (!baseUrl || !token) {
    console.error("set SMOKE_BASE_URL and SMOKE_ADMIN_TOKEN (an admin's bearer token)");
    return 2;
  }
  const story: Story = {
    baseUrl,
    run: `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    admin: apiClient(baseUrl, token),
    candidates: [],
    applications: [],
  };
  for (const [name, run] of STEPS) {
    try {
      await run(story);
    } catch (error) {
      console.error(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    console.log(`ok   ${name}`);
  }
  console.log(`smoke: ${STEPS.length} steps passed against ${baseUrl}`);
  return 0;
}

process.exitCode = await main();
