// What an event subscription's deliveries did: its recent attempts (each POST, its outcome, the
// receiver's status and first bytes) and its deliveries (one per event, by status), a dead one
// with Replay (POST /outbox/messages/{id}/replay). Both newest first, a page at a time.
import { useRef, useState } from "preact/hooks";

import { api, call, type ProblemInfo } from "../api";
import {
  type Attempt,
  type Delivery,
  DELIVERY_STATUS_NAMES,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  deliveryStatusName,
  eventTypeName,
  outcomeName,
  type Subscription,
  when,
} from "../eventSubscriptions";
import { dateTime } from "../format";
import { useCursorPages, useLoad, useRefreshOn } from "../hooks";
import { Pager } from "./Pager";
import { Empty, Loaded, ProblemMessage } from "./Status";
import { TableWrap } from "./TableWrap";

function EventCell({ eventId, type }: { eventId: string | null; type: string }) {
  return (
    <>
      {eventTypeName(type)}
      {eventId && (
        <>
          <br />
          <code class="url">{eventId}</code>
        </>
      )}
    </>
  );
}

export function RecentAttempts({ subscription, generation }: { subscription: Subscription; generation: number }) {
  const pages = useCursorPages();
  const { load, refresh } = useLoad(
    () =>
      call(
        api().GET("/event-subscriptions/{subscription_id}/attempts", {
          params: {
            path: { subscription_id: subscription.id },
            query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) },
          },
        }),
      ),
    [subscription.id, pages.cursor],
  );
  useRefreshOn(generation, refresh);
  return (
    <section aria-labelledby="attempts-heading" data-testid="attempts">
      <h2 id="attempts-heading">Recent attempts</h2>
      <p class="hint">Each POST to the receiver, newest first: what it answered and what that made of the delivery.</p>
      <Loaded load={load} what="the attempts">
        {(page) =>
          page.items.length === 0 && pages.number === 1 ? (
            <Empty>No attempt yet: a worker sends what is queued.</Empty>
          ) : (
            <>
              <AttemptsTable attempts={page.items} />
              <Pager
                pages={pages}
                nextCursor={page.next_cursor}
                previousLabel="Newer attempts"
                nextLabel="Older attempts"
              />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function AttemptsTable({ attempts }: { attempts: Attempt[] }) {
  return (
    <TableWrap label="Recent attempts">
      <table>
        <caption>Recent attempts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Outcome</th>
            <th scope="col">HTTP status</th>
            <th scope="col">Duration (ms)</th>
            <th scope="col">Response excerpt</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.id} data-testid={`attempt-${a.id}`}>
              <th scope="row">{dateTime(a.started_at)}</th>
              <td>
                <EventCell eventId={a.event_id} type={a.event_type} />
              </td>
              <td>{a.attempt}</td>
              <td>{outcomeName(a.outcome)}</td>
              <td>{a.status_code ?? <span class="muted">none</span>}</td>
              <td>{a.duration_ms}</td>
              <td>{a.response_excerpt ? <code class="excerpt">{a.response_excerpt}</code> : ""}</td>
              <td>{a.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function Deliveries({
  subscription,
  generation,
  onReplayed,
}: {
  subscription: Subscription;
  generation: number;
  /** A dead delivery was queued again: the counts and the lists change. */
  onReplayed: () => void;
}) {
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const pages = useCursorPages();
  const { load, refresh } = useLoad(
    () =>
      call(
        api().GET("/event-subscriptions/{subscription_id}/deliveries", {
          params: {
            path: { subscription_id: subscription.id },
            query: { limit: 25, ...(status ? { status } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) },
          },
        }),
      ),
    [subscription.id, status, pages.cursor],
  );
  useRefreshOn(generation, refresh);
  const [done, setDone] = useState("");
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  // A replayed row loses its button: focus goes to the section's heading, not to the page's top.
  const heading = useRef<HTMLHeadingElement>(null);

  async function replay(delivery: Delivery) {
    if (busy !== null) return;
    setBusy(delivery.message_id);
    setDone("");
    setProblem(null);
    const result = await call(
      api().POST("/outbox/messages/{message_id}/replay", { params: { path: { message_id: delivery.message_id } } }),
    );
    setBusy(null);
    if (result.ok) {
      setDone(`The ${eventTypeName(delivery.event_type)} delivery is queued again, due now.`);
      heading.current?.focus();
      onReplayed();
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="deliveries-heading" data-testid="deliveries">
      <h2 id="deliveries-heading" ref={heading} tabIndex={-1}>
        Deliveries
      </h2>
      <p class="hint">
        One per event written for this subscription, newest first. A dead one went no further: replay it once the receiver
        is fixed (it keeps its event id, so a receiver that has it already drops it).
      </p>
      <div class="toolbar">
        <label for="deliveries-status">Show</label>
        <select
          id="deliveries-status"
          value={status}
          onChange={(e) => {
            setStatus(e.currentTarget.value as DeliveryStatus | "");
            pages.first();
          }}
        >
          <option value="">Every status</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {DELIVERY_STATUS_NAMES[s]}
            </option>
          ))}
        </select>
      </div>
      <Loaded load={load} what="the deliveries">
        {(page) =>
          page.items.length === 0 && pages.number === 1 ? (
            <Empty>{status ? `No delivery is ${DELIVERY_STATUS_NAMES[status].toLowerCase()}.` : "No event yet."}</Empty>
          ) : (
            <>
              <DeliveriesTable deliveries={page.items} busy={busy} onReplay={(d) => void replay(d)} />
              <Pager
                pages={pages}
                nextCursor={page.next_cursor}
                previousLabel="Newer deliveries"
                nextLabel="Older deliveries"
              />
            </>
          )
        }
      </Loaded>
      <p role="status" data-testid="deliveries-status-message">
        {done}
      </p>
      {problem && <ProblemMessage problem={problem} title="The delivery was not replayed." testId="replay-problem" />}
    </section>
  );
}

function DeliveriesTable({
  deliveries,
  busy,
  onReplay,
}: {
  deliveries: Delivery[];
  busy: number | null;
  onReplay: (delivery: Delivery) => void;
}) {
  return (
    <TableWrap label="Deliveries">
      <table>
        <caption>Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Written</th>
            <th scope="col">Error</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.message_id} data-testid={`delivery-${d.message_id}`}>
              <th scope="row">
                <EventCell eventId={d.event_id} type={d.event_type} />
              </th>
              <td>
                {deliveryStatusName(d.status)}
                {d.sent_at && <p class="hint">{dateTime(d.sent_at)}</p>}
              </td>
              <td>{d.attempts}</td>
              <td>{when(d.next_attempt_at)}</td>
              <td>{dateTime(d.created_at)}</td>
              <td>{d.error ?? ""}</td>
              <td>
                {d.status === "dead" && (
                  <button
                    type="button"
                    class="button-secondary button-small"
                    aria-disabled={busy !== null ? "true" : undefined}
                    onClick={() => onReplay(d)}
                  >
                    {busy === d.message_id ? "Replaying…" : "Replay"}
                    <span class="visually-hidden">
                      {" "}
                      {eventTypeName(d.event_type)} delivery {d.event_id ?? d.message_id}
                    </span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
