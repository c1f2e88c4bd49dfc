// The dashboard's scorecard timeliness tile: the interviewer-calibration report's on-time share by
// month (a line), with time to submit and what is overdue now. The calibration table beside it
// reads the same response (one request for both).
import { useMemo } from "preact/hooks";

import { api, type Schemas } from "../api";
import type { ChartSpec } from "../chartSpec";
import { percent, plural } from "../format";
import type { Load } from "../hooks";
import type { Definitions, Window } from "../reports";
import { Chart } from "./Chart";
import { ReportSection } from "./ReportSection";
import { Loaded, SmallSample } from "./Status";
import { spent, TIMING_GLOSSARY } from "./TableReports";

type Calibration = Schemas["InterviewerCalibrationReport"];

export function TimelinessReport({
  load,
  range,
  definitions,
}: {
  load: Load<Calibration>;
  range: Window;
  definitions: Definitions;
}) {
  return (
    <ReportSection
      id="scorecard-timeliness"
      wide
      title="Scorecard timeliness"
      definition={definitions.get("/reports/interviewer-calibration")}
      glossary={[
        ...TIMING_GLOSSARY,
        {
          term: "A month",
          meaning:
            "Holds the scorecards first submitted in it, and those that fell due in it (end + 24 hours) and are still not submitted.",
        },
      ]}
      csv={() =>
        api().GET("/reports/interviewer-calibration", {
          params: { query: { period: "month", ...range } },
          headers: { Accept: "text/csv" },
          parseAs: "blob",
        })
      }
    >
      <Loaded load={load} what="scorecard timeliness">
        {(r) => <Timeliness report={r} />}
      </Loaded>
    </ReportSection>
  );
}

function Timeliness({ report }: { report: Calibration }) {
  const overall = report.overall;
  const spec = useMemo<ChartSpec>(
    () => ({
      type: "line",
      labels: report.periods.map((p) => p.label),
      yTitle: "on time",
      percent: true,
      series: [
        {
          label: `Submitted within ${report.late_after_hours} h`,
          values: report.periods.map((p) => p.on_time.value),
          small: report.periods.map((p) => p.on_time.small_sample),
        },
      ],
    }),
    [report],
  );
  const shown = report.periods.filter((p) => p.on_time.value !== null);
  const last = shown[shown.length - 1];
  const summary =
    `Line chart of the share of scorecards submitted on time per month, ${spec.labels[0] ?? ""} to ${spec.labels[spec.labels.length - 1] ?? ""}: ` +
    (last
      ? `latest ${last.label}: ${percent(last.on_time.value)}${last.on_time.small_sample ? " (small sample)" : ""}.`
      : "no data in the window.");
  return (
    <>
      <p class="headline" data-testid="timeliness-headline">
        {percent(overall.on_time.value)} on time ({overall.on_time.numerator ?? 0}/{overall.on_time.n}); median time
        to submit {spent(overall.time_to_submit.median)}, p90 {spent(overall.time_to_submit.p90)}.{" "}
        {plural(overall.overdue, "scorecard")} overdue now.{" "}
        <SmallSample small={overall.on_time.small_sample && overall.on_time.n > 0} />
      </p>
      <Chart id="scorecard-timeliness" spec={spec} summary={summary} smallSampleThreshold={report.small_sample_threshold} />
    </>
  );
}
