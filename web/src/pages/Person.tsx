// One person (admins): name and roles, their weekly interview cap, deactivate or reactivate,
// their API tokens (revoke, issue one shown once) and their live browser sessions (end one).
import { useState } from "preact/hooks";

import { allPages, api, call, fieldErrorsOf, localProblem, type ProblemInfo, type Role, type User } from "../api";
import { ConfirmAction } from "../components/ConfirmAction";
import { RolesField, TextField } from "../components/FormFields";
import { SessionsTable } from "../components/Sessions";
import { Loaded, PageTitle, ProblemMessage } from "../components/Status";
import { IssueTokenForm, TokensTable } from "../components/Tokens";
import { capWords, WeeklyCapForm } from "../components/WeeklyCapForm";
import { date, roleNames } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";

export function Person({ id, me }: { id: number; me: User }) {
  const person = useLoad(() => call(api().GET("/users/{user_id}", { params: { path: { user_id: id } } })), [id]);
  // Deactivating ends their tokens and sessions: those lists reload after it.
  const [generation, setGeneration] = useState(0);
  const refresh = () => setGeneration((n) => n + 1);

  if (person.load.state !== "ready") {
    return (
      <>
        <PageTitle title="Person">Person</PageTitle>
        <Loaded load={person.load} what="this person">
          {() => null}
        </Loaded>
        <p>
          <a href={href.people()}>All people</a>
        </p>
      </>
    );
  }
  const user = person.load.data;
  const self = user.id === me.id;
  return (
    <>
      <p class="breadcrumb">
        <a href={href.people()}>All people</a>
      </p>
      <PageTitle title={user.name}>{user.name}</PageTitle>
      <dl class="facts" data-testid="person-facts">
        <div>
          <dt>Email</dt>
          <dd>{user.email}</dd>
        </div>
        <div>
          <dt>Roles</dt>
          <dd data-testid="person-roles">{roleNames(user.roles)}</dd>
        </div>
        <div>
          <dt>Active</dt>
          <dd data-testid="person-active">{user.is_active ? "Yes" : "No: deactivated"}</dd>
        </div>
        <div>
          <dt>Weekly interview cap</dt>
          <dd data-testid="person-cap">{capWords(user.interviewer_weekly_cap)}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{date(user.created_at)}</dd>
        </div>
      </dl>
      <NameAndRoles key={user.id} user={user} self={self} onSaved={person.set} />
      <WeeklyCapForm key={`cap-${user.id}`} user={user} onSaved={person.set} />
      <Access
        user={user}
        self={self}
        onChanged={(updated) => {
          person.set(updated);
          refresh();
        }}
      />
      <PersonTokens user={user} generation={generation} />
      <PersonSessions user={user} generation={generation} />
    </>
  );
}

const FIELD_NAMES: Record<string, string> = { name: "Name", roles: "Roles", is_active: "Active" };

