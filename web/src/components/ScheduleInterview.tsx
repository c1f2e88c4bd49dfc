// Scheduling an interview of the application's current stage: when, and who sits on the panel.
import { useState } from "preact/hooks";

import { allPages, api, call, type ProblemInfo, type Schemas } from "../api";
import { dateTime, stageName, utcDate } from "../format";
import { useLoad } from "../hooks";
import { CapWarning, type InterviewerLoad, LoadBadge, mondayOf, useWeekLoad, weekWords } from "./InterviewerLoad";
import { Loading, ProblemMessage } from "./Status";

type Interview = Schemas["InterviewPublic"];

/**
 * Interviewers come from `GET /users?role=interviewer` (admins and recruiters). Another role
 * gets 403, and then picks from the people already on this application's panels and may add
 * others by user id. Beside each name, their interviews in the chosen week (Monday to Sunday,
 * UTC) against their weekly cap; picking one at the cap asks for the reason to go past it, as
 * does a 409 `interviewer_over_cap` (someone scheduled them meanwhile).
 */
export function ScheduleInterview({
  applicationId,
  stage,
  known,
  onScheduled,
}: {
  applicationId: number;
  stage: string;
  known: Map<number, string>;
  onScheduled: (interview: Interview) => void;
}) {
  const users = useLoad(
    () =>
      allPages((cursor) =>
        api().GET("/users", { params: { query: { role: "interviewer", limit: 200, ...(cursor ? { cursor } : {}) } } }),
      ),
    [],
  );
  const [when, setWhen] = useState("");
  const [minutes, setMinutes] = useState("");
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [extraIds, setExtraIds] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [done, setDone] = useState<Interview | null>(null);
  const [reason, setReason] = useState("");
  const [refusedOver, setRefusedOver] = useState(false);
  const chosen = when ? new Date(when) : null;
  const monday = mondayOf(chosen && !Number.isNaN(chosen.getTime()) ? chosen : new Date());
  const week = weekWords(monday);
  const load = useWeekLoad(monday);
  const full = [...picked]
    .map((id) => load.byId.get(id))
    .filter((l): l is InterviewerLoad => l !== undefined && l.full);
  const needsReason = full.length > 0 || refusedOver;

  const choices: [number, string][] =
    users.load.state === "ready"
      ? users.load.data.filter((u) => u.is_active).map((u) => [u.id, `${u.name} (${u.email})`])
      : [...known.entries()];
  const listForbidden = users.load.state === "error";

  function toggle(id: number, on: boolean) {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  }

  async function submit(event: Event) {
    event.preventDefault();
    const extra = extraIds
      .split(/[\s,]+/)
      .filter((part) => part !== "")
      .map(Number);
    const ids = [...new Set([...picked, ...extra])];
    const bad = extra.some((n) => !Number.isInteger(n) || n < 1);
    const local = !when
      ? "Choose the date and time."
      : bad
        ? "User ids are whole numbers, separated by commas."
        : ids.length === 0
          ? "Pick at least one interviewer."
          : needsReason && reason.trim() === ""
            ? "Give the reason for going past the weekly cap, or pick someone else."
            : null;
    if (local) {
      setProblem({ status: null, code: null, detail: local, fields: [], body: {} });
      return;
    }
    setBusy(true);
    setProblem(null);
    setDone(null);
    const result = await call(
      api().POST("/applications/{application_id}/interviews", {
        params: { path: { application_id: applicationId } },
        body: {
          scheduled_at: new Date(when).toISOString(), // the local time entered, as UTC
          interviewer_ids: ids,
          ...(minutes ? { duration_minutes: Number(minutes) } : {}),
          ...(needsReason ? { load_override_reason: reason.trim() } : {}),
        },
      }),
    );
    setBusy(false);
    load.reload();
    if (result.ok) {
      setDone(result.data);
      setPicked(new Set());
      setExtraIds("");
      setReason("");
      setRefusedOver(false);
      onScheduled(result.data);
    } else {
      setProblem(result.problem);
      if (result.problem.code === "interviewer_over_cap") setRefusedOver(true);
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby="schedule-heading" class="schedule" noValidate>
      <h2 id="schedule-heading">Schedule an interview</h2>
      <p class="hint">An interview of the current stage, {stageName(stage)}.</p>
      <div class="field">
        <label for="schedule-when">Date and time</label>
        <input id="schedule-when" type="datetime-local" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="schedule-minutes">Duration in minutes (empty: the stage's)</label>
        <input
          id="schedule-minutes"
          type="number"
          min={1}
          inputMode="numeric"
          value={minutes}
          onInput={(e) => setMinutes(e.currentTarget.value)}
        />
      </div>
      <fieldset>
        <legend>Interviewers</legend>
        {load.ready && (
          <p class="hint" data-testid="load-week">
            Interviews each already has in the week from Monday {utcDate(monday)} to Sunday (UTC), against their
            weekly cap.
          </p>
        )}
        {users.load.state === "loading" && <Loading what="the interviewers" />}
        {listForbidden && (
          <p class="hint">
            The list of users is for admins and recruiters. Pick from the people on this application's earlier panels, or enter
            user ids.
          </p>
        )}
        {choices.length === 0 && users.load.state !== "loading" && <p class="empty">No interviewer to pick from.</p>}
        {choices.map(([id, label]) => (
          <div class="checkbox" key={id}>
            <input
              type="checkbox"
              id={`interviewer-${id}`}
              checked={picked.has(id)}
              aria-describedby={load.byId.has(id) ? `interviewer-load-${id}` : undefined}
              onChange={(e) => toggle(id, e.currentTarget.checked)}
            />
            <label for={`interviewer-${id}`}>{label}</label>{" "}
            <LoadBadge load={load.byId.get(id)} id={`interviewer-load-${id}`} />
          </div>
        ))}
        {listForbidden && (
          <div class="field">
            <label for="schedule-ids">Other interviewers' user ids (comma-separated)</label>
            <input id="schedule-ids" type="text" value={extraIds} onInput={(e) => setExtraIds(e.currentTarget.value)} />
          </div>
        )}
      </fieldset>
      <CapWarning full={full} week={week} />
      {needsReason && (
        <div class="field">
          <label for="schedule-load-reason">Reason for going past the weekly cap</label>
          <input
            id="schedule-load-reason"
            type="text"
            maxLength={500}
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
      )}
      {problem && (
        <ProblemMessage problem={problem} title="The interview was not scheduled." testId="schedule-problem" />
      )}
      {done && (
        <p class="notice" role="status">
          Scheduled: {stageName(done.stage)} on {dateTime(done.scheduled_at)} with{" "}
          {done.interviewers.map((i) => i.name).join(", ")}
          {done.load_overrides.length > 0 ? "; past the weekly cap, with your reason recorded" : ""}.
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Scheduling…" : "Schedule interview"}
        </button>
      </div>
    </form>
  );
}
