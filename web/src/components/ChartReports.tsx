// The dashboard's charted reports: time to fill, time to hire and candidates per role by month
// (lines, the seed's market figure as a dashed reference), and the funnel's pass-through (bars).
import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";

import { api, call, jsonReport, type Schemas } from "../api";
import type { ChartSeries, ChartSpec } from "../chartSpec";
import { days, figure, number, percent, stageName } from "../format";
import { useLoad } from "../hooks";
import type { Definitions, Window } from "../reports";
import { Chart } from "./Chart";
import { type Glossary, ReportSection } from "./ReportSection";
import { Loaded, SmallSample } from "./Status";

type Market = Schemas["MarketComparison"];

interface Props {
  range: Window;
  definitions: Definitions;
}

function referenceLine(market: Market | null | undefined, labels: string[], unit: string): ChartSeries[] {
  if (!market) return [];
  return [
    {
      label: `Market 2024: ${number(market.market_2024)} ${unit}`,
      values: labels.map(() => market.market_2024),
      reference: true,
    },
  ];
}

function MarketNote({ market, unit }: { market: Market | null | undefined; unit: string }) {
  if (!market) return null;
  return (
    <p class="hint">
      Market reference (the seed's figures): {number(market.market_2022)} {unit} in 2022, {number(market.market_2024)}{" "}
      {unit} in 2024. Ours, the {market.own_measure}: <strong>{number(market.own.value)}</strong>{" "}
      <SmallSample small={market.own.small_sample} />
    </p>
  );
}

function Headline({ children }: { children: ComponentChildren }) {
  return <p class="headline">{children}</p>;
}

export function TimeToFillReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () =>
      jsonReport(await call(api().GET("/reports/time-to-fill", { params: { query: { period: "month", ...range } } }))),
    [],
  );
  return (
    <ReportSection
      id="time-to-fill"
      title="Time to fill"
      definition={definitions.get("/reports/time-to-fill")}
      glossary={[
        { term: "Gross", meaning: "Every day from opened to filled." },
        { term: "Net", meaning: "Gross less the days the requisition spent on hold." },
      ]}
      csv={() =>
        api().GET("/reports/time-to-fill", {
          params: { query: { period: "month", ...range } },
          headers: { Accept: "text/csv" },
          parseAs: "blob",
        })
      }
    >
      <Loaded load={load} what="time to fill">
        {(r) => (
          <TrendChart
            id="time-to-fill"
            labels={r.periods.map((p) => p.label)}
            series={[
              {
                label: "Median time to fill, gross (days)",
                values: r.periods.map((p) => p.gross.median.value),
                small: r.periods.map((p) => p.gross.median.small_sample),
              },
              ...referenceLine(
                r.market,
                r.periods.map((p) => p.label),
                "days",
              ),
            ]}
            yTitle="days"
            what="median gross time to fill"
            unit="days"
            threshold={r.small_sample_threshold}
          >
            <Headline>
              {r.overall.filled} filled; median {days(r.overall.gross.median.value)} gross,{" "}
              {days(r.overall.net.median.value)} net <SmallSample small={r.overall.gross.median.small_sample} />.{" "}
              {r.overall.open_ages.open} open, median age {days(r.overall.open_ages.gross.median.value)}.
            </Headline>
            <MarketNote market={r.market} unit="days" />
          </TrendChart>
        )}
      </Loaded>
    </ReportSection>
  );
}

export function TimeToHireReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () =>
      jsonReport(await call(api().GET("/reports/time-to-hire", { params: { query: { period: "month", ...range } } }))),
    [],
  );
  return (
    <ReportSection
      id="time-to-hire"
      title="Time to hire"
      definition={definitions.get("/reports/time-to-hire")}
      csv={() =>
        api().GET("/reports/time-to-hire", {
          params: { query: { period: "month", ...range } },
          headers: { Accept: "text/csv" },
          parseAs: "blob",
        })
      }
    >
      <Loaded load={load} what="time to hire">
        {(r) => (
          <TrendChart
            id="time-to-hire"
            labels={r.periods.map((p) => p.label)}
            series={[
              {
                label: "Median time to hire (days)",
                values: r.periods.map((p) => p.time_to_hire.median.value),
                small: r.periods.map((p) => p.time_to_hire.median.small_sample),
              },
            ]}
            yTitle="days"
            what="median time to hire"
            unit="days"
            threshold={r.small_sample_threshold}
          >
            <Headline>
              {r.overall.hires} hires; median {days(r.overall.time_to_hire.median.value)}, p90{" "}
              {days(r.overall.time_to_hire.p90.value)}{" "}
              <SmallSample small={r.overall.time_to_hire.median.small_sample} />
            </Headline>
          </TrendChart>
        )}
      </Loaded>
    </ReportSection>
  );
}

