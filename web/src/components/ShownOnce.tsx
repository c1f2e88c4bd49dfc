// A new API token, shown this once: only its hash is stored, so no page can show it again.
// Its heading takes focus when it appears, so a screen reader reads it at once.
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
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState("");
  const lasts = token.expires_at ? `It works until ${dateTime(token.expires_at)}.` : "It never expires.";

  useEffect(() => {
    heading.current?.focus();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied("Copied to the clipboard.");
    } catch {
      field.current?.select();
      setCopied("The browser did not let the page copy: the token is selected, copy it with your keyboard.");
    }
  }

  return (
    <section class="shown-once" aria-labelledby={`${id}-heading`} data-testid="token-shown-once">
      <h3 id={`${id}-heading`} ref={heading} tabIndex={-1}>
        {whose} new token{token.label ? ` “${token.label}”` : ""}: copy it now
      </h3>
      <p id={`${id}-note`}>
        <strong>It is shown this once.</strong> Only its hash is stored, so nobody can show it again; if it is lost,
        revoke it and issue another. {lasts}
      </p>
      {children}
      <div class="field">
        <label for={`${id}-token`}>Token</label>
        <input
          id={`${id}-token`}
          ref={field}
          type="text"
          class="token-value"
          readOnly
          spellcheck={false}
          autoComplete="off"
          aria-describedby={`${id}-note`}
          value={token.token}
          onFocus={(e) => e.currentTarget.select()}
        />
      </div>
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          Copy token
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
