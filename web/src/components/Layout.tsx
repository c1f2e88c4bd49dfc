// The frame of every signed-in page: skip link, header with the navigation, My account and
// Sign out, main.
import type { ComponentChildren } from "preact";

import type { User } from "../api";
import { roleNames } from "../format";
import { can } from "../roles";
import { href, type Route } from "../router";

interface NavItem {
  label: string;
  to: string;
  active: (route: Route) => boolean;
}

function navFor(user: User): NavItem[] {
  const items: NavItem[] = [
    {
      label: "My interviews",
      to: href.interviews(),
      active: (r) => r.name === "interviews" || r.name === "interview",
    },
  ];
  if (can.readPipeline(user.roles)) {
    items.push({
      label: "Requisitions",
      to: href.requisitions(),
      active: (r) => ["requisitions", "board", "application", "candidate"].includes(r.name),
    });
  }
  if (can.readReports(user.roles)) {
    items.push({ label: "Dashboard", to: href.dashboard(), active: (r) => r.name === "dashboard" });
  }
  if (can.administer(user.roles)) {
    items.push({ label: "People", to: href.people(), active: (r) => r.name === "people" || r.name === "person" });
    items.push({
      label: "Event subscriptions",
      to: href.eventSubscriptions(),
      active: (r) => r.name === "eventSubscriptions" || r.name === "eventSubscription",
    });
    items.push({ label: "Admin", to: href.admin(), active: (r) => r.name === "admin" });
  }
  return items;
}

export function Layout({
  user,
  route,
  onSignOut,
  children,
}: {
  user: User;
  route: Route;
  onSignOut: () => void | Promise<void>;
  children: ComponentChildren;
}) {
  return (
    <>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <header class="site-header">
        <a class="brand" href={href.home()}>
          interview-pipeline
        </a>
        <nav aria-label="Main">
          <ul>
            {navFor(user).map((item) => (
              <li key={item.to}>
                <a href={item.to} aria-current={item.active(route) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span data-testid="signed-in-as">
            {user.name} <span class="muted">({roleNames(user.roles)})</span>
          </span>
          <a href={href.account()} aria-current={route.name === "account" ? "page" : undefined}>
            My account
          </a>
          <button type="button" class="button-secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** "#main" would be read as a route: move focus to <main> instead of changing the hash. */
function skipToMain(event: MouseEvent): void {
  event.preventDefault();
  document.getElementById("main")?.focus();
}
