// The shell: whose session this is (GET /auth/session: the HttpOnly cookie), then the page of the route.
import { useEffect, useState } from "preact/hooks";

import { call, onSessionExpired, rememberSession, type SessionInfo, unwatchedApi, type User } from "./api";
import { Layout } from "./components/Layout";
import { Loading, PageTitle } from "./components/Status";
import { Account } from "./pages/Account";
import { Admin } from "./pages/Admin";
import { ApplicationPage } from "./pages/Application";
import { Board } from "./pages/Board";
import { CandidatePage } from "./pages/Candidate";
import { Dashboard } from "./pages/Dashboard";
import { EventSubscription } from "./pages/EventSubscription";
import { EventSubscriptions } from "./pages/EventSubscriptions";
import { InterviewPage } from "./pages/Interview";
import { MyInterviews } from "./pages/MyInterviews";
import { People } from "./pages/People";
import { Person } from "./pages/Person";
import { Requisitions } from "./pages/Requisitions";
import { type Notice, SignIn } from "./pages/SignIn";
import { can, homeOf } from "./roles";
import { href, navigate, type Route, useRoute } from "./router";

type Session =
  | { state: "checking" }
  | { state: "signedOut"; notice: Notice | null }
  | { state: "signedIn"; user: User };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: "checking" });

  useEffect(() => {
    // A 401 mid-use (expired, ended from another browser or by an admin, deactivated): the
    // sign-in page, on the same route, saying why; signing in again carries on there.
    onSessionExpired((detail) => {
      rememberSession(null);
      setSession({ state: "signedOut", notice: { title: "Your session has ended.", detail } });
    });
    void call(unwatchedApi().GET("/auth/session")).then((result) => {
      if (result.ok) {
        rememberSession(result.data);
        setSession({ state: "signedIn", user: result.data.user });
      } else {
        // 401: not signed in (no notice); anything else is worth saying
        const notice =
          result.problem.status === 401
            ? null
            : { title: "Could not check whether you are signed in.", detail: result.problem.detail };
        setSession({ state: "signedOut", notice });
      }
    });
    return () => onSessionExpired(null);
  }, []);

  useEffect(() => {
    if (session.state === "signedIn" && route.name === "home") navigate(homeOf(session.user.roles), true);
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
        onSignedIn={(info: SessionInfo) => {
          rememberSession(info);
          setSession({ state: "signedIn", user: info.user });
          if (route.name === "home") navigate(homeOf(info.user.roles), true);
        }}
      />
    );
  }

  const signOut = async () => {
    const result = await call(unwatchedApi().POST("/auth/logout"));
    rememberSession(null);
    const next = result.ok ? result.data.logout_url : null;
    // The identity provider's own sign-out, when it offers one (a URL the API built from its
    // settings, never from anything the page was given).
    if (next) {
      window.location.assign(next);
      return;
    }
    setSession({ state: "signedOut", notice: { title: "You are signed out." } });
    navigate(href.home(), true);
  };
  const endedHere = (detail: string) => {
    rememberSession(null);
    setSession({ state: "signedOut", notice: { title: "You are signed out.", detail } });
    navigate(href.home(), true);
  };
  return (
    <Layout user={session.user} route={route} onSignOut={signOut}>
      <Page route={route} user={session.user} onEndedHere={endedHere} />
    </Layout>
  );
}

function Page({ route, user, onEndedHere }: { route: Route; user: User; onEndedHere: (detail: string) => void }) {
  const role = user.roles;
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
    case "eventSubscriptions":
      return can.administer(role) ? <EventSubscriptions /> : <NotForRole page="Event subscriptions" />;
    case "eventSubscription":
      return can.administer(role) ? (
        <EventSubscription key={route.id} id={route.id} />
      ) : (
        <NotForRole page="Event subscription" />
      );
    case "people":
      return can.administer(role) ? <People /> : <NotForRole page="People" />;
    case "person":
      return can.administer(role) ? <Person key={route.id} id={route.id} me={user} /> : <NotForRole page="Person" />;
    case "account":
      return <Account user={user} onEndedHere={onEndedHere} />;
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
