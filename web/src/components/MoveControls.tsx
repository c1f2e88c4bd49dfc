// The moves an application allows (its `allowed_moves`), each a button; a move is sent with the
// If-Match ETag of the version shown, and a refusal is explained where the buttons are.
import { useState } from "preact/hooks";

import { api, call, etagOfVersion, fieldText, type ProblemInfo, type Result, type Schemas } from "../api";
import { stageName } from "../format";

type Application = Schemas["ApplicationPublic"];
type MoveKind = "advance" | "skip" | "reject" | "withdraw" | "hire";

const BUTTONS: Record<MoveKind, string> = {
  advance: "Advance",
  skip: "Skip",
  reject: "Reject",
  withdraw: "Withdraw",
  hire: "Hire",
};

function isMoveKind(move: string): move is MoveKind {
  return move in BUTTONS;
}

interface Props {
  application: Application;
  /** The ETag the view is based on (getApplication's header, or the list's version). */
  etag: string;
  /** A unique prefix for ids (a board shows many cards). */
  idPrefix: string;
  onUpdate: (application: Application, etag: string) => void;
}

interface Form {
  move: MoveKind;
  reason: string;
  toStage: string;
  override: boolean;
}

export function MoveControls({ application, etag, idPrefix, onUpdate }: Props) {
  const [form, setForm] = useState<Form | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ProblemInfo | null>(null);
  const moves = application.allowed_moves.filter((m) => isMoveKind(m.move));

  async function send(f: Form) {
    setBusy(true);
    setRefusal(null);
    const result = await move(application.id, etag, f);
    setBusy(false);
    if (result.ok) {
      setForm(null);
      onUpdate(result.data, result.response.headers.get("ETag") ?? etagOfVersion(result.data.version));
    } else {
      setRefusal(result.problem);
      if (result.problem.code === "scorecards_pending") setForm({ ...f, override: true });
    }
  }

  async function reloadCard() {
    setBusy(true);
    const result = await call(
      api().GET("/applications/{application_id}", { params: { path: { application_id: application.id } } }),
    );
    setBusy(false);
    if (result.ok) {
      setRefusal(null);
      setForm(null);
      onUpdate(result.data, result.response.headers.get("ETag") ?? etagOfVersion(result.data.version));
    } else setRefusal(result.problem);
  }

  function start(kind: MoveKind) {
    const allowed = moves.find((m) => m.move === kind);
    const next: Form = { move: kind, reason: "", toStage: allowed?.to_stages[0] ?? "", override: false };
    setRefusal(null);
    // Advance and hire go at once; the others need a reason (and a skip its target) first.
    if ((kind === "advance" || kind === "hire") && !allowed?.reason_required) void send(next);
    else setForm(next);
  }

  if (moves.length === 0 && !refusal) return <p class="muted">No moves: the application has ended.</p>;

  const needsReason = form !== null && (form.override || form.move !== "advance");
  const reasonId = `${idPrefix}-reason`;
  const stageId = `${idPrefix}-to-stage`;
  const skipStages = moves.find((m) => m.move === "skip")?.to_stages ?? [];

  return (
    <div class="moves">
      <div class="move-buttons" role="group" aria-label="Moves">
        {moves.map((m) => (
          <button
            type="button"
            key={m.move}
            class={m.move === "reject" || m.move === "withdraw" ? "button-danger" : "button-small"}
            disabled={busy}
            aria-pressed={form?.move === m.move ? "true" : undefined}
            onClick={() => start(m.move as MoveKind)}
          >
            {BUTTONS[m.move as MoveKind]}
          </button>
        ))}
      </div>
      {refusal && <Refusal problem={refusal} busy={busy} onReload={reloadCard} />}
      {form && (
        <form
          class="move-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(form);
          }}
        >
          {form.move === "skip" && (
            <div class="field">
              <label for={stageId}>Skip to</label>
              <select
                id={stageId}
                value={form.toStage}
                onChange={(e) => setForm({ ...form, toStage: e.currentTarget.value })}
              >
                {skipStages.map((s) => (
                  <option key={s} value={s}>
                    {stageName(s)}
                  </option>
                ))}
              </select>
            </div>
          )}
          {needsReason && (
            <div class="field">
              <label for={reasonId}>
                {form.override ? "Reason for moving on without them" : `Reason to ${form.move}`}
              </label>
              <input
                id={reasonId}
                type="text"
                required
                value={form.reason}
                onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })}
              />
            </div>
          )}
          <div class="actions">
            <button type="submit" disabled={busy || (needsReason && form.reason.trim() === "")}>
              {form.override ? `${BUTTONS[form.move]} anyway` : `Confirm ${form.move}`}
            </button>
            <button type="button" class="button-secondary" disabled={busy} onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** The pending-scorecards refusal for people: the API's detail names its request field. */
function pendingText(problem: ProblemInfo): string {
  const pending = typeof problem.body["pending_scorecards"] === "number" ? problem.body["pending_scorecards"] : null;
  const count = pending === null ? "Some scorecards" : pending === 1 ? "1 scorecard" : `${pending} scorecards`;
  return `${count} of this stage's interviews ${pending === 1 ? "is" : "are"} not submitted yet.`;
}

/** A refusal in plain words: the problem's detail, then what to do about it. */
function Refusal({ problem, busy, onReload }: { problem: ProblemInfo; busy: boolean; onReload: () => void }) {
  const allowed = Array.isArray(problem.body["allowed_moves"]) ? (problem.body["allowed_moves"] as unknown[]) : null;
  return (
    <div class="problem" role="alert" data-testid="move-refusal">
      <p>{problem.code === "scorecards_pending" ? pendingText(problem) : problem.detail}</p>
      {problem.fields.length > 0 && (
        <ul>
          {problem.fields.map((f) => (
            <li key={fieldText(f)}>{fieldText(f)}</li>
          ))}
        </ul>
      )}
      {problem.code === "stale_version" && (
        <p>Someone moved it since you loaded it. Reload to see where it is now, then decide again.</p>
      )}
      {problem.code === "illegal_stage_move" && allowed !== null && allowed.length === 0 && (
        <p>The application has ended: no move is left.</p>
      )}
      {problem.code === "scorecards_pending" && (
        <p>Wait for the panel, or move on anyway: give a reason below and it is recorded with the move.</p>
      )}
      {(problem.code === "stale_version" || problem.code === "illegal_stage_move") && (
        <button type="button" class="button-small" disabled={busy} onClick={onReload}>
          Reload card
        </button>
      )}
    </div>
  );
}

function move(id: number, etag: string, f: Form): Promise<Result<Application>> {
  const params = { path: { application_id: id }, header: { "If-Match": etag } };
  const reason = f.reason.trim();
  switch (f.move) {
    case "advance":
      return call(
        api().POST("/applications/{application_id}/advance", {
          params,
          body: f.override ? { override_pending_scorecards: true, reason } : reason ? { reason } : {},
        }),
      );
    case "skip":
      return call(
        api().POST("/applications/{application_id}/skip", {
          params,
          body: { to_stage: f.toStage as Schemas["Stage"], reason, override_pending_scorecards: f.override },
        }),
      );
    case "reject":
      return call(api().POST("/applications/{application_id}/reject", { params, body: { reason } }));
    case "withdraw":
      return call(api().POST("/applications/{application_id}/withdraw", { params, body: { reason } }));
    case "hire":
      return call(api().POST("/applications/{application_id}/hire", { params, body: reason ? { reason } : {} }));
  }
}
