// A scorecard's content as the form holds it, and back to the API's body.
import type { Schemas } from "./api";
import type { Rating } from "./format";

export type Kit = Schemas["InterviewKitPublic"];
export type Scorecard = Schemas["ScorecardPublic"];
export type ScorecardBody = Schemas["ScorecardDraft"];

export interface Content {
  ratings: Record<string, Rating>;
  skills: Record<string, number>;
  /** question_id → note */
  notes: Record<number, string>;
  recommendation: Rating | null;
  summary: string;
}

/** A skill of the requisition's target profile (level 1–3), as the form rates it. */
export interface ProfileSkill {
  key: string;
  name: string;
  target: number;
}

/** What the form needs to name things: criteria, skills, questions. */
export interface Names {
  criteria: Map<string, string>;
  skills: Map<string, string>;
  questions: Map<number, string>;
}

export function contentOf(source: ScorecardBody): Content {
  const notes: Record<number, string> = {};
  for (const note of source.question_notes ?? []) notes[note.question_id] = note.note;
  return {
    ratings: { ...(source.ratings ?? {}) },
    skills: { ...(source.skill_ratings ?? {}) },
    notes,
    recommendation: source.recommendation ?? null,
    summary: source.summary ?? "",
  };
}

export function bodyOf(content: Content): ScorecardBody {
  const question_notes = Object.entries(content.notes)
    .filter(([, note]) => note.trim() !== "")
    .map(([id, note]) => ({ question_id: Number(id), note }));
  return {
    ratings: content.ratings,
    skill_ratings: content.skills,
    question_notes,
    recommendation: content.recommendation,
    summary: content.summary,
  };
}

export function namesOf(kit: Kit | null, profile: ProfileSkill[]): Names {
  return {
    criteria: new Map((kit?.criteria ?? []).map((c) => [c.key, c.name])),
    skills: new Map(profile.map((s) => [s.key, s.name])),
    questions: new Map((kit?.questions ?? []).map((q) => [q.question_id, q.text])),
  };
}

/** Names the places of a 422's field errors as the form shows them ("Coding", not ratings › coding). */
export function fieldLabel(names: Names): (loc: (string | number)[]) => string | null {
  return ([first, second]) => {
    if (first === "ratings" && typeof second === "string") return names.criteria.get(second) ?? second;
    if (first === "skill_ratings" && typeof second === "string") return `Skill ${names.skills.get(second) ?? second}`;
    if (first === "question_notes") return "Note on a question";
    if (first === "recommendation") return "Overall recommendation";
    if (first === "summary") return "Summary";
    if (first === "reason") return "Reason for the amendment";
    return null;
  };
}