export function CandidatesPerRoleReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () =>
      jsonReport(
        await call(api().GET("/reports/candidates-per-role", { params: { query: { period: "month", ...range } } })),
      ),
    [],
  );
  return (
    <ReportSection
      id="candidates-per-role"
      title="Candidates per role"
      definition={definitions.get("/reports/candidates-per-role")}
      csv={() =>
        api().GET("/reports/candidates-per-role", {
          params: { query: { period: "month", ...range } },
          headers: { Accept: "text/csv" },
          parseAs: "blob",
        })
      }
    >
      <Loaded load={load} what="candidates per role">
        {(r) => (
          <TrendChart
            id="candidates-per-role"
            labels={r.periods.map((p) => p.label)}
            series={[
              {
                label: "Mean applications per requisition",
                values: r.periods.map((p) => p.mean.value),
                small: r.periods.map((p) => p.mean.small_sample),
              },
              ...referenceLine(
                r.market,
                r.periods.map((p) => p.label),
                "candidates",
              ),
            ]}
            yTitle="candidates"
            what="mean candidates per role"
            unit="candidates"
            threshold={r.small_sample_threshold}
          >
            <Headline>
              {r.overall.requisitions} requisitions, {r.overall.applications} applications; mean{" "}
              {figure(r.overall.mean)}, median {figure(r.overall.median)}{" "}
              <SmallSample small={r.overall.mean.small_sample} />
            </Headline>
            <MarketNote market={r.market} unit="candidates" />
          </TrendChart>
        )}
      </Loaded>
    </ReportSection>
  );
}

const FUNNEL_GLOSSARY: Glossary[] = [
  { term: "Entered", meaning: "Stays begun in the stage (an application that comes back stays again)." },
  {
    term: "Pass-through",
    meaning:
      "Advanced ÷ all exits (advanced, moved back, rejected, withdrawn); applications still in the stage do not count.",
  },
];

export function FunnelReport({ range, definitions }: Props) {
  const { load } = useLoad(
    async () => jsonReport(await call(api().GET("/reports/funnel", { params: { query: range } }))),
    [],
  );
  return (
    <ReportSection
      id="funnel"
      title="Funnel"
      definition={definitions.get("/reports/funnel")}
      glossary={FUNNEL_GLOSSARY}
      csv={() =>
        api().GET("/reports/funnel", { params: { query: range }, headers: { Accept: "text/csv" }, parseAs: "blob" })
      }
    >
      <Loaded load={load} what="the funnel">
        {(r) => {
          const stages = r.overall.stages.filter((s) => s.stage !== "hired");
          const hired = r.overall.stages.find((s) => s.stage === "hired");
          return (
            <FunnelChart stages={stages} threshold={r.small_sample_threshold}>
              <Headline>
                {stages[0]?.entered ?? 0} entered the first stage; {hired?.entered ?? 0} hires stand.
              </Headline>
            </FunnelChart>
          );
        }}
      </Loaded>
    </ReportSection>
  );
}

function FunnelChart({
  stages,
  threshold,
  children,
}: {
  stages: Schemas["FunnelStage"][];
  threshold: number;
  children: ComponentChildren;
}) {
  const spec = useMemo<ChartSpec>(
    () => ({
      type: "bar",
      labels: stages.map((s) => stageName(s.stage)),
      yTitle: "pass-through",
      percent: true,
      series: [
        {
          label: "Pass-through",
          values: stages.map((s) => s.pass_through.value),
          small: stages.map((s) => s.pass_through.small_sample),
        },
      ],
    }),
    [stages],
  );
  const summary = `Bar chart of pass-through per stage: ${stages
    .map(
      (s) =>
        `${stageName(s.stage)} ${percent(s.pass_through.value)}${s.pass_through.small_sample ? " (small sample)" : ""}`,
    )
    .join(", ")}.`;
  return (
    <>
      {children}
      <Chart id="funnel" spec={spec} summary={summary} smallSampleThreshold={threshold} />
    </>
  );
}

function TrendChart(props: {
  id: string;
  labels: string[];
  series: ChartSeries[];
  yTitle: string;
  what: string;
  unit: string;
  threshold: number;
  children: ComponentChildren;
}) {
  const spec = useMemo<ChartSpec>(
    () => ({ type: "line", labels: props.labels, series: props.series, yTitle: props.yTitle }),
    [props.labels.join(), JSON.stringify(props.series)],
  );
  const main = props.series[0];
  const points = main
    ? main.values.map((v, i) => [props.labels[i], v, main.small?.[i]] as const).filter(([, v]) => v !== null)
    : [];
  const last = points[points.length - 1];
  const reference = props.series.find((s) => s.reference);
  const summary =
    `Line chart of ${props.what} per month, ${props.labels[0] ?? ""} to ${props.labels[props.labels.length - 1] ?? ""}: ` +
    (last
      ? `latest ${last[0]}: ${number(last[1])} ${props.unit}${last[2] ? " (small sample)" : ""}`
      : "no data in the window") +
    (reference ? `; ${reference.label}.` : ".");
  return (
    <>
      {props.children}
      <Chart id={props.id} spec={spec} summary={summary} smallSampleThreshold={props.threshold} />
    </>
  );
}
