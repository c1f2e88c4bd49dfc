// The shell: who is signed in (GET /users/me with the tab's token), then the page of the route.
import { useEffect, useState } from "preact/hooks";

import { call, clearToken, clientFor, onSessionExpired, storedToken, storeToken, type User } from "./api";
import { Layout } from "./components/Layout";
import { Loading, PageTitle } from "./components/Status";
import { Admin } from "./pages/Admin";
import { ApplicationPage } from "./pages/Application";
import { Board } from "./pages/Board";
import { CandidatePage } from "./pages/Candidate";
import { Dashboard } from "./pages/Dashboard";
import { InterviewPage } from "./pages/Interview";
import { MyInterviews } from "./pages/MyInterviews";
import { Requisitions } from "./pages/Requisitions";
import { SignIn } from "./pages/SignIn";
import { can, homeOf } from "./roles";
import { href, navigate, type Route, useRoute } from "./router";

type Session =
  | { state: "checking" }
  | { state: "signedOut"; notice: string | null }
  | { state: "signedIn"; user: User };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>(() =>
    storedToken() ? { state: "checking" } : { state: "signedOut", notice: null },
  );

  useEffect(() => {
    onSessionExpired(() => {
      clearToken();
      setSession({ state: "signedOut", notice: "Your token is no longer valid (revoked or expired): sign in again." });
    });
    const token = storedToken();
    if (token) {
      void call(clientFor(token, false).GET("/users/me")).then((result) => {
        if (result.ok) setSession({ state: "signedIn", user: result.data });
        else {
          clearToken();
          setSession({ state: "signedOut", notice: result.problem.detail });
        }
      });
    }
    return () => onSessionExpired(null);
  }, []);

  useEffect(() => {
    if (session.state === "signedIn" && route.name === "home") navigate(homeOf(session.user.role), true);
  }, [session, route]);

  if (session.state === "checking") {
    return (
      <main id="main">
        <Loading what="your session" />
      </main>
    );
  }
  if (session.state === "signedOut") {
    return (
      <SignIn
        notice={session.notice}
        onSignedIn={(token, user) => {
          storeToken(token);
          setSession({ state: "signedIn", user });
          if (route.name === "home") navigate(homeOf(user.role), true);
        }}
      />
    );
  }

  const signOut = () => {
    clearToken();
    setSession({ state: "signedOut", notice: "You are signed out. The token is gone from this tab." });
    navigate(href.home(), true);
  };
  return (
    <Layout user={session.user} route={route} onSignOut={signOut}>
      <Page route={route} user={session.user} />
    </Layout>
  );
}

function Page({ route, user }: { route: Route; user: User }) {
  const role = user.role;
  switch (route.name) {
    case "home":
      return <Loading what="your start page" />;
    case "interviews":
      return <MyInterviews />;
    case "interview":
      return <InterviewPage key={route.id} id={route.id} user={user} />;
    case "requisitions":
      return can.readPipeline(role) ? <Requisitions /> : <NotForRole page="Requisitions" />;
    case "board":
      return can.readPipeline(role) ? <Board key={route.id} id={route.id} user={user} /> : <NotForRole page="Board" />;
    case "application":
      return can.readPipeline(role) ? (
        <ApplicationPage key={route.id} id={route.id} user={user} />
      ) : (
        <NotForRole page="Application" />
      );
    case "candidate":
      return can.readPipeline(role) ? <CandidatePage key={route.id} id={route.id} /> : <NotForRole page="Candidate" />;
    case "dashboard":
      return can.readReports(role) ? <Dashboard /> : <NotForRole page="Dashboard" />;
    case "admin":
      return can.administer(role) ? <Admin /> : <NotForRole page="Admin" />;
    case "notFound":
      return (
        <>
          <PageTitle title="Page not found">Page not found</PageTitle>
          <p>
            There is no page at <code>#{route.path}</code>. <a href={href.home()}>Go to your start page</a>.
          </p>
        </>
      );
  }
}

function NotForRole({ page }: { page: string }) {
  return (
    <>
      <PageTitle title={page}>{page}</PageTitle>
      <p>Your role does not use this page. The links at the top show what you can use.</p>
    </>
  );
}
