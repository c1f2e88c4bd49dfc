// The typed client a frontend uses: paths and bodies come from schema.d.ts, generated from
// ../openapi.json (`npm run generate`); calls go through openapi-fetch.
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type Api = Client<paths>;
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** A client acting with one bearer token. */
export function apiClient(baseUrl: string, token?: string): Api {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
}

/** What every openapi-fetch call resolves to. */
export interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export class UnexpectedResponse extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${step}: HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/** The body of a successful call with the expected status, or an error naming what came back. */
export function expectStatus<T>(outcome: Outcome<T>, status: number, step: string): T {
  const { data, error, response } = outcome;
  if (response.status !== status || data === undefined) {
    throw new UnexpectedResponse(step, response.status, error ?? data);
  }
  return data;
}

/** The problem+json body of a refused call with the expected status and error code. */
export function expectProblem(
  outcome: Outcome<unknown>,
  status: number,
  code: Problem["code"],
  step: string,
): Problem {
  const { error, response } = outcome;
  const problem = error as Problem | undefined;
  if (response.status !== status || problem?.code !== code) {
    throw new UnexpectedResponse(step, response.status, error);
  }
  if (response.headers.get("content-type") !== "application/problem+json") {
    throw new UnexpectedResponse(step, response.status, "errors must be application/problem+json");
  }
  return problem;
}

/** The ETag a read or a move returned, to send back as If-Match on the next move. */
export function etagOf(response: Response, step: string): string {
  const etag = response.headers.get("ETag");
  if (etag === null) {
    throw new UnexpectedResponse(step, response.status, "no ETag header");
  }
  return etag;
}
