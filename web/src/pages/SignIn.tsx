// Signing in: a button per identity provider (GET /auth/providers; the service runs the OIDC
// flow and comes back here with the session cookie set), and, where the deployment allows it, the
// development sign-in with an API token (POST /auth/token-sign-in turns it into a session; the
// token itself is not kept anywhere in the page).
import { useEffect, useState } from "preact/hooks";

import { call, localProblem, type ProblemInfo, type SessionInfo, type SignInOptions, signInOptions, unwatchedApi } from "../api";
import { Loading, PageTitle, ProblemMessage } from "../components/Status";

/** Why the sign-in page shows: the session ended mid-use, or the person signed out. */
export interface Notice {
  title: string;
  detail?: string | null;
}

export function SignIn({ notice, onSignedIn }: { notice: Notice | null; onSignedIn: (info: SessionInfo) => void }) {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  useEffect(() => {
    let current = true;
    void signInOptions().then((found) => {
      if (current) setOptions(found);
    });
    return () => {
      current = false;
    };
  }, []);

  return (
    <>
      <header class="site-header">
        <span class="brand">interview-pipeline</span>
      </header>
      <main id="main" tabIndex={-1} class="sign-in">
        <PageTitle title="Sign in">Sign in to interview-pipeline</PageTitle>
        <Announced notice={notice} />
        {options === null ? (
          <Loading what="the ways to sign in" />
        ) : (
          <>
            {options.providers.length > 0 && (
              <section aria-labelledby="providers-heading" data-testid="identity-providers">
                <h2 id="providers-heading">With your organisation’s account</h2>
                <ul class="provider-list">
                  {options.providers.map((provider) => (
                    <li key={provider.key}>
                      <a class="button-link" href={provider.loginUrl}>
                        Sign in with {provider.name}
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {options.tokenSignIn && <TokenSignIn onSignedIn={onSignedIn} alone={options.providers.length === 0} />}
            {options.providers.length === 0 && !options.tokenSignIn && (
              <p class="problem" data-testid="no-sign-in">
                No way to sign in is set up here: no identity provider is configured and token sign-in is off. Tell
                whoever runs this service.
              </p>
            )}
          </>
        )}
      </main>
    </>
  );
}

/**
 * The notice in a live region that is on the page before its text: a region that arrives with
 * its text already in it is not reliably read out, one whose text changes is.
 */
function Announced({ notice }: { notice: Notice | null }) {
  const [shown, setShown] = useState<Notice | null>(null);
  useEffect(() => {
    const timer = window.setTimeout(() => setShown(notice), 100);
    return () => window.clearTimeout(timer);
  }, [notice]);
  return (
    <div role="status" data-testid="sign-in-notice">
      {shown && (
        <div class="notice">
          <p class="notice-title">{shown.title}</p>
          {shown.detail && <p>{shown.detail}</p>}
        </div>
      )}
    </div>
  );
}

function TokenSignIn({ onSignedIn, alone }: { onSignedIn: (info: SessionInfo) => void; alone: boolean }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (value === "") {
      setProblem(localProblem("Paste your API token first."));
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
    <section aria-labelledby="token-heading" data-testid="token-sign-in">
      <h2 id="token-heading">{alone ? "With a token, for development" : "Or with a token, for development"}</h2>
      <p class="hint">
        This deployment lets a pasted API token sign a browser in, for development and tests. In production people sign
        in through the identity provider.
      </p>
      <form onSubmit={submit} noValidate>
        <label for="token">API token</label>
        <p id="token-hint" class="hint">
          The token an admin issued you (it starts with <code>ipt_</code>). It signs this browser in; the page does not
          keep it.
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
    </section>
  );
}
