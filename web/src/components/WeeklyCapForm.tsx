// A person's own weekly interview cap (admins, on the person's page): PATCH /users/{id}
// `interviewer_weekly_cap`; empty gives them the deployment's cap again.
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, localProblem, type ProblemInfo, type User } from "../api";
import { TextField } from "./FormFields";
import { ProblemMessage } from "./Status";

export function capWords(cap: number | null | undefined): string {
  return cap === null || cap === undefined ? "The deployment's" : `${cap} a week`;
}

export function WeeklyCapForm({ user, onSaved }: { user: User; onSaved: (user: User) => void }) {
  const [cap, setCap] = useState(user.interviewer_weekly_cap === null ? "" : String(user.interviewer_weekly_cap));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [saved, setSaved] = useState("");
  const error = fieldErrorsOf(problem)["interviewer_weekly_cap"];

  async function submit(event: Event) {
    event.preventDefault();
    const text = cap.trim();
    const value = text === "" ? null : Number(text);
    if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= 100)) {
      const msg = "A whole number from 0 to 100, or empty for the deployment's.";
      setProblem(localProblem(msg, [{ loc: ["interviewer_weekly_cap"], msg }]));
      return;
    }
    setBusy(true);
    setProblem(null);
    setSaved("");
    const result = await call(
      api().PATCH("/users/{user_id}", {
        params: { path: { user_id: user.id } },
        body: { interviewer_weekly_cap: value },
      }),
    );
    setBusy(false);
    if (result.ok) {
      onSaved(result.data);
      setSaved(`Saved: ${capWords(result.data.interviewer_weekly_cap)}.`);
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="cap-heading">
      <form onSubmit={submit} aria-labelledby="cap-heading" noValidate>
        <h2 id="cap-heading">Weekly interview cap</h2>
        <TextField
          id="edit-weekly-cap"
          label="Most interviews a week"
          hint="Monday to Sunday, UTC. Past it, scheduling them needs a reason. Empty: the deployment's cap; 0: none (on leave)."
          value={cap}
          onInput={setCap}
          error={error}
          autoComplete="off"
        />
        {problem && <ProblemMessage problem={problem} title="Nothing was changed." testId="cap-problem" />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save weekly cap"}
          </button>
        </div>
        <p role="status" data-testid="cap-status">
          {saved}
        </p>
      </form>
    </section>
  );
}
