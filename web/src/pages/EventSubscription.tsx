// One event subscription (admins): its state and deliveries by status; a test event, the replay
// of what went dead; its recent attempts and its deliveries (a dead one replayed from its row);
// enable or disable; change its fields; rotate its signing secret (components/RotateSecret.tsx);
// delete, asked twice.
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, type ProblemInfo } from "../api";
import { ConfirmAction } from "../components/ConfirmAction";
import { RotateSecret } from "../components/RotateSecret";
import { Loaded, PageTitle, ProblemMessage } from "../components/Status";
import { Deliveries, RecentAttempts } from "../components/SubscriptionActivity";
import {
  draftOf,
  draftProblem,
  type SubscriptionDraft,
  SubscriptionFields,
  subscriptionFieldName,
  summaryOf,
} from "../components/SubscriptionFields";
import {
  counts,
  eventTypeName,
  failingWords,
  previousSecretWords,
  stateWords,
  type Subscription,
  subscriptionName,
  when,
} from "../eventSubscriptions";
import { dateTime, plural } from "../format";
import { useLoad, useNow } from "../hooks";
import { href, navigate } from "../router";

export function EventSubscription({ id }: { id: number }) {
  const subscription = useLoad(
    () => call(api().GET("/event-subscriptions/{subscription_id}", { params: { path: { subscription_id: id } } })),
    [id],
  );
  // A test, a replay or the Refresh button: the counts, attempts and deliveries read again, in
  // place (the page stays, with what its sections are saying).
  const [generation, setGeneration] = useState(0);
  const refresh = () => {
    setGeneration((n) => n + 1);
    subscription.refresh();
  };
  const breadcrumb = (
    <p class="breadcrumb">
      <a href={href.admin()}>Admin</a> › <a href={href.eventSubscriptions()}>Event subscriptions</a>
    </p>
  );

  if (subscription.load.state !== "ready") {
    return (
      <>
        {breadcrumb}
        <PageTitle title="Event subscription">Event subscription</PageTitle>
        <Loaded load={subscription.load} what="this subscription">
          {() => null}
        </Loaded>
      </>
    );
  }
  const s = subscription.load.data;
  return (
    <>
      {breadcrumb}
      <PageTitle title={subscriptionName(s)}>{subscriptionName(s)}</PageTitle>
      <Facts subscription={s} />
      <TestAndReplay subscription={s} onRefresh={refresh} />
      <RecentAttempts subscription={s} generation={generation} />
      <Deliveries subscription={s} generation={generation} onReplayed={refresh} />
      <Enabled subscription={s} onChanged={subscription.set} />
      <ChangeSubscription key={s.id} subscription={s} onSaved={subscription.set} />
      <RotateSecret subscription={s} onRotated={subscription.refresh} />
      <DeleteSubscription subscription={s} />
    </>
  );
}

function Facts({ subscription: s }: { subscription: Subscription }) {
  const n = counts(s);
  const now = useNow();
  return (
    <dl class="facts" data-testid="subscription-facts">
      <div>
        <dt>URL</dt>
        <dd class="url">{s.url}</dd>
      </div>
      <div>
        <dt>Event types</dt>
        <dd>{s.event_types.map(eventTypeName).join(", ")}</dd>
      </div>
      <div>
        <dt>Candidate contact</dt>
        <dd>{s.include_candidate_contact ? "Name and email included" : "Ids only"}</dd>
      </div>
      <div>
        <dt>State</dt>
        <dd data-testid="subscription-state">{stateWords(s)}</dd>
      </div>
      <div>
        <dt>Failing since</dt>
        <dd>{failingWords(s) ?? "Not failing"}</dd>
      </div>
      <div>
        <dt>Deliveries</dt>
        <dd data-testid="subscription-counts">
          {n.queued} queued, {n.sending} sending, {n.sent} sent, {n.dead} dead
        </dd>
      </div>
      <div>
        <dt>Oldest undelivered</dt>
        <dd>{when(s.deliveries.oldest_undelivered_at, "None waiting")}</dd>
      </div>
      <div>
        <dt>Last delivered</dt>
        <dd>{when(s.deliveries.last_delivered_at, "Never")}</dd>
      </div>
      <div>
        <dt>Previous secret</dt>
        <dd data-testid="previous-secret">
          {previousSecretWords(s, now)}
        </dd>
      </div>
      <div>
        <dt>Added</dt>
        <dd>{dateTime(s.created_at)}</dd>
      </div>
    </dl>
  );
}

