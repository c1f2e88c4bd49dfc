// Writing a scorecard: the draft, autosaved while typing (debounced PUT), then Submit; once
// submitted, an amendment (a new version, with a reason).
import { useEffect, useRef, useState } from "preact/hooks";

import { api, call, fieldText, type ProblemInfo, uuid } from "../api";
import {
  bodyOf,
  type Content,
  contentOf,
  fieldLabel,
  type Kit,
  namesOf,
  type ProfileSkill,
  type Scorecard,
} from "../scorecard";
import { ScorecardFields } from "./ScorecardFields";
import { ProblemMessage } from "./Status";

const AUTOSAVE_MS = 800;

type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; problem: ProblemInfo };

interface EditorProps {
  interviewId: number;
  scorecard: Scorecard;
  kit: Kit;
  profile: ProfileSkill[];
  onSubmitted: () => void;
}

export function DraftEditor({ interviewId, scorecard, kit, profile, onSubmitted }: EditorProps) {
  const [content, setContent] = useState<Content>(() => contentOf(scorecard));
  const [save, setSave] = useState<SaveState>(scorecard.status === "draft" ? { kind: "saved" } : { kind: "idle" });
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const latest = useRef(content);
  const timer = useRef<number | undefined>(undefined);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const submitKey = useRef<{ key: string; body: string } | null>(null);

  function saveNow(): Promise<void> {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    const body = bodyOf(latest.current);
    // One PUT at a time, in order: the last one carries the latest content.
    queue.current = queue.current.then(async () => {
      setSave({ kind: "saving" });
      const result = await call(
        api().PUT("/interviews/{interview_id}/scorecard", { params: { path: { interview_id: interviewId } }, body }),
      );
      if (timer.current !== undefined) return; // more typing since: the next save reports
      setSave(result.ok ? { kind: "saved" } : { kind: "error", problem: result.problem });
    });
    return queue.current;
  }

  function change(next: Content) {
    latest.current = next;
    setContent(next);
    setProblem(null);
    setSave({ kind: "saving" });
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void saveNow(), AUTOSAVE_MS);
  }

  // Leaving the page with a save pending: send it now rather than lose it.
  useEffect(
    () => () => {
      if (timer.current !== undefined) void saveNow();
    },
    [],
  );

  async function submit(event: Event) {
    event.preventDefault();
    window.clearTimeout(timer.current);
    timer.current = undefined;
    await queue.current;
    const body = bodyOf(latest.current);
    const text = JSON.stringify(body);
    // A retry of the same content reuses its key: the API then submits it once at most.
    if (submitKey.current?.body !== text) submitKey.current = { key: uuid(), body: text };
    setSubmitting(true);
    setProblem(null);
    const result = await call(
      api().POST("/interviews/{interview_id}/scorecard/submit", {
        params: { path: { interview_id: interviewId }, header: { "Idempotency-Key": submitKey.current.key } },
        body,
      }),
    );
    setSubmitting(false);
    if (result.ok) onSubmitted();
    else setProblem(result.problem);
  }

  const statusText =
    save.kind === "saving"
      ? "Saving…"
      : save.kind === "saved"
        ? "Saved"
        : save.kind === "error"
          ? `Not saved: ${
              save.problem.fields.length > 0
                ? save.problem.fields.map((f) => fieldText(f, fieldLabel(namesOf(kit, profile)))).join("; ")
                : save.problem.detail
            }`
          : "Not started: your changes are saved as a draft while you type.";

  return (
    <form onSubmit={submit} aria-labelledby="scorecard-heading" noValidate>
      <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
        {statusText}
      </p>
      <ScorecardFields
        idPrefix="draft"
        kit={kit}
        profile={profile}
        value={content}
        onChange={change}
        disabled={submitting}
      />
      {problem && (
        <ProblemMessage
          problem={problem}
          title="The scorecard was not submitted."
          testId="submit-problem"
          label={fieldLabel(namesOf(kit, profile))}
        />
      )}
      <div class="actions">
        <button type="submit" disabled={submitting}>
          {submitting ? "Submitting…" : "Submit scorecard"}
        </button>
      </div>
    </form>
  );
}

export function AmendEditor({
  interviewId,
  scorecard,
  kit,
  profile,
  onDone,
  onCancel,
}: EditorProps & { onDone: () => void; onCancel: () => void }) {
  const [content, setContent] = useState<Content>(() => contentOf(scorecard));
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (reason.trim() === "") {
      setProblem({
        status: null,
        code: null,
        detail: "Say why you amend it: the reason is kept with the new version.",
        fields: [],
        body: {},
      });
      return;
    }
    setBusy(true);
    setProblem(null);
    const result = await call(
      api().POST("/interviews/{interview_id}/scorecard/amendments", {
        params: { path: { interview_id: interviewId } },
        body: { ...bodyOf(content), reason: reason.trim() },
      }),
    );
    setBusy(false);
    if (result.ok) onDone();
    else setProblem(result.problem);
  }

  return (
    <form onSubmit={submit} aria-label="Amend your scorecard" noValidate>
      <p class="hint">
        An amendment records version {scorecard.version + 1}; version {scorecard.version} stays readable in the history.
      </p>
      <ScorecardFields
        idPrefix="amend"
        kit={kit}
        profile={profile}
        value={content}
        onChange={setContent}
        disabled={busy}
      />
      <div class="field">
        <label for="amend-reason">Reason for the amendment</label>
        <textarea
          id="amend-reason"
          rows={2}
          required
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      {problem && (
        <ProblemMessage
          problem={problem}
          title="The amendment was not recorded."
          testId="amend-problem"
          label={fieldLabel(namesOf(kit, profile))}
        />
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Submitting…" : "Submit amendment"}
        </button>
        <button type="button" class="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel amendment
        </button>
      </div>
    </form>
  );
}
