// My notifications (My account): how reminders of a late scorecard reach me (email, chat or
// both), my chat webhook (a secret: shown back by its host alone, removable), and a mute for a
// day. GET/PATCH /users/me/notifications (docs/reminders.md, "Each person's choice").
import { useState } from "preact/hooks";

import { api, call, fieldErrorsOf, type ProblemInfo, type Schemas } from "../api";
import { dateTime } from "../format";
import { useLoad } from "../hooks";
import { ConfirmAction } from "./ConfirmAction";
import { RadioGroup, TextField } from "./FormFields";
import { Loaded, ProblemMessage } from "./Status";

type Settings = Schemas["NotificationSettings"];
type NotifyBy = Schemas["NotifyBy"];
type Saved = (settings: Settings, said: string) => void;

const CHOICES: { value: NotifyBy; label: string }[] = [
  { value: "email", label: "Email" },
  { value: "chat", label: "Chat" },
  { value: "both", label: "Both email and chat" },
];

/** Where reminders go now, as the API will send them: chat without a webhook goes by email. */
function wayWords(settings: Settings): string {
  if (settings.notify_by === "email") return "email";
  if (settings.chat_webhook_host === null) return "email until you set a chat webhook";
  return settings.notify_by === "chat" ? `chat (${settings.chat_webhook_host})` : "email and chat";
}

/** The webhook's error for its field: a field error of the 422, or the API's detail naming it. */
function chatUrlError(problem: ProblemInfo | null): string | undefined {
  if (problem === null) return undefined;
  const field = fieldErrorsOf(problem)["chat_webhook_url"];
  if (field) return field;
  const prefix = "chat_webhook_url ";
  return problem.status === 422 && problem.detail.startsWith(prefix)
    ? `The URL ${problem.detail.slice(prefix.length)}`
    : undefined;
}

async function save(body: Schemas["NotificationUpdate"]) {
  return call(api().PATCH("/users/me/notifications", { body }));
}

export function Notifications() {
  const { load, set } = useLoad(() => call(api().GET("/users/me/notifications")), []);
  const [said, setSaid] = useState("");
  const saved: Saved = (settings, words) => {
    set(settings);
    setSaid(words);
  };
  return (
    <section aria-labelledby="notifications-heading" data-testid="my-notifications">
      <h2 id="notifications-heading">Notifications</h2>
      <p class="hint">
        How you are told that a scorecard of yours is late: an hour after the interview ends, then each working day,
        and when a recruiter presses Remind.
      </p>
      <Loaded load={load} what="your notification settings">
        {(settings) => (
          <>
            <ChannelForm settings={settings} onSaved={saved} />
            <Mute settings={settings} onSaved={saved} />
          </>
        )}
      </Loaded>
      <p role="status" data-testid="notifications-status">
        {said}
      </p>
    </section>
  );
}

function ChannelForm({ settings, onSaved }: { settings: Settings; onSaved: Saved }) {
  const [notifyBy, setNotifyBy] = useState<NotifyBy>(settings.notify_by);
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const urlError = chatUrlError(problem);
  const host = settings.chat_webhook_host;

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const result = await save({ notify_by: notifyBy, ...(url.trim() ? { chat_webhook_url: url.trim() } : {}) });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setUrl("");
    onSaved(result.data, `Saved: your reminders go by ${wayWords(result.data)}.`);
  }

  return (
    <form onSubmit={submit} aria-label="How reminders reach you" noValidate>
      <RadioGroup
        id="notify-by"
        legend="Send my reminders by"
        hint="Chat posts to a Slack or Mattermost incoming webhook of yours; without one, reminders go by email."
        choices={CHOICES}
        value={notifyBy}
        onChange={setNotifyBy}
      />
      {host !== null && (
        <div data-testid="chat-webhook">
          <p>
            Your chat webhook posts to <strong>{host}</strong> (the rest of its address is a secret, not shown).
          </p>
          <ConfirmAction
            label="Remove the chat webhook"
            prompt={`Remove your chat webhook on ${host}? Reminders then go by email until you set another.`}
            confirmLabel="Remove it now"
            busyLabel="Removing…"
            failedTitle="The chat webhook was not removed."
            onConfirm={async () => {
              const result = await save({ chat_webhook_url: null });
              if (!result.ok) return result.problem;
              onSaved(result.data, `Removed your chat webhook: your reminders go by ${wayWords(result.data)}.`);
              return null;
            }}
          />
        </div>
      )}
      <TextField
        id="chat-webhook-url"
        type="url"
        label={host === null ? "Chat webhook URL" : "New chat webhook URL"}
        hint={
          host === null
            ? "An https incoming webhook on an allowed chat host, such as https://hooks.slack.com/services/…"
            : "Leave empty to keep the one you have."
        }
        value={url}
        onInput={setUrl}
        error={urlError}
        autoComplete="off"
      />
      {problem && (
        <ProblemMessage
          problem={urlError ? { ...problem, detail: `Chat webhook URL: ${urlError}`, fields: [] } : problem}
          title="Your notification settings were not saved."
          testId="notifications-problem"
        />
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save notifications"}
        </button>
      </div>
    </form>
  );
}

function Mute({ settings, onSaved }: { settings: Settings; onSaved: Saved }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const muted = settings.muted_until;

  async function toggle() {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    const result = await save({ mute_for_a_day: muted === null });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    const until = result.data.muted_until;
    onSaved(result.data, until ? `Reminders muted until ${dateTime(until)}.` : "Reminders are on again.");
  }

  return (
    <div class="mute" data-testid="mute">
      <h3>Mute</h3>
      <p data-testid="muted-until">
        {muted ? `Reminders to you are muted until ${dateTime(muted)}.` : "Reminders to you are on."}
      </p>
      <p class="hint">
        A mute lasts a day; when it ends, the latest reminder due goes out. The recruiter and the hiring manager are still
        told of a scorecard of yours that is late.
      </p>
      {/* One button in one place, its text changing: focus stays on it after a press. */}
      <button
        type="button"
        class="button-secondary"
        aria-disabled={busy ? "true" : undefined}
        onClick={() => void toggle()}
      >
        {muted ? "Unmute" : "Mute reminders for a day"}
      </button>
      {problem && <ProblemMessage problem={problem} title="Not changed." testId="mute-problem" />}
    </div>
  );
}