function NameAndRoles({ user, self, onSaved }: { user: User; self: boolean; onSaved: (user: User) => void }) {
  const [name, setName] = useState(user.name);
  const [roles, setRoles] = useState<Role[]>([...user.roles]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [saved, setSaved] = useState("");
  const errors = fieldErrorsOf(problem);

  async function submit(event: Event) {
    event.preventDefault();
    if (roles.length === 0) {
      setProblem(localProblem("Keep at least one role.", [{ loc: ["roles"], msg: "Keep at least one role." }]));
      return;
    }
    setBusy(true);
    setProblem(null);
    setSaved("");
    const result = await call(
      api().PATCH("/users/{user_id}", { params: { path: { user_id: user.id } }, body: { name: name.trim(), roles } }),
    );
    setBusy(false);
    if (result.ok) {
      onSaved(result.data);
      setSaved(`Saved: ${result.data.name}, ${roleNames(result.data.roles)}.`);
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="roles-heading">
      <form onSubmit={submit} aria-labelledby="roles-heading" noValidate>
        <h2 id="roles-heading">Name and roles</h2>
        <TextField id="edit-name" label="Name" value={name} onInput={setName} error={errors["name"]} autoComplete="off" />
        <RolesField id="edit-roles" roles={roles} onChange={setRoles} error={errors["roles"]} />
        {self && !roles.includes("admin") && (
          <p class="warning" data-testid="self-admin-warning">
            These are your own roles: without Admin you lose this page and the admin pages as soon as you save.
          </p>
        )}
        {problem && (
          <ProblemMessage
            problem={problem}
            title="Nothing was changed."
            testId="roles-problem"
            label={(loc) => FIELD_NAMES[String(loc[0])] ?? null}
          />
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save name and roles"}
          </button>
        </div>
        <p role="status" data-testid="roles-status">
          {saved}
        </p>
      </form>
    </section>
  );
}

function Access({ user, self, onChanged }: { user: User; self: boolean; onChanged: (user: User) => void }) {
  const [done, setDone] = useState("");
  async function setActive(active: boolean): Promise<ProblemInfo | null> {
    const result = await call(
      api().PATCH("/users/{user_id}", { params: { path: { user_id: user.id } }, body: { is_active: active } }),
    );
    if (!result.ok) return result.problem;
    setDone(
      active
        ? `${user.name} is active again. They sign in afresh: issue a token if they need one.`
        : `${user.name} is deactivated: their sessions and tokens have ended.`,
    );
    onChanged(result.data);
    return null;
  }
  return (
    <section aria-labelledby="access-heading" data-testid="access">
      <h2 id="access-heading">Access</h2>
      {user.is_active ? (
        <>
          <p>
            {user.name} may sign in. Deactivating them ends their sessions and tokens now: every browser they are signed in
            on goes back to sign-in, and their scripts stop. Nothing they did is removed.
          </p>
          <ConfirmAction
            label="Deactivate"
            labelDetail={` ${user.name}`}
            prompt={
              self
                ? `Deactivate yourself? This ends your sessions and tokens now, this browser's too: you are signed out at once and another admin must reactivate you.`
                : `Deactivate ${user.name}? This ends their sessions and tokens now; they cannot sign in until an admin reactivates them.`
            }
            confirmLabel="Deactivate now"
            busyLabel="Deactivating…"
            failedTitle={`${user.name} was not deactivated.`}
            onConfirm={() => setActive(false)}
            testId="deactivate"
          />
        </>
      ) : (
        <>
          <p>
            {user.name} is deactivated: they cannot sign in, and no token of theirs works. Reactivating lets them sign in
            again; the tokens and sessions that deactivation ended stay ended.
          </p>
          <ConfirmAction
            label="Reactivate"
            labelDetail={` ${user.name}`}
            prompt={`Reactivate ${user.name}? They can sign in again through your identity provider, or with a new token you issue.`}
            confirmLabel="Reactivate now"
            busyLabel="Reactivating…"
            failedTitle={`${user.name} was not reactivated.`}
            onConfirm={() => setActive(true)}
            testId="reactivate"
          />
        </>
      )}
      <p role="status" data-testid="access-status">
        {done}
      </p>
    </section>
  );
}

function PersonTokens({ user, generation }: { user: User; generation: number }) {
  const tokens = useLoad(
    () => call(api().GET("/users/{user_id}/tokens", { params: { path: { user_id: user.id } } })),
    [user.id, generation],
  );
  const [done, setDone] = useState("");
  return (
    <section aria-labelledby="tokens-heading" data-testid="person-tokens">
      <h2 id="tokens-heading">API tokens</h2>
      <p class="hint">
        A token acts as {user.name} for scripts, or signs a browser in where token sign-in is on. The secret itself is
        never listed: only how it starts.
      </p>
      <Loaded load={tokens.load} what={`${user.name}’s tokens`}>
        {(list) => (
          <TokensTable
            tokens={list}
            caption={`${user.name}’s API tokens`}
            revokeEffect="Whatever uses it is refused from now on."
            onRevoke={async (token) => {
              const result = await call(
                api().DELETE("/users/{user_id}/tokens/{token_id}", {
                  params: { path: { user_id: user.id, token_id: token.id } },
                }),
              );
              if (!result.ok) return result.problem;
              setDone(`Revoked the token ${token.label || token.prefix}.`);
              tokens.reload();
              return null;
            }}
          />
        )}
      </Loaded>
      <p role="status" data-testid="tokens-status">
        {done}
      </p>
      {user.is_active ? (
        <IssueTokenForm
          id="issue-token"
          heading="Issue a token"
          intro={`A new token for ${user.name}, shown once, here.`}
          whose={`${user.name}’s`}
          allowNever
          onIssue={(body) =>
            call(api().POST("/users/{user_id}/tokens", { params: { path: { user_id: user.id } }, body }))
          }
          onIssued={() => {
            setDone("");
            tokens.reload();
          }}
        />
      ) : (
        <p class="hint">A deactivated person’s tokens do not work: reactivate them before issuing one.</p>
      )}
    </section>
  );
}

function PersonSessions({ user, generation }: { user: User; generation: number }) {
  const sessions = useLoad(
    () =>
      allPages((cursor) =>
        api().GET("/users/{user_id}/sessions", {
          params: { path: { user_id: user.id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [user.id, generation],
  );
  const [done, setDone] = useState("");
  return (
    <section aria-labelledby="sessions-heading" data-testid="person-sessions">
      <h2 id="sessions-heading">Browser sessions</h2>
      <p class="hint">Where {user.name} is signed in now. Ending a session sends that browser back to sign-in.</p>
      <Loaded load={sessions.load} what={`${user.name}’s sessions`}>
        {(list) => (
          <SessionsTable
            sessions={list}
            caption={`${user.name}’s browser sessions`}
            empty={user.is_active ? "Not signed in anywhere." : "None: deactivation ended them."}
            endEffect="That browser goes back to sign-in on its next step."
            onEnd={async (session) => {
              const result = await call(
                api().DELETE("/users/{user_id}/sessions/{session_id}", {
                  params: { path: { user_id: user.id, session_id: session.id } },
                }),
              );
              if (!result.ok) return result.problem;
              setDone("The session has ended.");
              sessions.reload();
              return null;
            }}
          />
        )}
      </Loaded>
      <p role="status" data-testid="sessions-status">
        {done}
      </p>
    </section>
  );
}
