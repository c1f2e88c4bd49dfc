// Fields of the people forms: a labelled input with its hint and its error, the roles as
// checkboxes, and a token's expiry. A field's error (from a 422, by field) is tied to it by
// aria-describedby and marks it aria-invalid; the form's summary lists them all as well.
import type { Role } from "../api";
import { ALL_ROLES, ROLE_HINTS, ROLE_NAMES } from "../format";

export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === "string" && id !== "");
  return present.length > 0 ? present.join(" ") : undefined;
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={id} class="field-error">
      {error}
    </p>
  );
}

export function TextField({
  id,
  label,
  value,
  onInput,
  hint,
  error,
  type = "text",
  autoComplete,
  range,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string | undefined;
  type?: "text" | "email" | "date" | "url" | "number";
  autoComplete?: string;
  /** A number field's bounds and step. */
  range?: { min: number; max: number; step: number | "any" };
}) {
  const common = {
    id,
    name: id,
    value,
    ...(autoComplete ? { autoComplete } : {}),
    "aria-describedby": describedBy(hint && `${id}-hint`, error && `${id}-error`),
    "aria-invalid": error ? ("true" as const) : undefined,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {type === "date" ? (
        <input type="date" {...common} />
      ) : type === "email" ? (
        <input type="email" {...common} />
      ) : type === "url" ? (
        <input type="url" {...common} />
      ) : type === "number" ? (
        <input type="number" inputMode="decimal" {...(range ?? {})} {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** The roles as checkboxes, in the order of ALL_ROLES; at least one is the API's rule too. */
export function RolesField({
  id,
  roles,
  onChange,
  error,
}: {
  id: string;
  roles: readonly Role[];
  onChange: (roles: Role[]) => void;
  error?: string | undefined;
}) {
  function toggle(role: Role, on: boolean) {
    onChange(ALL_ROLES.filter((r) => (r === role ? on : roles.includes(r))));
  }
  return (
    <fieldset aria-describedby={describedBy(`${id}-hint`, error && `${id}-error`)}>
      <legend>Roles</legend>
      <p id={`${id}-hint`} class="hint">
        At least one. A person may hold several, such as a hiring manager who also interviews.
      </p>
      {ALL_ROLES.map((role) => (
        <div class="checkbox" key={role}>
          <input
            type="checkbox"
            id={`${id}-${role}`}
            checked={roles.includes(role)}
            aria-describedby={`${id}-${role}-hint`}
            aria-invalid={error ? "true" : undefined}
            onChange={(e) => toggle(role, e.currentTarget.checked)}
          />
          <label for={`${id}-${role}`}>{ROLE_NAMES[role]}</label>
          <span id={`${id}-${role}-hint`} class="hint">
            ({ROLE_HINTS[role]})
          </span>
        </div>
      ))}
      <FieldError id={`${id}-error`} error={error} />
    </fieldset>
  );
}

/** One yes-or-no choice: a checkbox, its label beside it, its hint tied to it. */
export function CheckboxField({
  id,
  label,
  checked,
  onChange,
  hint,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  return (
    <div class="field">
      <div class="checkbox">
        <input
          type="checkbox"
          id={id}
          name={id}
          checked={checked}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
        <label for={id}>{label}</label>
      </div>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

export type Expiry = { kind: "default" } | { kind: "date"; date: string } | { kind: "never" };

/** The body's `expires_at`: omitted for the default, null for never; or what is wrong. */
export function expiresAtOf(
  expiry: Expiry,
  now: Date = new Date(),
): { ok: true; body: { expires_at?: string | null } } | { ok: false; error: string } {
  if (expiry.kind === "default") return { ok: true, body: {} };
  if (expiry.kind === "never") return { ok: true, body: { expires_at: null } };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry.date);
  if (!match) return { ok: false, error: "Choose the day the token stops working." };
  // The end of that day, in the person's own time zone.
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  if (Number.isNaN(end.getTime()) || end.getTime() <= now.getTime()) {
    return { ok: false, error: "Choose today or a later day." };
  }
  return { ok: true, body: { expires_at: end.toISOString() } };
}

export function ExpiryField({
  id,
  expiry,
  onChange,
  allowNever,
  error,
}: {
  id: string;
  expiry: Expiry;
  onChange: (expiry: Expiry) => void;
  allowNever: boolean;
  error?: string | undefined;
}) {
  const choices: { value: Expiry["kind"]; label: string }[] = [
    { value: "default", label: "After the default lifetime" },
    { value: "date", label: "On a day I choose" },
    ...(allowNever ? [{ value: "never" as const, label: "Never" }] : []),
  ];
  const date = expiry.kind === "date" ? expiry.date : "";
  return (
    <>
      <RadioGroup
        id={`${id}-kind`}
        legend="Expires"
        hint="The default is this deployment's lifetime for tokens; the token's end date shows once it is issued."
        choices={choices}
        value={expiry.kind}
        onChange={(kind) => onChange(kind === "date" ? { kind: "date", date } : { kind })}
      />
      {expiry.kind === "date" && (
        <TextField
          id={`${id}-date`}
          label="Last day it works"
          type="date"
          hint="It stops working at the end of that day, in your time zone."
          value={date}
          error={error}
          onInput={(value) => onChange({ kind: "date", date: value })}
        />
      )}
    </>
  );
}

/** One choice of several: a fieldset named by its legend, a radio each (one Tab stop, arrows inside). */
export function RadioGroup<T extends string>({
  id,
  legend,
  hint,
  choices,
  value,
  onChange,
}: {
  /** The radios' name; each radio's id is `<id>-<value>`. */
  id: string;
  legend: string;
  hint?: string;
  choices: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset role="radiogroup" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      <div class="radio-options">
        {choices.map((choice) => (
          <div class="radio" key={choice.value}>
            <input
              type="radio"
              id={`${id}-${choice.value}`}
              name={id}
              checked={value === choice.value}
              onChange={() => onChange(choice.value)}
            />
            <label for={`${id}-${choice.value}`}>{choice.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