function TestAndReplay({
  subscription: s,
  onRefresh,
}: {
  subscription: Subscription;
  /** Read the counts and lists again: after a test or a replay, or when asked (workers send meanwhile). */
  onRefresh: () => void;
}) {
  const [busy, setBusy] = useState<"test" | "replay" | null>(null);
  const [outcome, setOutcome] = useState("");
  const [problem, setProblem] = useState<{ problem: ProblemInfo; title: string } | null>(null);

  async function sendTest() {
    setBusy("test");
    setOutcome("");
    setProblem(null);
    const result = await call(
      api().POST("/event-subscriptions/{subscription_id}/test", { params: { path: { subscription_id: s.id } } }),
    );
    setBusy(null);
    if (result.ok) {
      setOutcome(
        `Test event ${result.data.event_id ?? ""} queued: a worker sends it shortly, and its attempt shows under Recent attempts.`,
      );
      onRefresh();
    } else setProblem({ problem: result.problem, title: "No test event was sent." });
  }

  async function replayDead() {
    setBusy("replay");
    setOutcome("");
    setProblem(null);
    const result = await call(
      api().POST("/event-subscriptions/{subscription_id}/replay", { params: { path: { subscription_id: s.id } } }),
    );
    setBusy(null);
    if (result.ok) {
      setOutcome(
        `Queued ${plural(result.data.replayed, "dead delivery", "dead deliveries")} again; ${result.data.remaining} remain dead.`,
      );
      onRefresh();
    } else setProblem({ problem: result.problem, title: "Nothing was replayed." });
  }

  return (
    <section aria-labelledby="test-heading" data-testid="test-and-replay">
      <h2 id="test-heading">Test and replay</h2>
      <p class="hint">
        A test event (<code>subscription.test</code>) is signed like any other and goes even while the subscription is
        disabled, to check a receiver before enabling it. Replaying sends the dead deliveries again, oldest first, with
        their original event ids.
      </p>
      {!s.enabled && (
        <p class="warning" data-testid="replay-while-disabled">
          It is disabled: a replayed delivery (other than a test event) goes dead again at its next attempt. Enable it
          first.
        </p>
      )}
      <div class="actions">
        <button type="button" disabled={busy !== null} onClick={() => void sendTest()}>
          {busy === "test" ? "Sending…" : "Send a test event"}
        </button>
        <button type="button" class="button-secondary" disabled={busy !== null} onClick={() => void replayDead()}>
          {busy === "replay" ? "Replaying…" : "Replay dead deliveries"}
        </button>
        <button type="button" class="button-secondary" onClick={onRefresh}>
          Refresh attempts and deliveries
        </button>
      </div>
      <p role="status" data-testid="test-and-replay-outcome">
        {outcome}
      </p>
      {problem && <ProblemMessage problem={problem.problem} title={problem.title} testId="test-and-replay-problem" />}
    </section>
  );
}

