// People (admins): everyone who may sign in, filtered by role, and adding a person with their
// roles; the first token comes back once (POST /users), for people who sign in without SSO.
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, type IssuedToken, localProblem, type ProblemInfo, type Role, type User } from "../api";
import { RolesField, TextField } from "../components/FormFields";
import { ShownOnce } from "../components/ShownOnce";
import { Empty, Loaded, PageTitle, ProblemMessage } from "../components/Status";
import { TableWrap } from "../components/TableWrap";
import { ALL_ROLES, date, ROLE_NAMES, roleNames } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";

export function People() {
  const [generation, setGeneration] = useState(0);
  return (
    <>
      <PageTitle title="People">People</PageTitle>
      <p>
        Who may sign in, and with which roles. Open a person to change their roles, deactivate them, or see and end their
        tokens and sessions.
      </p>
      <AddPerson onAdded={() => setGeneration((n) => n + 1)} />
      <PeopleList generation={generation} />
    </>
  );
}

const FIELD_NAMES: Record<string, string> = { name: "Name", email: "Email", roles: "Roles" };

function AddPerson({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [roles, setRoles] = useState<Role[]>(["interviewer"]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [added, setAdded] = useState<{ user: User; token: IssuedToken } | null>(null);

  const errors = fieldErrorsOf(problem);
  if (problem?.code === "already_exists") errors["email"] = problem.detail;

  async function submit(event: Event) {
    event.preventDefault();
    if (roles.length === 0) {
      setProblem(localProblem("Choose at least one role.", [{ loc: ["roles"], msg: "Choose at least one role." }]));
      return;
    }
    setBusy(true);
    setProblem(null);
    const result = await call(api().POST("/users", { body: { name: name.trim(), email: email.trim(), roles } }));
    setBusy(false);
    if (result.ok) {
      setAdded(result.data);
      setName("");
      setEmail("");
      setRoles(["interviewer"]);
      onAdded();
    } else setProblem(result.problem);
  }

  return (
    <section aria-labelledby="add-person-heading">
      <form onSubmit={submit} aria-labelledby="add-person-heading" noValidate>
        <h2 id="add-person-heading">Add a person</h2>
        <TextField id="person-name" label="Name" value={name} onInput={setName} error={errors["name"]} autoComplete="off" />
        <TextField
          id="person-email"
          label="Email"
          type="email"
          hint="The address they sign in with at your identity provider."
          value={email}
          onInput={setEmail}
          error={errors["email"]}
          autoComplete="off"
        />
        <RolesField id="person-roles" roles={roles} onChange={setRoles} error={errors["roles"]} />
        {problem && (
          <ProblemMessage
            problem={problem}
            title="The person was not added."
            testId="add-person-problem"
            label={(loc) => FIELD_NAMES[String(loc[0])] ?? null}
          />
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add person"}
          </button>
        </div>
      </form>
      {added && (
        <>
          <p class="notice" role="status" data-testid="person-added">
            Added {added.user.name} ({roleNames(added.user.roles)}).{" "}
            <a href={href.person(added.user.id)}>Open {added.user.name}’s page</a>
          </p>
          <ShownOnce token={added.token} whose={`${added.user.name}’s`} onDone={() => setAdded(null)}>
            <p class="hint">
              Their first token, for signing in without your identity provider or for scripts. Someone who signs in
              through the identity provider needs none: you may revoke it on their page.
            </p>
          </ShownOnce>
        </>
      )}
    </section>
  );
}

function PeopleList({ generation }: { generation: number }) {
  const [role, setRole] = useState<Role | "">("");
  const [pages, setPages] = useState<string[]>([""]);
  const cursor = pages[pages.length - 1] || undefined;
  const { load } = useLoad(
    () =>
      call(
        api().GET("/users", {
          params: { query: { limit: 50, ...(role ? { role } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [role, cursor, generation],
  );
  return (
    <section aria-labelledby="people-heading" data-testid="users">
      <h2 id="people-heading">Everyone</h2>
      <div class="toolbar">
        <label for="people-role">Show</label>
        <select
          id="people-role"
          value={role}
          onChange={(e) => {
            setRole(e.currentTarget.value as Role | "");
            setPages([""]);
          }}
        >
          <option value="">Every role</option>
          {ALL_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}s
            </option>
          ))}
        </select>
      </div>
      <Loaded load={load} what="the people">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>Nobody{role ? ` holds the role ${ROLE_NAMES[role]}` : ""}.</Empty>
          ) : (
            <>
              <TableWrap label="People">
                <table>
                  <caption class="visually-hidden">People, page {pages.length}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Roles</th>
                      <th scope="col">Active</th>
                      <th scope="col">Added</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((u) => (
                      <tr key={u.id} class={u.is_active ? undefined : "inactive"}>
                        <th scope="row">
                          <a href={href.person(u.id)}>{u.name}</a>
                        </th>
                        <td>{u.email}</td>
                        <td>{roleNames(u.roles)}</td>
                        <td>{u.is_active ? "Yes" : "No: deactivated"}</td>
                        <td>{date(u.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <div class="actions">
                {pages.length > 1 && (
                  <button type="button" class="button-secondary" onClick={() => setPages(pages.slice(0, -1))}>
                    Previous people
                  </button>
                )}
                {page.next_cursor && (
                  <button
                    type="button"
                    class="button-secondary"
                    onClick={() => setPages([...pages, page.next_cursor ?? ""])}
                  >
                    Next people
                  </button>
                )}
              </div>
            </>
          )
        }
      </Loaded>
    </section>
  );
}
