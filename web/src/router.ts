// Hash routes (#/interviews/12): the server only ever serves index.html at `/`, so no fallback
// is needed, and a reload or a shared link lands on the same page.
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "home" }
  | { name: "interviews" }
  | { name: "interview"; id: number }
  | { name: "requisitions" }
  | { name: "board"; id: number }
  | { name: "application"; id: number }
  | { name: "candidate"; id: number }
  | { name: "dashboard" }
  | { name: "admin" }
  | { name: "eventSubscriptions" }
  | { name: "eventSubscription"; id: number }
  | { name: "people" }
  | { name: "person"; id: number }
  | { name: "account" }
  | { name: "notFound"; path: string };

const ID = /^[1-9]\d{0,9}$/;

const WITH_ID: Record<string, "interview" | "board" | "application" | "candidate" | "person"> = {
  interviews: "interview",
  requisitions: "board",
  applications: "application",
  candidates: "candidate",
  people: "person",
};

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "") || "/";
  const parts = path.split("/").filter((part) => part !== "");
  if (parts.length === 0) return { name: "home" };
  const [first, second] = parts;
  if (parts.length === 1) {
    if (first === "interviews") return { name: "interviews" };
    if (first === "requisitions") return { name: "requisitions" };
    if (first === "dashboard") return { name: "dashboard" };
    if (first === "admin") return { name: "admin" };
    if (first === "people") return { name: "people" };
    if (first === "account") return { name: "account" };
  }
  if (parts.length === 2 && first !== undefined && second !== undefined && ID.test(second)) {
    const name = WITH_ID[first];
    if (name !== undefined) return { name, id: Number(second) };
  }
  // The admin's sub-pages: #/admin/event-subscriptions and #/admin/event-subscriptions/3.
  if (first === "admin" && second === "event-subscriptions") {
    const third = parts[2];
    if (parts.length === 2) return { name: "eventSubscriptions" };
    if (parts.length === 3 && third !== undefined && ID.test(third)) {
      return { name: "eventSubscription", id: Number(third) };
    }
  }
  return { name: "notFound", path };
}

export const href = {
  home: () => "#/",
  interviews: () => "#/interviews",
  interview: (id: number) => `#/interviews/${id}`,
  requisitions: () => "#/requisitions",
  board: (id: number) => `#/requisitions/${id}`,
  application: (id: number) => `#/applications/${id}`,
  candidate: (id: number) => `#/candidates/${id}`,
  dashboard: () => "#/dashboard",
  admin: () => "#/admin",
  eventSubscriptions: () => "#/admin/event-subscriptions",
  eventSubscription: (id: number) => `#/admin/event-subscriptions/${id}`,
  people: () => "#/people",
  person: (id: number) => `#/people/${id}`,
  account: () => "#/account",
};

export function navigate(hash: string, replace = false): void {
  if (replace) window.location.replace(hash);
  else window.location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
