// Rotating an event subscription's signing secret: the new one signs from now and is shown
// once; for the overlap (24 hours unless changed) the previous one signs too, so the receiver
// switches at its own pace (POST /event-subscriptions/{id}/rotate-secret).
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, localProblem, type ProblemInfo } from "../api";
import type { Subscription } from "../eventSubscriptions";
import { dateTime } from "../format";
import { TextField } from "./FormFields";
import { SecretShownOnce } from "./ShownOnce";
import { ProblemMessage } from "./Status";

const OVERLAP_RULE = "A number of hours from 0 to 168 (a week).";

export function RotateSecret({ subscription: s, onRotated }: { subscription: Subscription; onRotated: () => void }) {
  const [overlap, setOverlap] = useState("24");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [rotated, setRotated] = useState<{ secret: string; previousUntil: string | null } | null>(null);
  const error = fieldErrorsOf(problem)["overlap_hours"];

  async function submit(event: Event) {
    event.preventDefault();
    const text = overlap.trim();
    const hours = text === "" ? Number.NaN : Number(text);
    if (!(Number.isFinite(hours) && hours >= 0 && hours <= 168)) {
      setProblem(localProblem(OVERLAP_RULE, [{ loc: ["overlap_hours"], msg: OVERLAP_RULE }]));
      return;
    }
    setBusy(true);
    setProblem(null);
    setRotated(null);
    const result = await call(
      api().POST("/event-subscriptions/{subscription_id}/rotate-secret", {
        params: { path: { subscription_id: s.id } },
        body: { overlap_hours: hours },
      }),
    );
    setBusy(false);
    if (result.ok) {
      setRotated({ secret: result.data.secret, previousUntil: result.data.previous_secret_expires_at });
      onRotated();
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="rotate-heading">
      <form onSubmit={submit} aria-labelledby="rotate-heading" noValidate>
        <h2 id="rotate-heading">Rotate the signing secret</h2>
        <p class="hint">
          A new secret signs from now. For the overlap the previous one signs too (each delivery then carries two
          signatures), so the receiver can switch to the new one at its own pace.
        </p>
        <TextField
          id="rotate-overlap"
          label="Overlap, in hours"
          type="number"
          range={{ min: 0, max: 168, step: "any" }}
          hint="How long the previous secret keeps signing too: 0 to 168; 0 stops it now."
          value={overlap}
          onInput={setOverlap}
          error={error}
          autoComplete="off"
        />
        {problem && (
          <ProblemMessage
            problem={problem}
            title="The secret was not rotated."
            testId="rotate-problem"
            label={(loc) => (loc[0] === "overlap_hours" ? "Overlap" : null)}
          />
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Rotating…" : "Rotate the secret"}
          </button>
        </div>
      </form>
      {rotated && (
        <SecretShownOnce
          heading="The new signing secret: copy it now"
          note={`It is not shown again; if it is lost, rotate again. ${
            rotated.previousUntil
              ? `The previous secret signs too until ${dateTime(rotated.previousUntil)}: switch the receiver before then.`
              : "The previous secret stopped signing now: the receiver needs the new one at once."
          }`}
          label="Signing secret"
          value={rotated.secret}
          testId="secret-shown-once"
          onDone={() => setRotated(null)}
        />
      )}
    </section>
  );
}
