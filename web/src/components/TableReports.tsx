// The dashboard's tabled reports: sources, interviewer calibration, question signal.
import type { ComponentChildren } from "preact";

import { api, call, jsonReport, type Result, type Schemas } from "../api";
import { duration, figure, type Figure, number, plural } from "../format";
import { type Load, useLoad } from "../hooks";
import type { Definitions, Window } from "../reports";
import { type Glossary, ReportSection } from "./ReportSection";
import { Empty, Loaded, SmallSample } from "./Status";
import { TableWrap } from "./TableWrap";

interface Props {
  range: Window;
  definitions: Definitions;
}

interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

export function FigureCell({ f }: { f: Figure }) {
  return (
    <>
      {figure(f)}
      {f.value !== null && f.numerator !== null && f.numerator !== undefined && (
        <span class="muted">
          {" "}
          ({f.numerator}/{f.n})
        </span>
      )}{" "}
      <SmallSample small={f.small_sample && f.n > 0} />
    </>
  );
}

function ReportTable<T extends { key: string; label: string }>({
  caption,
  rows,
  columns,
  rowHeader,
  testId,
}: {
  caption: string;
  rows: T[];
  columns: Column<T>[];
  rowHeader: string;
  testId: string;
}) {
  if (rows.length === 0) return <Empty>Nothing in the window.</Empty>;
  return (
    <TableWrap label={caption}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{rowHeader}</th>
            {columns.map((c) => (
              <th scope="col" key={c.header}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              {columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Withheld({ n }: { n: number }) {
  if (n === 0) return null;
  return (
    <p class="notice">
      Blind review left out {plural(n, "scorecard")}: you have an unsubmitted scorecard on those panels.
    </p>
  );
}

export function SourcesReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () => jsonReport(await call(api().GET("/reports/sources", { params: { query: range } }))),
    [],
  );
  return (
    <ReportSection
      id="sources"
      wide
      title="Sources"
      definition={definitions.get("/reports/sources")}
      glossary={[
        { term: "Hire rate", meaning: "Hires that stand ÷ applications." },
        {
          term: "Time to productive",
          meaning: "Median time to hire + the catalog's months to productive × 30.4375 days.",
        },
        { term: "Offer acceptance", meaning: "Hires ÷ applications that left the offer stage." },
        {
          term: "Mean rating",
          meaning: "Mean overall recommendation, strong no 1 … strong yes 4, latest submitted versions.",
        },
      ]}
      csv={() =>
        api().GET("/reports/sources", { params: { query: range }, headers: { Accept: "text/csv" }, parseAs: "blob" })
      }
    >
      <Loaded load={load} what="the sources">
        {(r) => (
          <>
            <Withheld n={r.withheld} />
            <ReportTable<Schemas["SourceGroup"]>
              caption="Candidate sources: hire rate and time to productive contribution"
              testId="sources-table"
              rowHeader="Source"
              rows={r.groups}
              columns={[
                { header: "Applications", cell: (g) => g.applications },
                { header: "Hires", cell: (g) => g.hires },
                { header: "Hire rate", cell: (g) => <FigureCell f={g.hire_rate} /> },
                { header: "Median time to hire", cell: (g) => <FigureCell f={g.time_to_hire.median} /> },
                {
                  header: "Time to productive",
                  cell: (g) => (
                    <>
                      <FigureCell f={g.time_to_productive_contribution_days} />
                      {g.time_to_productive_months !== null && (
                        <span class="muted"> ({g.time_to_productive_months} months ramp-up)</span>
                      )}
                    </>
                  ),
                },
                { header: "Offer acceptance", cell: (g) => <FigureCell f={g.offer_acceptance} /> },
                { header: "Mean rating", cell: (g) => <FigureCell f={g.mean_rating} /> },
              ]}
            />
          </>
        )}
      </Loaded>
    </ReportSection>
  );
}

type Calibration = Schemas["InterviewerCalibrationReport"];

/** The calibration report with its monthly trend: the table and the timeliness tile share it. */
export async function loadCalibration(range: Window): Promise<Result<Calibration>> {
  return jsonReport(
    await call(api().GET("/reports/interviewer-calibration", { params: { query: { period: "month", ...range } } })),
  );
}

/** The timing figures' meaning, for the calibration table and the timeliness tile alike. */
export const TIMING_GLOSSARY: Glossary[] = [
  {
    term: "Time to submit",
    meaning:
      "From the interview's scheduled end (start + duration) to the scorecard's first submission; amendments do not count.",
  },
  {
    term: "On time",
    meaning:
      "Submitted within 24 hours ÷ scorecards due: the submitted ones and the overdue ones (not submitted 24 hours after the end).",
  },
];

/** Days as hours or minutes (time to submit is hours more often than days). */
export function spent(f: Figure): string {
  return f.value === null ? "—" : duration(f.value * 86_400);
}

export function CalibrationReport({ load, range, definitions }: Props & { load: Load<Calibration> }) {
  return (
    <ReportSection
      id="interviewer-calibration"
      wide
      title="Interviewer calibration"
      definition={definitions.get("/reports/interviewer-calibration")}
      glossary={[
        {
          term: "Panel agreement",
          meaning:
            "Scorecards on the side (yes or no) most of the other interviewers of the same interview took; ties and lone interviewers do not count.",
        },
        {
          term: "Decision agreement",
          meaning: "Scorecards on the side of the application's last move out of the stage (forward or rejected).",
        },
        ...TIMING_GLOSSARY,
        { term: "Late", meaning: "First submitted more than 24 hours after the interview's scheduled end." },
        { term: "Overdue", meaning: "Not submitted, and more than 24 hours past the interview's scheduled end." },
      ]}
      csv={() =>
        api().GET("/reports/interviewer-calibration", {
          params: { query: range },
          headers: { Accept: "text/csv" },
          parseAs: "blob",
        })
      }
    >
      <Loaded load={load} what="interviewer calibration">
        {(r) => (
          <>
            <Withheld n={r.withheld} />
            <ReportTable<Schemas["CalibrationGroup"]>
              caption="Interviewer calibration: how each interviewer rates, agrees and submits"
              testId="calibration-table"
              rowHeader="Interviewer"
              rows={r.groups}
              columns={[
                { header: "Scorecards", cell: (g) => g.submitted },
                { header: "Strong no", cell: (g) => <FigureCell f={g.strong_no_share} /> },
                { header: "Strong yes", cell: (g) => <FigureCell f={g.strong_yes_share} /> },
                { header: "Panel agreement", cell: (g) => <FigureCell f={g.panel_agreement} /> },
                { header: "Decision agreement", cell: (g) => <FigureCell f={g.decision_agreement} /> },
                {
                  header: "Time to submit, median (p90)",
                  cell: (g) => (
                    <>
                      {spent(g.time_to_submit.median)} <span class="muted">({spent(g.time_to_submit.p90)})</span>{" "}
                      <SmallSample small={g.time_to_submit.median.small_sample && g.time_to_submit.n > 0} />
                    </>
                  ),
                },
                { header: "Late", cell: (g) => <FigureCell f={g.late} /> },
                { header: "On time", cell: (g) => <FigureCell f={g.on_time} /> },
                { header: "Overdue", cell: (g) => g.overdue },
              ]}
            />
          </>
        )}
      </Loaded>
    </ReportSection>
  );
}

export function QuestionsReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () => jsonReport(await call(api().GET("/reports/questions", { params: { query: range } }))),
    [],
  );
  const columns: Column<Schemas["QuestionGroup"]>[] = [
    { header: "Asked", cell: (g) => g.asked },
    { header: "Advance rate", cell: (g) => <FigureCell f={g.advance_rate} /> },
    { header: "Mean rating", cell: (g) => <FigureCell f={g.rating_mean} /> },
    { header: "Spread", cell: (g) => number(g.rating_spread.value, 2) },
    { header: "Disagreement", cell: (g) => <FigureCell f={g.disagreement} /> },
  ];
  return (
    <ReportSection
      id="questions"
      wide
      title="Question signal"
      definition={definitions.get("/reports/questions")}
      glossary={[
        {
          term: "Advance rate",
          meaning:
            "Stage decisions after the question was asked that advanced ÷ those decided (an application asked in two stages is two decisions).",
        },
        {
          term: "Spread",
          meaning:
            "Standard deviation of the criterion ratings given in those interviews (1 strong no … 4 strong yes).",
        },
        {
          term: "Disagreement",
          meaning: "Panels of two or more scorecards whose recommendations fall on both sides of yes ÷ such panels.",
        },
      ]}
      csv={() =>
        api().GET("/reports/questions", { params: { query: range }, headers: { Accept: "text/csv" }, parseAs: "blob" })
      }
    >
      <Loaded load={load} what="question signal">
        {(r) => (
          <>
            <Withheld n={r.withheld} />
            <ReportTable<Schemas["QuestionGroup"]>
              caption="Question banks"
              testId="question-banks-table"
              rowHeader="Bank"
              rows={r.banks}
              columns={columns}
            />
            <ReportTable<Schemas["QuestionGroup"]>
              caption="Questions asked in the window"
              testId="questions-table"
              rowHeader="Question"
              rows={r.groups}
              columns={columns}
            />
          </>
        )}
      </Loaded>
    </ReportSection>
  );
}
