// What the dashboard asks each report for: a window of dates, and the index of report definitions.
import type { Schemas } from "./api";

export interface Window {
  date_from: string;
  date_to: string;
}

export type Definitions = Map<string, Schemas["ReportDefinition"]>;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The last `months` calendar months, this one included (UTC, as the reports count). */
export function windowOf(months: number, now = new Date()): Window {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + 1, 1));
  return { date_from: isoDay(start), date_to: isoDay(end) };
}
