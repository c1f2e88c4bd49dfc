// The fields of an event subscription, for adding one and for changing it: the URL, what it is
// for, the event types as checkboxes, and whether bodies carry the candidate's name and email.
// Errors come by field (a 422's, or one found before asking) and are tied to their control.
import { type FieldProblem, localProblem, type ProblemInfo } from "../api";
import { EVENT_TYPE_NAMES, type EventType, SUBSCRIBABLE, type Subscription } from "../eventSubscriptions";
import { CheckboxField, describedBy, FieldError, TextField } from "./FormFields";

export interface SubscriptionDraft {
  url: string;
  description: string;
  eventTypes: EventType[];
  includeContact: boolean;
}

export const EMPTY_DRAFT: SubscriptionDraft = { url: "", description: "", eventTypes: [], includeContact: false };

export function draftOf(s: Subscription): SubscriptionDraft {
  return {
    url: s.url,
    description: s.description,
    eventTypes: [...s.event_types],
    includeContact: s.include_candidate_contact,
  };
}

/** The API's names for the body's fields, as the form labels them. */
export const SUBSCRIPTION_FIELD_NAMES: Record<string, string> = {
  url: "URL",
  description: "Description",
  event_types: "Event types",
  include_candidate_contact: "Include candidate contact",
  enabled: "Enabled",
};

export function subscriptionFieldName(loc: (string | number)[]): string | null {
  return SUBSCRIPTION_FIELD_NAMES[String(loc[0])] ?? null;
}

/** What is wrong before asking the API (an empty URL, no event type), or null. */
export function draftProblem(draft: SubscriptionDraft): ProblemInfo | null {
  const fields: FieldProblem[] = [];
  if (draft.url.trim() === "") fields.push({ loc: ["url"], msg: "Enter the URL events are POSTed to." });
  if (draft.eventTypes.length === 0) fields.push({ loc: ["event_types"], msg: "Choose at least one event type." });
  return fields.length > 0 ? localProblem("Some fields are not valid.", fields) : null;
}

export function SubscriptionFields({
  id,
  draft,
  onChange,
  errors,
}: {
  /** The form's prefix for its controls' ids. */
  id: string;
  draft: SubscriptionDraft;
  onChange: (draft: SubscriptionDraft) => void;
  /** By the body's field name (fieldErrorsOf). */
  errors: Record<string, string>;
}) {
  return (
    <>
      <TextField
        id={`${id}-url`}
        label="URL"
        type="url"
        hint="Where events are POSTed: https (http only for a receiver on this machine, in development)."
        value={draft.url}
        onInput={(url) => onChange({ ...draft, url })}
        error={errors["url"]}
        autoComplete="off"
      />
      <TextField
        id={`${id}-description`}
        label="Description"
        hint="What receives them, such as “HRIS sync”: the list shows it."
        value={draft.description}
        onInput={(description) => onChange({ ...draft, description })}
        error={errors["description"]}
        autoComplete="off"
      />
      <EventTypesField
        id={`${id}-types`}
        types={draft.eventTypes}
        onChange={(eventTypes) => onChange({ ...draft, eventTypes })}
        error={errors["event_types"]}
      />
      <CheckboxField
        id={`${id}-contact`}
        label="Include candidate contact"
        hint="Add the candidate’s name and email to bodies that name a candidate; without it they carry ids only. Never for an erased candidate."
        checked={draft.includeContact}
        onChange={(includeContact) => onChange({ ...draft, includeContact })}
      />
    </>
  );
}

/** The event types as checkboxes, in the API's order; at least one is the API's rule too. */
function EventTypesField({
  id,
  types,
  onChange,
  error,
}: {
  id: string;
  types: readonly EventType[];
  onChange: (types: EventType[]) => void;
  error: string | undefined;
}) {
  function toggle(type: EventType, on: boolean) {
    onChange(SUBSCRIBABLE.filter((t) => (t === type ? on : types.includes(t))));
  }
  return (
    <fieldset aria-describedby={describedBy(`${id}-hint`, error && `${id}-error`)}>
      <legend>Event types</legend>
      <p id={`${id}-hint`} class="hint">
        At least one. A test event is sent on demand from the subscription’s page, whatever is chosen here.
      </p>
      {SUBSCRIBABLE.map((type) => {
        const box = `${id}-${type.replace(".", "-")}`;
        return (
          <div class="checkbox" key={type}>
            <input
              type="checkbox"
              id={box}
              checked={types.includes(type)}
              aria-describedby={`${box}-hint`}
              aria-invalid={error ? "true" : undefined}
              onChange={(e) => toggle(type, e.currentTarget.checked)}
            />
            <label for={box}>{EVENT_TYPE_NAMES[type].name}</label>
            <span id={`${box}-hint`} class="hint">
              (<code>{type}</code>: {EVENT_TYPE_NAMES[type].hint})
            </span>
          </div>
        );
      })}
      <FieldError id={`${id}-error`} error={error} />
    </fieldset>
  );
}

/**
 * The problem as the form's summary says it: a refusal of the service's own (422 unsafe_target:
 * "The subscription URL … is a loopback or private address.") by its detail, whose field error
 * shows at the field too; the schema's 422 by the list of its fields.
 */
export function summaryOf(problem: ProblemInfo): ProblemInfo {
  return problem.code !== null && problem.code !== "validation_failed" ? { ...problem, fields: [] } : problem;
}
