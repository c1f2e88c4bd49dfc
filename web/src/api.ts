// The session and the API client. The browser holds no credential a script could read: the
// session is an HttpOnly cookie the API set at sign-in, sent by the browser on this origin. What
// the tab keeps in memory is the session's CSRF token (GET /auth/session), sent as X-CSRF-Token
// on every unsafe call. Every call goes through the generated client (openapi-fetch typed by
// `paths`), so an API change that breaks the UI fails `tsc --noEmit`.
import { apiClient, type Api, type Problem, type Schemas } from "../../openapi/client/src/client";

export type { Api, Problem, Schemas };
export type User = Schemas["UserPublic"];
export type Role = Schemas["Role"];
export type SessionInfo = Schemas["SessionInfo"];
export type ApiToken = Schemas["ApiTokenPublic"];
export type IssuedToken = Schemas["ApiTokenIssued"];
export type BrowserSession = Schemas["BrowserSessionPublic"];

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken: string | null = null;

/** Keeps what the tab needs of the session (its CSRF token); null when signed out. */
export function rememberSession(info: SessionInfo | null): void {
  csrfToken = info?.csrf_token ?? null;
  catalogCache = null;
}

type ExpiredHandler = (detail: string) => void;
let onExpired: ExpiredHandler | null = null;

/** Called when a call answers 401: the session ended (expired, revoked, signed out elsewhere). */
export function onSessionExpired(handler: ExpiredHandler | null): void {
  onExpired = handler;
}

function makeClient(watched: boolean): Api {
  const client = apiClient(window.location.origin);
  client.use({
    onRequest({ request }) {
      if (csrfToken !== null && UNSAFE.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken);
      return request;
    },
    async onResponse({ response }) {
      if (watched && response.status === 401 && csrfToken !== null) {
        const body = (await response.clone().json().catch(() => ({}))) as { detail?: unknown };
        onExpired?.(typeof body.detail === "string" ? body.detail : "Your session ended.");
      }
      return undefined;
    },
  });
  return client;
}

let watchedClient: Api | null = null;
let plainClient: Api | null = null;

/** The client of the signed-in tab: a 401 ends the tab's session and shows the sign-in page. */
export function api(): Api {
  watchedClient ??= makeClient(true);
  return watchedClient;
}

/** For signing in and checking the session: a 401 there is an answer, not an expiry. */
export function unwatchedApi(): Api {
  plainClient ??= makeClient(false);
  return plainClient;
}

/** A refused or failed call, in words a person can read. */
export interface ProblemInfo {
  status: number | null;
  code: string | null;
  detail: string;
  /** Field errors of a 422: where (the API's `loc`, without "body") and what. */
  fields: FieldProblem[];
  /** The whole problem+json body (some carry more: allowed_moves, pending_scorecards). */
  body: Record<string, unknown>;
}

export interface FieldProblem {
  loc: (string | number)[];
  msg: string;
}

export type Result<T> =
  | { ok: true; data: T; response: Response }
  | { ok: false; problem: ProblemInfo; response: Response | null };

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const STATUS_WORDS: Record<number, string> = {
  400: "The request was not understood.",
  401: "You are not signed in, or your token is no longer valid.",
  403: "Your role may not do this.",
  404: "It does not exist, or you may not see it.",
  409: "It conflicts with the current state.",
  412: "What you saw has changed since: reload it.",
  422: "Some fields are not valid.",
  500: "The server failed. Try again; if it persists, tell an admin.",
  503: "The service is unavailable for a moment. Try again shortly.",
};

function fieldOf(error: unknown): FieldProblem | null {
  if (!isRecord(error)) return null;
  const loc = (Array.isArray(error["loc"]) ? error["loc"] : []).filter(
    (part): part is string | number => typeof part === "string" || typeof part === "number",
  );
  // ["body", "ratings", "coding"]: where in the request is not news to a person
  const where = loc.filter((part) => !["body", "query", "path", "header", "draft"].includes(String(part)));
  return { loc: where, msg: typeof error["msg"] === "string" ? error["msg"] : "not valid" };
}

/** "ratings › coding: every criterion must be rated", or with the caller's names for places. */
export function fieldText(field: FieldProblem, label?: (loc: (string | number)[]) => string | null): string {
  const where = label?.(field.loc) ?? field.loc.join(" › ");
  return where ? `${where}: ${field.msg}` : field.msg;
}

export function problemOf(error: unknown, status: number | null): ProblemInfo {
  const body = isRecord(error) ? error : {};
  const detail =
    typeof body["detail"] === "string" && body["detail"] !== ""
      ? body["detail"]
      : typeof error === "string" && error.trim() !== "" && error.length < 300
        ? error
        : ((status !== null ? STATUS_WORDS[status] : undefined) ?? `The server answered ${status ?? "nothing"}.`);
  const fields = Array.isArray(body["errors"])
    ? body["errors"].map(fieldOf).filter((field): field is FieldProblem => field !== null)
    : [];
  const code = typeof body["code"] === "string" ? body["code"] : null;
  return { status, code, detail, fields, body };
}

const UNREACHABLE: ProblemInfo = {
  status: null,
  code: null,
  detail: "The server could not be reached. Check your connection, then try again.",
  fields: [],
  body: {},
};

