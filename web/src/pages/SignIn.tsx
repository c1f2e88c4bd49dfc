// Sign in in development by pasting an API token: POST /auth/token-sign-in turns it into a
// browser session (an HttpOnly cookie); the token itself is not kept anywhere in the page.
import { useState } from "preact/hooks";

import { call, type ProblemInfo, type SessionInfo, unwatchedApi } from "../api";
import { PageTitle, ProblemMessage } from "../components/Status";

export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (info: SessionInfo) => void;
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
    const result = await call(unwatchedApi().POST("/auth/token-sign-in", { body: { token: value } }));
    setBusy(false);
    if (result.ok) {
      setToken("");
      onSignedIn(result.data);
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
            The token an admin issued you (it starts with <code>ipt_</code>). It signs this browser in; the page does
            not keep it.
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
