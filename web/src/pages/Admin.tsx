// Admin: the ATS webhook inbox (backlog, oldest pending, dead) with replays. People (users,
// roles, tokens, sessions) have their own page, pages/People.tsx; the events we send out,
// pages/EventSubscriptions.tsx.
import { useState } from "preact/hooks";

import { api, call, type ProblemInfo, type Schemas } from "../api";
import { Empty, Loaded, PageTitle, ProblemMessage } from "../components/Status";
import { duration, humanize, plural } from "../format";
import { useLoad } from "../hooks";
import { TableWrap } from "../components/TableWrap";
import { href } from "../router";

type ReplayStatus = "dead" | "failed";

export function Admin() {
  return (
    <>
      <PageTitle title="Admin">Admin</PageTitle>
      <p>
        People, their roles, tokens and sessions are on the <a href={href.people()}>People</a> page; the URLs our
        events are sent to, on the <a href={href.eventSubscriptions()}>Event subscriptions</a> page.
      </p>
      <WebhookStatus />
    </>
  );
}

function WebhookStatus() {
  const { load, reload } = useLoad(() => call(api().GET("/webhooks/status")), []);
  const [busy, setBusy] = useState<ReplayStatus | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);

  async function replay(status: ReplayStatus) {
    setBusy(status);
    setOutcome(null);
    setProblem(null);
    const result = await call(api().POST("/webhooks/deliveries/replay", { params: { query: { status } } }));
    setBusy(null);
    if (result.ok) {
      setOutcome(
        `Queued ${plural(result.data.replayed, `${status} delivery`, `${status} deliveries`)} for the workers; ${result.data.remaining} remain ${status}.`,
      );
      reload();
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="webhooks-heading" data-testid="webhook-status">
      <h2 id="webhooks-heading">ATS webhooks</h2>
      <Loaded load={load} what="the webhook status">
        {(s) => (
          <>
            <dl class="stats">
              <Stat label="Backlog" value={String(s.backlog)} hint="Received or pending: the workers will take them." />
              <Stat
                label="Oldest pending"
                value={duration(s.oldest_backlog_age_seconds)}
                hint="Age of the oldest delivery in the backlog."
              />
              <Stat
                label="Dead"
                value={String(s.dead)}
                hint="Gave up after the last attempt: replay them once fixed."
              />
              <Stat label="Need a person" value={String(s.needs_attention)} hint="Unmapped, failed or dead." />
              <Stat label="Waiting to retry" value={String(s.retrying)} hint="Failed once; a retry is due." />
              <Stat
                label="Apply lag, last hour"
                value={`p50 ${duration(s.apply_lag.p50_seconds)}, p99 ${duration(s.apply_lag.p99_seconds)}`}
                hint={`${plural(s.apply_lag.count, "delivery", "deliveries")} applied.`}
              />
            </dl>
            <StatusCounts counts={s.counts} />
          </>
        )}
      </Loaded>
      <div class="actions">
        {(["dead", "failed"] as const).map((status) => (
          <button type="button" key={status} disabled={busy !== null} onClick={() => void replay(status)}>
            {busy === status ? "Replaying…" : `Replay ${status} deliveries`}
          </button>
        ))}
      </div>
      <p role="status" data-testid="replay-outcome">
        {outcome ?? ""}
      </p>
      {problem && <ProblemMessage problem={problem} title="Nothing was replayed." />}
    </section>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd>
        <span class="stat-value">{value}</span>
        <span class="hint">{hint}</span>
      </dd>
    </div>
  );
}

function StatusCounts({ counts }: { counts: Schemas["WebhookStatus"]["counts"] }) {
  const sources = Object.keys(counts);
  const statuses = [...new Set(sources.flatMap((source) => Object.keys(counts[source] ?? {})))].sort();
  if (sources.length === 0) return <Empty>No delivery received yet.</Empty>;
  return (
    <TableWrap label="Deliveries by source and status">
      <table>
        <caption>Deliveries by source and status</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            {statuses.map((status) => (
              <th scope="col" key={status}>
                {humanize(status)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sources.map((source) => (
            <tr key={source}>
              <th scope="row">{humanize(source)}</th>
              {statuses.map((status) => (
                <td key={status}>{counts[source]?.[status] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
