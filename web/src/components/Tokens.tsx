// API tokens: the list (never the secrets) with Revoke, and the form that issues one, shown once.
// Used for a person by an admin (pages/Person.tsx) and for one's own (pages/Account.tsx).
import { useState } from "preact/hooks";

import { type ApiToken, type IssuedToken, localProblem, type ProblemInfo, type Result } from "../api";
import { dateTime, tokenState } from "../format";
import { useNow } from "../hooks";
import { ConfirmAction } from "./ConfirmAction";
import { type Expiry, ExpiryField, expiresAtOf, TextField } from "./FormFields";
import { ShownOnce } from "./ShownOnce";
import { Empty, ProblemMessage } from "./Status";
import { TableWrap } from "./TableWrap";

function nameOf(token: ApiToken): string {
  return token.label ? `“${token.label}”` : `starting ${token.prefix}`;
}

export function TokensTable({
  tokens,
  caption,
  onRevoke,
  revokeEffect,
}: {
  tokens: ApiToken[];
  caption: string;
  onRevoke: (token: ApiToken) => Promise<ProblemInfo | null>;
  /** What revoking does, for the confirmation ("Their scripts using it stop at once."). */
  revokeEffect: string;
}) {
  const now = useNow();
  if (tokens.length === 0) return <Empty>No tokens.</Empty>;
  return (
    <TableWrap label={caption}>
      <table data-testid="tokens">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Starts with</th>
            <th scope="col">Issued</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = tokenState(token, now);
            return (
              <tr key={token.id} data-testid={`token-${token.id}`}>
                <th scope="row">{token.label || <span class="muted">(no label)</span>}</th>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{dateTime(token.created_at)}</td>
                <td>{token.expires_at ? dateTime(token.expires_at) : "Never"}</td>
                <td>{token.last_used_at ? dateTime(token.last_used_at) : "Not yet"}</td>
                <td>{state.text}</td>
                <td>
                  {state.active && (
                    <ConfirmAction
                      label="Revoke"
                      labelDetail={` token ${nameOf(token)}`}
                      prompt={`Revoke the token ${nameOf(token)}? ${revokeEffect}`}
                      confirmLabel="Revoke now"
                      busyLabel="Revoking…"
                      failedTitle="The token was not revoked."
                      onConfirm={() => onRevoke(token)}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function IssueTokenForm({
  id,
  heading,
  intro,
  whose,
  allowNever,
  onIssue,
  onIssued,
}: {
  id: string;
  heading: string;
  intro: string;
  /** "Grace Hopper's", "Your": whose new token the shown-once box holds. */
  whose: string;
  allowNever: boolean;
  onIssue: (body: { label: string; expires_at?: string | null }) => Promise<Result<IssuedToken>>;
  onIssued: (token: IssuedToken) => void;
}) {
  const [label, setLabel] = useState("");
  const [expiry, setExpiry] = useState<Expiry>({ kind: "default" });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [dateError, setDateError] = useState<string | undefined>(undefined);
  const [issued, setIssued] = useState<IssuedToken | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const expires = expiresAtOf(expiry);
    if (!expires.ok) {
      setDateError(expires.error);
      setProblem(localProblem(expires.error));
      return;
    }
    setDateError(undefined);
    setBusy(true);
    setProblem(null);
    const result = await onIssue({ label: label.trim(), ...expires.body });
    setBusy(false);
    if (result.ok) {
      setIssued(result.data);
      setLabel("");
      setExpiry({ kind: "default" });
      onIssued(result.data);
    } else setProblem(result.problem);
  }

  const fieldName = (loc: (string | number)[]) =>
    loc[0] === "label" ? "Label" : loc[0] === "expires_at" ? "Expires" : null;
  return (
    <div class="subsection">
      <form onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
        <h3 id={`${id}-heading`}>{heading}</h3>
        <p class="hint">{intro}</p>
        <TextField
          id={`${id}-label`}
          label="Label"
          hint="What it is for, such as “ATS import script”: the list shows it."
          value={label}
          onInput={setLabel}
          error={problem?.fields.find((f) => f.loc[0] === "label")?.msg}
        />
        <ExpiryField
          id={`${id}-expiry`}
          expiry={expiry}
          onChange={(next) => {
            setExpiry(next);
            setDateError(undefined);
          }}
          allowNever={allowNever}
          error={dateError}
        />
        {problem && <ProblemMessage problem={problem} title="No token was issued." label={fieldName} />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Issuing…" : "Issue token"}
          </button>
        </div>
      </form>
      {issued && <ShownOnce token={issued} whose={whose} onDone={() => setIssued(null)} />}
    </div>
  );
}