/** A problem found before asking the API (an empty required field), shaped like the API's. */
export function localProblem(detail: string, fields: FieldProblem[] = []): ProblemInfo {
  return { status: null, code: null, detail, fields, body: {} };
}

/** A 422's field errors by the field's name in the body (`email`, `roles`), for the form to show. */
export function fieldErrorsOf(problem: ProblemInfo | null): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const field of problem?.fields ?? []) {
    const name = field.loc[0];
    // Pydantic's messages start in lower case ("value is not a valid email address: …").
    const msg = field.msg.charAt(0).toUpperCase() + field.msg.slice(1);
    if (name !== undefined && byField[String(name)] === undefined) byField[String(name)] = msg;
  }
  return byField;
}

/** Awaits an openapi-fetch call and sorts it into data or a readable problem. */
export async function call<T>(request: Promise<Outcome<T>>): Promise<Result<T>> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch {
    return { ok: false, problem: UNREACHABLE, response: null };
  }
  const { data, error, response } = outcome;
  if (response.ok && error === undefined) return { ok: true, data: data as T, response };
  return { ok: false, problem: problemOf(error, response.status), response };
}

/** Every page of a cursor-paginated list (capped, so a huge list cannot hang the tab). */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<Outcome<{ items: T[]; next_cursor?: string | null }>>,
  maxPages = 20,
): Promise<Result<T[]>> {
  const items: T[] = [];
  let cursor: string | undefined;
  let last: Response | null = null;
  for (let n = 0; n < maxPages; n += 1) {
    const result = await call(page(cursor));
    if (!result.ok) return result;
    last = result.response;
    items.push(...result.data.items);
    cursor = result.data.next_cursor ?? undefined;
    if (cursor === undefined) break;
  }
  return { ok: true, data: items, response: last as Response };
}

/** A UUID for Idempotency-Key (crypto.randomUUID needs a secure context; this does not). */
export function uuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Saves a Blob as a file (fetched with the session, so no credential goes in a URL). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** An application's ETag is its version, quoted (the If-Match description in openapi.json). */
export function etagOfVersion(version: number): string {
  return `"${version}"`;
}

/** A report answers JSON, or CSV when asked; the JSON calls treat a string as a failure. */
export function jsonReport<T>(result: Result<T | string>): Result<T> {
  if (!result.ok || typeof result.data !== "string") return result as Result<T>;
  const problem = { status: 200, code: null, detail: "The report came as CSV, not JSON.", fields: [], body: {} };
  return { ok: false, response: result.response, problem };
}

export type Catalog = Schemas["CatalogPublic"];
let catalogCache: { promise: Promise<Result<Catalog>> } | null = null;

/** The catalog (stages, sources, skills, role families), fetched once per session. */
export function catalog(): Promise<Result<Catalog>> {
  if (catalogCache === null) {
    const promise = call(api().GET("/catalog"));
    catalogCache = { promise };
    void promise.then((result) => {
      if (!result.ok && catalogCache?.promise === promise) catalogCache = null; // retry next time
    });
  }
  return catalogCache.promise;
}

/** The catalog's names for keys, with the key itself when the catalog is missing. */
export interface Names {
  roleFamily: (key: string) => string;
  source: (key: string) => string;
  skill: (key: string) => string;
}

export function namesFrom(result: Result<Catalog> | null): Names {
  const data = result?.ok ? result.data : null;
  const map = (items: { key: string; name: string }[] | undefined) =>
    new Map((items ?? []).map((i) => [i.key, i.name]));
  const families = map(data?.role_families);
  const sources = map(data?.sources);
  const skills = map(data?.skills);
  return {
    roleFamily: (key) => families.get(key) ?? key,
    source: (key) => sources.get(key) ?? (key === "other" ? "Other" : key),
    skill: (key) => skills.get(key) ?? key,
  };
}

/** An identity provider to sign in with: a button on the sign-in page. */
export interface IdentityProvider {
  key: string;
  name: string;
  /** Where the button goes: this service's own start of the provider's sign-in (same origin). */
  loginUrl: string;
}

export interface SignInOptions {
  providers: IdentityProvider[];
  /** Whether the development sign-in with a pasted API token is on. */
  tokenSignIn: boolean;
}

/**
 * How this deployment signs people in: `GET /auth/providers` (public, read before anyone is
 * signed in, so through the unwatched client). If the service cannot answer, the page offers the
 * token form alone and says nothing is lost. A provider's link must stay on this origin: the
 * service runs the flow, never the page, so a link elsewhere is not shown.
 */
export async function signInOptions(): Promise<SignInOptions> {
  const { data } = await unwatchedApi()
    .GET("/auth/providers")
    .catch(() => ({ data: undefined }));
  if (data === undefined) return { providers: [], tokenSignIn: true };
  const providers: IdentityProvider[] = [];
  for (const { key, name, login_url: loginUrl } of data.providers) {
    const url = sameOriginUrl(loginUrl);
    if (url !== null) providers.push({ key, name, loginUrl: url });
  }
  return { providers, tokenSignIn: data.token_sign_in };
}

function sameOriginUrl(value: string): string | null {
  try {
    const url = new URL(value, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}
