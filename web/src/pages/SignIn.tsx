// Sign in by pasting an API token. It is checked with GET /users/me before it is kept.
import { useState } from "preact/hooks";

import { call, clientFor, type ProblemInfo, type User } from "../api";
import { PageTitle, ProblemMessage } from "../components/Status";

export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (token: string, user: User) => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (value === "") {
      setProblem({ status: null, code: null, detail: "Paste your API token first.", fields: [], body: {} });
      return;
    }
    setBusy(true);
    setProblem(null);
    const result = await call(clientFor(value, false).GET("/users/me"));
    setBusy(false);
    if (result.ok) {
      setToken("");
      onSignedIn(value, result.data);
    } else {
      setProblem(result.problem);
    }
  }

  return (
    <>
      <header class="site-header">
        <span class="brand">interview-pipeline</span>
      </header>
      <main id="main" tabIndex={-1} class="sign-in">
        <PageTitle title="Sign in">Sign in to interview-pipeline</PageTitle>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <label for="token">API token</label>
          <p id="token-hint" class="hint">
            The token an admin issued you (it starts with <code>ipt_</code>). It is kept for this tab only and forgotten
            when you sign out or close it.
          </p>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            aria-describedby="token-hint"
            aria-invalid={problem !== null ? "true" : undefined}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {problem && (
          <ProblemMessage problem={problem} title="That token did not sign you in." testId="sign-in-problem" />
        )}
      </main>
    </>
  );
}
