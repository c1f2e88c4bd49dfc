// Event subscriptions (events out): the types a subscription may ask for, in words, and what a
// subscription's state and deliveries say to a person (docs: the "events out" tag of the API).
import type { Schemas } from "./api";
import { dateTime } from "./format";

export type Subscription = Schemas["SubscriptionPublic"];
export type SubscriptionCreated = Schemas["SubscriptionCreated"];
export type EventType = Schemas["SubscribableType"];
export type Attempt = Schemas["AttemptPublic"];
export type Delivery = Schemas["EventDeliveryPublic"];
export type DeliveryStatus = Schemas["MessageStatus"];

/** Each event type in words; a type the API adds fails the type check here until it is named. */
export const EVENT_TYPE_NAMES: Record<EventType, { name: string; hint: string }> = {
  "application.moved": {
    name: "Application moved",
    hint: "every move: advanced, skipped, rejected, withdrew, reopened",
  },
  "application.hired": { name: "Application hired", hint: "when an application comes to stand in Hired" },
  "interview.scheduled": { name: "Interview scheduled", hint: "a new interview on the calendar" },
  "interview.rescheduled": { name: "Interview rescheduled", hint: "its time changed, with the previous one" },
  "interview.cancelled": { name: "Interview cancelled", hint: "called off" },
  "scorecard.submitted": { name: "Scorecard submitted", hint: "what a person outside the panel may see of it" },
  "stage.decision_suggested": {
    name: "Stage decision suggested",
    hint: "once a stage’s last scorecard is in: the suggested decision",
  },
  "requisition.filled": { name: "Requisition filled", hint: "the hire that brought it to headcount" },
};

/** What a subscription may ask for, in the API's order (a test event comes on demand only). */
export const SUBSCRIBABLE: readonly EventType[] = Object.keys(EVENT_TYPE_NAMES) as EventType[];

export function eventTypeName(type: string): string {
  if (type === "subscription.test") return "Test event";
  return (EVENT_TYPE_NAMES as Record<string, { name: string } | undefined>)[type]?.name ?? type;
}

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["queued", "sending", "sent", "dead"];

export const DELIVERY_STATUS_NAMES: Record<DeliveryStatus, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  dead: "Dead",
};

export function deliveryStatusName(status: string): string {
  return (DELIVERY_STATUS_NAMES as Record<string, string | undefined>)[status] ?? status;
}

/** What an attempt left its delivery as (the API's `outcome`: sent, retry or dead). */
export function outcomeName(outcome: string): string {
  return outcome === "retry" ? "Will retry" : deliveryStatusName(outcome);
}

/** "Enabled", "Disabled: the receiver failed for 5 days". */
export function stateWords(s: Subscription): string {
  if (s.enabled) return "Enabled";
  return s.disabled_reason ? `Disabled: ${s.disabled_reason}` : "Disabled";
}

export function failingWords(s: Subscription): string | null {
  return s.failing_since ? `Every attempt has failed since ${dateTime(s.failing_since)}.` : null;
}

/** Whether the secret before the last rotation signs too at `now` (the API keeps its end after it). */
export function previousSecretWords(s: Subscription, now: number): string {
  const until = s.previous_secret_expires_at;
  if (!until) return "None: one secret signs";
  return Date.parse(until) > now
    ? `Signs too until ${dateTime(until)}`
    : `None: one secret signs (the previous one stopped at ${dateTime(until)})`;
}

/** The deliveries by status, 0 for a status with none. */
export function counts(s: Subscription): Record<DeliveryStatus, number> {
  const d = s.deliveries;
  return { queued: d.queued ?? 0, sending: d.sending ?? 0, sent: d.sent ?? 0, dead: d.dead ?? 0 };
}

/** The subscription's name in headings and prompts: its description, else its URL. */
export function subscriptionName(s: Subscription): string {
  return s.description.trim() || s.url;
}

export function when(iso: string | null | undefined, none = "—"): string {
  return iso ? dateTime(iso) : none;
}
