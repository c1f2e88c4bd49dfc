// My account (everyone): who I am and with which roles, how reminders reach me (mail, chat,
// both; a mute), this session, my other sessions (end them, or this one), and my API tokens
// (revoke; create one for scripts where allowed).
import { useState } from "preact/hooks";

import { allPages, api, call, type ProblemInfo, type SessionInfo, type User } from "../api";
import { ConfirmAction } from "../components/ConfirmAction";
import { Notifications } from "../components/Notifications";
import { SessionsTable } from "../components/Sessions";
import { Loaded, PageTitle } from "../components/Status";
import { IssueTokenForm, TokensTable } from "../components/Tokens";
import { dateTime, plural, roleNames, viaName } from "../format";
import { useLoad } from "../hooks";
import { can } from "../roles";

export function Account({ user, onEndedHere }: { user: User; onEndedHere: (notice: string) => void }) {
  const info = useLoad(() => call(api().GET("/auth/session")), []);
  return (
    <>
      <PageTitle title="My account">My account</PageTitle>
      <dl class="facts" data-testid="account-facts">
        <div>
          <dt>Name</dt>
          <dd>{user.name}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{user.email}</dd>
        </div>
        <div>
          <dt>Roles</dt>
          <dd data-testid="account-roles">{roleNames(user.roles)}</dd>
        </div>
      </dl>
      <p class="hint">An admin changes your name and roles.</p>
      <Notifications />
      <MySessions here={info.load.state === "ready" ? info.load.data : null} onEndedHere={onEndedHere} />
      <Loaded load={info.load} what="your session">
        {(session) => <MyTokens user={user} selfService={session.self_service_tokens} />}
      </Loaded>
    </>
  );
}

function MySessions({ here, onEndedHere }: { here: SessionInfo | null; onEndedHere: (notice: string) => void }) {
  const sessions = useLoad(
    () =>
      allPages((cursor) =>
        api().GET("/users/me/sessions", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
      ),
    [],
  );
  const [done, setDone] = useState("");

  async function end(sessionId: number): Promise<ProblemInfo | null> {
    const result = await call(
      api().DELETE("/users/me/sessions/{session_id}", { params: { path: { session_id: sessionId } } }),
    );
    return result.ok ? null : result.problem;
  }

  const others = sessions.load.state === "ready" ? sessions.load.data.filter((s) => !s.current) : [];
  return (
    <section aria-labelledby="my-sessions-heading" data-testid="my-sessions">
      <h2 id="my-sessions-heading">Where you are signed in</h2>
      <p class="hint">
        Each browser you signed in on. End one you do not recognise, or left signed in elsewhere: that browser goes back to
        sign-in on its next step.
      </p>
      {here && (
        <p data-testid="this-session">
          This browser signed in with {here.via === "token" ? "an API token" : viaName(here.via)}. Its session ends at{" "}
          {dateTime(here.idle_expires_at)} if left unused until then, and at {dateTime(here.expires_at)} at the latest.
        </p>
      )}
      <Loaded load={sessions.load} what="your sessions">
        {(list) => (
          <SessionsTable
            sessions={list}
            caption="Your browser sessions"
            empty="No session is open."
            endEffect="That browser is signed out on its next step."
            onEnd={async (session) => {
              const failed = await end(session.id);
              if (failed) return failed;
              if (session.current) {
                onEndedHere("You ended this browser’s session.");
                return null;
              }
              setDone("The session has ended.");
              sessions.reload();
              return null;
            }}
          />
        )}
      </Loaded>
      {others.length > 1 && (
        <ConfirmAction
          label="End every other session"
          prompt={`End ${plural(others.length, "other session")}? Every other browser is signed out on its next step; this one stays signed in.`}
          confirmLabel="End them now"
          busyLabel="Ending…"
          failedTitle="Not every session was ended."
          onConfirm={async () => {
            for (const other of others) {
              const failed = await end(other.id);
              if (failed) {
                sessions.reload();
                return failed;
              }
            }
            setDone(`Ended ${plural(others.length, "other session")}.`);
            sessions.reload();
            return null;
          }}
        />
      )}
      <p role="status" data-testid="my-sessions-status">
        {done}
      </p>
    </section>
  );
}

function MyTokens({ user, selfService }: { user: User; selfService: boolean }) {
  const tokens = useLoad(
    () =>
      allPages((cursor) =>
        api().GET("/users/me/tokens", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
      ),
    [],
  );
  const [done, setDone] = useState("");
  return (
    <section aria-labelledby="my-tokens-heading" data-testid="my-tokens">
      <h2 id="my-tokens-heading">Your API tokens</h2>
      <p class="hint">
        A token lets a script call the API as you. Signing in to this page needs none. The secret is never listed: only how
        it starts.
      </p>
      <Loaded load={tokens.load} what="your tokens">
        {(list) => (
          <TokensTable
            tokens={list}
            caption="Your API tokens"
            revokeEffect="Scripts using it are refused from now on."
            onRevoke={async (token) => {
              const result = await call(
                api().DELETE("/users/me/tokens/{token_id}", { params: { path: { token_id: token.id } } }),
              );
              if (!result.ok) return result.problem;
              setDone(`Revoked the token ${token.label || token.prefix}.`);
              tokens.reload();
              return null;
            }}
          />
        )}
      </Loaded>
      <p role="status" data-testid="my-tokens-status">
        {done}
      </p>
      {selfService ? (
        <IssueTokenForm
          id="my-token"
          heading="Create a token for scripts"
          intro={
            can.administer(user.roles)
              ? "A token that acts as you, shown once, here."
              : "A token that acts as you, shown once, here. A token you create yourself always expires."
          }
          whose="Your"
          allowNever={can.administer(user.roles)}
          onIssue={(body) => call(api().POST("/users/me/tokens", { body }))}
          onIssued={() => {
            setDone("");
            tokens.reload();
          }}
        />
      ) : (
        <p class="hint" data-testid="no-self-service">
          Here only admins issue tokens: ask one if a script of yours needs a token.
        </p>
      )}
    </section>
  );
}
