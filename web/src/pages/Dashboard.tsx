// The hiring lead's dashboard: trends as line charts (period=month), the funnel as bars, and
// sources, interviewer calibration and question signal as tables; scorecard timeliness charts
// the calibration report's on-time share from the same response as its table.
import { useState } from "preact/hooks";

import { api, call } from "../api";
import { CandidatesPerRoleReport, FunnelReport, TimeToFillReport, TimeToHireReport } from "../components/ChartReports";
import { CalibrationReport, loadCalibration, QuestionsReport, SourcesReport } from "../components/TableReports";
import { PageTitle } from "../components/Status";
import { TimelinessReport } from "../components/TimelinessReport";
import { useLoad } from "../hooks";
import { type Definitions, windowOf } from "../reports";

const WINDOWS = [6, 12, 24, 36];

export function Dashboard() {
  const [months, setMonths] = useState(12);
  const range = windowOf(months);
  const index = useLoad(() => call(api().GET("/reports")), []);
  const definitions: Definitions = new Map(
    index.load.state === "ready" ? index.load.data.reports.map((r) => [r.path, r]) : [],
  );
  const key = `${range.date_from}-${range.date_to}`;
  const calibration = useLoad(() => loadCalibration(range), [key]);
  return (
    <>
      <PageTitle title="Dashboard">Hiring dashboard</PageTitle>
      <div class="toolbar">
        <label for="window">Window</label>
        <select id="window" value={String(months)} onChange={(e) => setMonths(Number(e.currentTarget.value))}>
          {WINDOWS.map((m) => (
            <option key={m} value={String(m)}>
              Last {m} months
            </option>
          ))}
        </select>
        <span class="muted">
          {range.date_from} to {range.date_to} (exclusive). Each report's definition says which dates the window
          selects.
        </span>
      </div>
      {index.load.state === "error" && (
        <p class="problem" role="alert">
          The report definitions could not be loaded: {index.load.problem.detail}
        </p>
      )}
      <div class="reports">
        <TimeToFillReport key={`ttf-${key}`} range={range} definitions={definitions} />
        <TimeToHireReport key={`tth-${key}`} range={range} definitions={definitions} />
        <CandidatesPerRoleReport key={`cpr-${key}`} range={range} definitions={definitions} />
        <FunnelReport key={`funnel-${key}`} range={range} definitions={definitions} />
        <SourcesReport key={`sources-${key}`} range={range} definitions={definitions} />
        <CalibrationReport key={`cal-${key}`} load={calibration.load} range={range} definitions={definitions} />
        <TimelinessReport key={`late-${key}`} load={calibration.load} range={range} definitions={definitions} />
        <QuestionsReport key={`q-${key}`} range={range} definitions={definitions} />
      </div>
    </>
  );
}
