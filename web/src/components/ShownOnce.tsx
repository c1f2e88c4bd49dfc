// A secret shown this once (a new API token, an event subscription's signing secret): the API
// keeps no copy it will show again. Its heading takes focus when it appears, so a screen reader
// reads it at once.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

import type { IssuedToken } from "../api";
import { dateTime } from "../format";

export function ShownOnce({
  token,
  whose,
  onDone,
  children,
}: {
  token: IssuedToken;
  /** "Grace Hopper's", "Your" */
  whose: string;
  onDone: () => void;
  /** More to say about this token (what it is for). */
  children?: ComponentChildren;
}) {
  const lasts = token.expires_at ? `It works until ${dateTime(token.expires_at)}.` : "It never expires.";
  return (
    <SecretShownOnce
      heading={`${whose} new token${token.label ? ` “${token.label}”` : ""}: copy it now`}
      note={`Only its hash is stored, so nobody can show it again; if it is lost, revoke it and issue another. ${lasts}`}
      label="Token"
      value={token.token}
      testId="token-shown-once"
      onDone={onDone}
    >
      {children}
    </SecretShownOnce>
  );
}

export function SecretShownOnce({
  heading,
  note,
  label,
  value,
  testId,
  onDone,
  children,
}: {
  /** "Your new token: copy it now". */
  heading: string;
  /** Why it cannot be shown again and what to do if it is lost, after "It is shown this once." */
  note: string;
  /** The field's label, and the copy button's "Copy <label>" in lower case. */
  label: string;
  value: string;
  testId: string;
  onDone: () => void;
  children?: ComponentChildren;
}) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState("");

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied to the clipboard.");
    } catch {
      field.current?.select();
      setCopied(
        `The browser did not let the page copy: the ${label.toLowerCase()} is selected, copy it with your keyboard.`,
      );
    }
  }

  return (
    <section class="shown-once" aria-labelledby={`${id}-heading`} data-testid={testId}>
      <h3 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        {heading}
      </h3>
      <p id={`${id}-note`}>
        <strong>It is shown this once.</strong> {note}
      </p>
      {children}
      <div class="field">
        <label for={`${id}-value`}>{label}</label>
        <input
          id={`${id}-value`}
          ref={field}
          type="text"
          class="token-value"
          readOnly
          spellcheck={false}
          autoComplete="off"
          aria-describedby={`${id}-note`}
          value={value}
          onFocus={(e) => e.currentTarget.select()}
        />
      </div>
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          Copy {label.toLowerCase()}
        </button>
        <button type="button" class="button-secondary" onClick={onDone}>
          I have copied it: hide it
        </button>
      </div>
      <p role="status" class="hint">
        {copied}
      </p>
    </section>
  );
}
