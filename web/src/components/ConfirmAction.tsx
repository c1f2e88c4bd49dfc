// An action that cannot be undone, asked twice: the button opens a short prompt that says what
// will happen, with the confirming button focused and a Cancel (or Escape) that gives focus back.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

import type { ProblemInfo } from "../api";
import { ProblemMessage } from "./Status";

export function ConfirmAction({
  label,
  labelDetail,
  prompt,
  confirmLabel,
  busyLabel,
  failedTitle,
  onConfirm,
  testId,
}: {
  /** The button's visible text ("Revoke"). */
  label: string;
  /** Read after the label by screen readers only, to tell rows apart (" token ci-script"). */
  labelDetail?: string;
  /** What will happen, in plain words. */
  prompt: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  failedTitle: string;
  /** Does it; null when done, else the problem to show. */
  onConfirm: () => Promise<ProblemInfo | null>;
  testId?: string;
}) {
  const promptId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const confirmer = useRef<HTMLButtonElement>(null);
  const focusOpener = useRef(false);

  useEffect(() => {
    if (open) confirmer.current?.focus();
    else if (focusOpener.current) {
      focusOpener.current = false;
      opener.current?.focus();
    }
  }, [open]);

  function cancel() {
    focusOpener.current = true;
    setProblem(null);
    setOpen(false);
  }

  async function confirm() {
    setBusy(true);
    setProblem(null);
    const failed = await onConfirm();
    setBusy(false);
    if (failed) setProblem(failed);
    else setOpen(false);
  }

  return (
    <div class="confirm-action" {...(testId ? { "data-testid": testId } : {})}>
      {open ? (
        <div
          class="confirm"
          role="group"
          aria-labelledby={promptId}
          onKeyDown={(e) => {
            if (e.key === "Escape" && !busy) cancel();
          }}
        >
          <p id={promptId}>{prompt}</p>
          <div class="actions">
            <button type="button" class="button-danger" ref={confirmer} disabled={busy} onClick={() => void confirm()}>
              {busy ? busyLabel : confirmLabel}
            </button>
            <button
              type="button"
              class="button-secondary button-small"
              disabled={busy}
              onClick={cancel}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="button-danger" ref={opener} onClick={() => setOpen(true)}>
          {label}
          {labelDetail && <span class="visually-hidden">{labelDetail}</span>}
        </button>
      )}
      {problem && <ProblemMessage problem={problem} title={failedTitle} />}
    </div>
  );
}
