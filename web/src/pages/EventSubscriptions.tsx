// Event subscriptions (admins): every URL our events are POSTed to, with its state and its
// deliveries by status, and the form that subscribes one; its signing secret is shown once.
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, type ProblemInfo } from "../api";
import { CheckboxField } from "../components/FormFields";
import { Pager } from "../components/Pager";
import { SecretShownOnce } from "../components/ShownOnce";
import { Empty, Loaded, PageTitle, ProblemMessage } from "../components/Status";
import {
  draftProblem,
  EMPTY_DRAFT,
  type SubscriptionDraft,
  SubscriptionFields,
  subscriptionFieldName,
  summaryOf,
} from "../components/SubscriptionFields";
import { TableWrap } from "../components/TableWrap";
import {
  counts,
  eventTypeName,
  failingWords,
  stateWords,
  type Subscription,
  type SubscriptionCreated,
  subscriptionName,
  when,
} from "../eventSubscriptions";
import { useCursorPages, useLoad } from "../hooks";
import { href } from "../router";

export function EventSubscriptions() {
  const [generation, setGeneration] = useState(0);
  return (
    <>
      <p class="breadcrumb">
        <a href={href.admin()}>Admin</a>
      </p>
      <PageTitle title="Event subscriptions">Event subscriptions</PageTitle>
      <p>
        The URLs this service POSTs its events to (moves, hires, interviews, scorecards, fills), each signed with the
        subscription’s secret per Standard Webhooks. Open one to change it, send a test event, rotate its secret, see its
        attempts, or replay what went dead.
      </p>
      <AddSubscription onAdded={() => setGeneration((n) => n + 1)} />
      <SubscriptionsList generation={generation} />
    </>
  );
}

function AddSubscription({ onAdded }: { onAdded: () => void }) {
  const [draft, setDraft] = useState<SubscriptionDraft>(EMPTY_DRAFT);
  const [enabled, setEnabled] = useState(true);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [added, setAdded] = useState<SubscriptionCreated | null>(null);
  const errors = fieldErrorsOf(problem);

  async function submit(event: Event) {
    event.preventDefault();
    const missing = draftProblem(draft);
    if (missing) {
      setProblem(missing);
      return;
    }
    setBusy(true);
    setProblem(null);
    setAdded(null);
    const result = await call(
      api().POST("/event-subscriptions", {
        body: {
          url: draft.url.trim(),
          description: draft.description.trim(),
          event_types: draft.eventTypes,
          include_candidate_contact: draft.includeContact,
          enabled,
        },
      }),
    );
    setBusy(false);
    if (result.ok) {
      setAdded(result.data);
      setDraft(EMPTY_DRAFT);
      setEnabled(true);
      onAdded();
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="add-subscription-heading">
      <form onSubmit={submit} aria-labelledby="add-subscription-heading" noValidate>
        <h2 id="add-subscription-heading">Add a subscription</h2>
        <SubscriptionFields id="new-subscription" draft={draft} onChange={setDraft} errors={errors} />
        <CheckboxField
          id="new-subscription-enabled"
          label="Enabled"
          hint="Events are written for it from now on. Unchecked, nothing is sent until you enable it (a test event still is)."
          checked={enabled}
          onChange={setEnabled}
        />
        {problem && (
          <ProblemMessage
            problem={summaryOf(problem)}
            title="No subscription was added."
            testId="add-subscription-problem"
            label={subscriptionFieldName}
          />
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add subscription"}
          </button>
        </div>
      </form>
      {added && (
        <>
          <p class="notice" role="status" data-testid="subscription-added">
            Subscribed {added.url}.{" "}
            <a href={href.eventSubscription(added.id)}>Open the subscription {subscriptionName(added)}</a>
          </p>
          <SecretShownOnce
            heading="Its signing secret: copy it now"
            note="The receiver verifies each delivery’s webhook-signature with it. It is not shown again; if it is lost, rotate it on the subscription’s page."
            label="Signing secret"
            value={added.secret}
            testId="secret-shown-once"
            onDone={() => setAdded(null)}
          />
        </>
      )}
    </section>
  );
}

function SubscriptionsList({ generation }: { generation: number }) {
  const pages = useCursorPages();
  const { load } = useLoad(
    () =>
      call(
        api().GET("/event-subscriptions", {
          params: { query: { limit: 50, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
    [pages.cursor, generation],
  );
  return (
    <section aria-labelledby="subscriptions-heading" data-testid="subscriptions">
      <h2 id="subscriptions-heading">Subscriptions</h2>
      <Loaded load={load} what="the subscriptions">
        {(page) =>
          page.items.length === 0 && pages.number === 1 ? (
            <Empty>No subscription yet: events go nowhere.</Empty>
          ) : (
            <>
              <SubscriptionsTable subscriptions={page.items} caption={`Event subscriptions, page ${pages.number}`} />
              <Pager
                pages={pages}
                nextCursor={page.next_cursor}
                previousLabel="Previous subscriptions"
                nextLabel="Next subscriptions"
              />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function SubscriptionsTable({ subscriptions, caption }: { subscriptions: Subscription[]; caption: string }) {
  return (
    <TableWrap label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Description</th>
            <th scope="col">Event types</th>
            <th scope="col">State</th>
            <th scope="col">Queued</th>
            <th scope="col">Sending</th>
            <th scope="col">Sent</th>
            <th scope="col">Dead</th>
            <th scope="col">Oldest undelivered</th>
            <th scope="col">Last delivered</th>
          </tr>
        </thead>
        <tbody>
          {subscriptions.map((s) => {
            const n = counts(s);
            const failing = failingWords(s);
            return (
              <tr key={s.id} class={s.enabled ? undefined : "inactive"} data-testid={`subscription-${s.id}`}>
                <th scope="row" class="url">
                  <a href={href.eventSubscription(s.id)}>{s.url}</a>
                </th>
                <td>{s.description || <span class="muted">(none)</span>}</td>
                <td>{s.event_types.map(eventTypeName).join(", ")}</td>
                <td>
                  {stateWords(s)}
                  {failing && <p class="hint">{failing}</p>}
                </td>
                <td>{n.queued}</td>
                <td>{n.sending}</td>
                <td>{n.sent}</td>
                <td>{n.dead}</td>
                <td>{when(s.deliveries.oldest_undelivered_at, "None waiting")}</td>
                <td>{when(s.deliveries.last_delivered_at, "Never")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
