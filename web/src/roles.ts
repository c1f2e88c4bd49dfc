// What each role may use, as the API enforces it (docs/pipeline.md, "Users, roles and tokens").
// A person may hold several roles: each question asks whether they hold one that may.
import type { Role } from "./api";

const holds = (roles: readonly Role[], ...wanted: Role[]) => wanted.some((role) => roles.includes(role));

export const can = {
  /** Moves, scheduling interviews, reminding a panelist of a late scorecard: recruiters and admins. */
  recruit: (roles: readonly Role[]) => holds(roles, "admin", "recruiter"),
  /** Requisitions, boards, applications, candidates: all but interviewers (a hiring manager: their own). */
  readPipeline: (roles: readonly Role[]) => holds(roles, "admin", "recruiter", "hiring_manager"),
  /** The hiring lead's dashboard (reports): admins, recruiters, hiring managers. */
  readReports: (roles: readonly Role[]) => holds(roles, "admin", "recruiter", "hiring_manager"),
  /** People, webhook status and replays, event subscriptions. */
  administer: (roles: readonly Role[]) => holds(roles, "admin"),
};

/** Where a person lands after signing in: the page of their widest role. */
export function homeOf(roles: readonly Role[]): string {
  if (holds(roles, "admin", "hiring_manager")) return "#/dashboard";
  if (holds(roles, "recruiter")) return "#/requisitions";
  return "#/interviews";
}
