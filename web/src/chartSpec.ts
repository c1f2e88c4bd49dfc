// What a chart shows, independent of Chart.js (which only the dashboard loads, lazily).
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Per point: built on fewer cases than the small-sample threshold. */
  small?: boolean[];
  /** A market reference line (dashed, no points). */
  reference?: boolean;
}

export interface ChartSpec {
  type: "line" | "bar";
  labels: string[];
  series: ChartSeries[];
  yTitle: string;
  /** Values are ratios 0–1, shown as percentages. */
  percent?: boolean;
}

export const SERIES_COLOURS = ["#1d4ed8", "#047857", "#6d28d9"];
export const REFERENCE_COLOUR = "#b91c1c";