function Enabled({ subscription: s, onChanged }: { subscription: Subscription; onChanged: (s: Subscription) => void }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [problem, setProblem] = useState<ProblemInfo | null>(null);

  async function setEnabled(enabled: boolean) {
    if (busy) return;
    setBusy(true);
    setDone("");
    setProblem(null);
    const result = await call(
      api().PATCH("/event-subscriptions/{subscription_id}", {
        params: { path: { subscription_id: s.id } },
        body: { enabled },
      }),
    );
    setBusy(false);
    if (result.ok) {
      onChanged(result.data);
      setDone(enabled ? "Enabled: events are written for it again." : "Disabled: no new event is written for it.");
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="enabled-heading" data-testid="enabled">
      <h2 id="enabled-heading">Enabled</h2>
      <p>
        {s.enabled
          ? "Events of its types are written for it as they happen. Disabling stops that; what is already queued goes dead at its next attempt, and can be replayed."
          : `${stateWords(s)}. No event is written for it. Enabling it again sends the events from then on (not those missed), and clears the reason.`}
      </p>
      <div class="actions">
        <button
          type="button"
          class="button-secondary"
          aria-disabled={busy ? "true" : undefined}
          onClick={() => void setEnabled(!s.enabled)}
        >
          {s.enabled ? "Disable" : "Enable"}
          <span class="visually-hidden"> the subscription</span>
        </button>
      </div>
      <p role="status" data-testid="enabled-status">
        {done}
      </p>
      {problem && <ProblemMessage problem={problem} title="Nothing was changed." testId="enabled-problem" />}
    </section>
  );
}

function ChangeSubscription({
  subscription: s,
  onSaved,
}: {
  subscription: Subscription;
  onSaved: (s: Subscription) => void;
}) {
  const [draft, setDraft] = useState<SubscriptionDraft>(() => draftOf(s));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [saved, setSaved] = useState("");
  const errors = fieldErrorsOf(problem);

  async function submit(event: Event) {
    event.preventDefault();
    setSaved("");
    const missing = draftProblem(draft);
    if (missing) {
      setProblem(missing);
      return;
    }
    // Only what changed: an unchanged URL is not checked again.
    const url = draft.url.trim();
    const description = draft.description.trim();
    const sameTypes =
      draft.eventTypes.length === s.event_types.length && draft.eventTypes.every((t) => s.event_types.includes(t));
    const body = {
      ...(url !== s.url ? { url } : {}),
      ...(description !== s.description ? { description } : {}),
      ...(sameTypes ? {} : { event_types: draft.eventTypes }),
      ...(draft.includeContact !== s.include_candidate_contact
        ? { include_candidate_contact: draft.includeContact }
        : {}),
    };
    if (Object.keys(body).length === 0) {
      setProblem(null);
      setSaved("Nothing to save: no field was changed.");
      return;
    }
    setBusy(true);
    setProblem(null);
    const result = await call(
      api().PATCH("/event-subscriptions/{subscription_id}", { params: { path: { subscription_id: s.id } }, body }),
    );
    setBusy(false);
    if (result.ok) {
      onSaved(result.data);
      setDraft(draftOf(result.data));
      setSaved("Saved.");
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="change-heading">
      <form onSubmit={submit} aria-labelledby="change-heading" noValidate>
        <h2 id="change-heading">Change the subscription</h2>
        <SubscriptionFields id="edit-subscription" draft={draft} onChange={setDraft} errors={errors} />
        {problem && (
          <ProblemMessage
            problem={summaryOf(problem)}
            title="Nothing was changed."
            testId="change-problem"
            label={subscriptionFieldName}
          />
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
        </div>
        <p role="status" data-testid="change-status">
          {saved}
        </p>
      </form>
    </section>
  );
}

function DeleteSubscription({ subscription: s }: { subscription: Subscription }) {
  return (
    <section aria-labelledby="delete-heading" data-testid="delete">
      <h2 id="delete-heading">Delete</h2>
      <p>
        Nothing more is written or sent to it; what is still queued goes dead. To stop for a while, disable it instead.
      </p>
      <ConfirmAction
        label="Delete subscription"
        labelDetail={` ${subscriptionName(s)}`}
        prompt={`Delete the subscription to ${s.url}? Its secret is gone with it: subscribing the URL again gives a new one. This cannot be undone.`}
        confirmLabel="Delete it now"
        busyLabel="Deleting…"
        failedTitle="The subscription was not deleted."
        onConfirm={async () => {
          const result = await call(
            api().DELETE("/event-subscriptions/{subscription_id}", { params: { path: { subscription_id: s.id } } }),
          );
          if (!result.ok) return result.problem;
          navigate(href.eventSubscriptions(), true);
          return null;
        }}
        testId="delete-subscription"
      />
    </section>
  );
}
