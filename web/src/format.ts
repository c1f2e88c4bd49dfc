// Words and numbers as people read them.
import type { Role, Schemas } from "./api";

export type Stage = Schemas["Stage"];
export type Rating = Schemas["Rating"];
export type Move = Schemas["Move"];
export type Figure = Schemas["Figure"];

export const STAGE_NAMES: Record<Stage, string> = {
  resume_screen: "Resume Screen",
  phone_screen: "Phone Screen",
  technical_interview: "Technical Interview",
  onsite_final: "On-site/Final",
  offer: "Offer",
  hired: "Hired",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

export function stageName(stage: string): string {
  return (STAGE_NAMES as Record<string, string>)[stage] ?? humanize(stage);
}

/** The 4-point scale, weakest first. */
export const RATINGS: readonly Rating[] = ["strong_no", "no", "yes", "strong_yes"];

export const RATING_NAMES: Record<Rating, string> = {
  strong_no: "Strong no",
  no: "No",
  yes: "Yes",
  strong_yes: "Strong yes",
};

/** The skills matrix scale (catalog.yaml): 0 none, 1 familiar, 2 proficient, 3 expert. */
export const SKILL_LEVELS: readonly { value: number; name: string }[] = [
  { value: 0, name: "0 None" },
  { value: 1, name: "1 Familiar" },
  { value: 2, name: "2 Proficient" },
  { value: 3, name: "3 Expert" },
];

export const ROLE_NAMES: Record<Role, string> = {
  admin: "Admin",
  recruiter: "Recruiter",
  hiring_manager: "Hiring manager",
  interviewer: "Interviewer",
};

/** "Hiring manager, Interviewer". */
export function roleNames(roles: readonly Role[]): string {
  return roles.map((role) => ROLE_NAMES[role]).join(", ");
}

export const MOVE_NAMES: Record<Move, string> = {
  apply: "Applied",
  advance: "Advanced",
  skip: "Skipped",
  reject: "Rejected",
  withdraw: "Withdrew",
  hire: "Hired",
  reopen: "Reopened",
  move_back: "Moved back",
};

export function humanize(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function dateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}

export function date(iso: string): string {
  return DATE.format(new Date(iso));
}

const UTC_DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** A calendar day the API names in UTC (a week's Monday), the same day in every time zone. */
export function utcDate(day: string): string {
  return UTC_DATE.format(new Date(`${day}T00:00:00Z`));
}

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** A moment soon: its time of day when it is today, else its date and time. */
export function soon(at: number, now: number = Date.now()): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? TIME.format(at) : DATE_TIME.format(at);
}

/** ["email", "chat"] → "email and chat". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const DAY_MS = 86_400_000;

export function daysSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / DAY_MS));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function days(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${value.toFixed(value >= 10 ? 0 : 1)} days`;
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${Math.round(value * 100)}%`;
}

export function number(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A figure's value as text, by its unit. */
export function figure(f: Figure | null | undefined): string {
  if (!f) return "—";
  if (f.unit === "ratio") return percent(f.value);
  if (f.unit === "days") return days(f.value);
  return number(f.value, 2);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** What each role may use, in a few words (the roles' checkboxes). */
export const ROLE_HINTS: Record<Role, string> = {
  admin: "people, tokens, webhooks, and everything else",
  recruiter: "every requisition, moves, scheduling, reports",
  hiring_manager: "their own requisitions and reports",
  interviewer: "their interviews and scorecards",
};

export const ALL_ROLES: readonly Role[] = ["admin", "recruiter", "hiring_manager", "interviewer"];

/** "Active", "Revoked 3 Mar 2027, 10:00", "Expired …": a token's state at `now`. */
export function tokenState(
  token: { revoked_at: string | null; expires_at: string | null },
  now: number,
): { active: boolean; text: string } {
  if (token.revoked_at) return { active: false, text: `Revoked ${dateTime(token.revoked_at)}` };
  if (token.expires_at && new Date(token.expires_at).getTime() <= now) {
    return { active: false, text: `Expired ${dateTime(token.expires_at)}` };
  }
  return { active: true, text: "Active" };
}

/** How a session was signed in: "API token" or the identity provider's key, in words. */
export function viaName(via: string): string {
  return via === "token" ? "API token" : humanize(via);
}

/** "Chrome on Linux" from a User-Agent header; the header itself (shortened) when unknown. */
export function browserName(userAgent: string): string {
  if (userAgent.trim() === "") return "Unknown browser";
  const browsers: [RegExp, string][] = [
    [/Edg\//, "Edge"],
    [/OPR\//, "Opera"],
    [/Firefox\//, "Firefox"],
    [/HeadlessChrome\//, "Chrome (headless)"],
    [/Chrom(e|ium)\//, "Chrome"],
    [/Version\/[\d.]+.*Safari\//, "Safari"],
  ];
  const systems: [RegExp, string][] = [
    [/Android/, "Android"],
    [/iPhone|iPad/, "iOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/CrOS/, "ChromeOS"],
    [/Linux/, "Linux"],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser === undefined) return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
  return system === undefined ? browser : `${browser} on ${system}`;
}
