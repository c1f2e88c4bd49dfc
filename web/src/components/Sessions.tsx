// Live browser sessions: where, how signed in, since when, until when; each can be ended.
// Used for a person by an admin (pages/Person.tsx) and for one's own (pages/Account.tsx).
import type { BrowserSession, ProblemInfo } from "../api";
import { browserName, dateTime, viaName } from "../format";
import { ConfirmAction } from "./ConfirmAction";
import { Empty } from "./Status";
import { TableWrap } from "./TableWrap";

export function SessionsTable({
  sessions,
  caption,
  empty,
  onEnd,
  endEffect,
}: {
  sessions: BrowserSession[];
  caption: string;
  empty: string;
  onEnd: (session: BrowserSession) => Promise<ProblemInfo | null>;
  /** What ending one does, for the confirmation; the current session's says so itself. */
  endEffect: string;
}) {
  if (sessions.length === 0) return <Empty>{empty}</Empty>;
  return (
    <TableWrap label={caption}>
      <table data-testid="sessions">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Browser</th>
            <th scope="col">Signed in with</th>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
            <th scope="col">Ends at the latest</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => {
            const browser = browserName(session.user_agent);
            return (
              <tr key={session.id} data-testid={`session-${session.id}`} class={session.current ? "current" : undefined}>
                <th scope="row">
                  {browser}
                  {session.current && (
                    <>
                      {" "}
                      <span class="badge badge-current" data-testid="current-session">
                        this browser
                      </span>
                    </>
                  )}
                </th>
                <td>{viaName(session.via)}</td>
                <td>{dateTime(session.created_at)}</td>
                <td>{dateTime(session.last_seen_at)}</td>
                <td>{dateTime(session.expires_at)}</td>
                <td>
                  <ConfirmAction
                    label={session.current ? "End this session" : "End session"}
                    labelDetail={session.current ? "" : ` in ${browser}, started ${dateTime(session.created_at)}`}
                    prompt={
                      session.current
                        ? "End the session of this browser? You are signed out here at once."
                        : `End the session in ${browser}? ${endEffect}`
                    }
                    confirmLabel="End it now"
                    busyLabel="Ending…"
                    failedTitle="The session was not ended."
                    onConfirm={() => onEnd(session)}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
