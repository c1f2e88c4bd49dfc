// What each role may use, as the API enforces it (docs/pipeline.md, "Users, roles and tokens").
import type { Role } from "./api";

export const can = {
  /** Moves, scheduling interviews: recruiters and admins. */
  recruit: (role: Role) => role === "admin" || role === "recruiter",
  /** Requisitions, boards, applications, candidates: all but interviewers (a hiring manager: their own). */
  readPipeline: (role: Role) => role !== "interviewer",
  /** The hiring lead's dashboard (reports): admins, recruiters, hiring managers. */
  readReports: (role: Role) => role !== "interviewer",
  /** Webhook status and replays, the users list. */
  administer: (role: Role) => role === "admin",
};

/** Where a role lands after signing in. */
export function homeOf(role: Role): string {
  if (role === "interviewer") return "#/interviews";
  if (role === "recruiter") return "#/requisitions";
  return "#/dashboard";
}
