// A report on the dashboard: its heading, the definition one click away (GET /reports), and
// a CSV download fetched with the token (Accept: text/csv), saved from a Blob.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { call, type ProblemInfo, saveBlob, type Schemas } from "../api";
import { InlineText } from "./InlineText";
import { ProblemMessage } from "./Status";

type Definition = Schemas["ReportDefinition"];

export interface Glossary {
  term: string;
  meaning: string;
}

export function ReportSection({
  id,
  title,
  definition,
  glossary = [],
  csv,
  wide = false,
  children,
}: {
  id: string;
  wide?: boolean;
  title: string;
  definition: Definition | undefined;
  glossary?: Glossary[];
  csv: () => Promise<{ data?: Blob; error?: unknown; response: Response }>;
  children: ComponentChildren;
}) {
  return (
    <section
      class={wide ? "report report-wide" : "report"}
      aria-labelledby={`${id}-heading`}
      data-testid={`report-${id}`}
    >
      <div class="report-head">
        <h2 id={`${id}-heading`}>{title}</h2>
        <CsvButton title={title} filename={`${id}.csv`} fetchCsv={csv} />
      </div>
      <details class="definition">
        <summary>Definition of {title.toLowerCase()}</summary>
        {definition ? (
          <dl>
            <div>
              <dt>What</dt>
              <dd>
                <InlineText text={definition.summary} />
              </dd>
            </div>
            <div>
              <dt>Clock</dt>
              <dd>
                <InlineText text={definition.clock} />
              </dd>
            </div>
            {definition.period_clock && (
              <div>
                <dt>Periods</dt>
                <dd>
                  <InlineText text={definition.period_clock} />
                </dd>
              </div>
            )}
            <div>
              <dt>Window</dt>
              <dd>
                The dates select <InlineText text={definition.window} />.
              </dd>
            </div>
            {glossary.map((g) => (
              <div key={g.term}>
                <dt>{g.term}</dt>
                <dd>{g.meaning}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p>The definitions (GET /reports) could not be loaded.</p>
        )}
      </details>
      {children}
    </section>
  );
}

function CsvButton({
  title,
  filename,
  fetchCsv,
}: {
  title: string;
  filename: string;
  fetchCsv: () => Promise<{ data?: Blob; error?: unknown; response: Response }>;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  async function download() {
    setBusy(true);
    setProblem(null);
    const result = await call(fetchCsv());
    setBusy(false);
    if (result.ok && result.data instanceof Blob) saveBlob(result.data, filename);
    else if (!result.ok) setProblem(result.problem);
  }
  return (
    <div class="csv">
      <button type="button" class="button-secondary button-small" onClick={download} disabled={busy}>
        {busy ? "Preparing CSV…" : `Download ${title.toLowerCase()} as CSV`}
      </button>
      {problem && <ProblemMessage problem={problem} title="The CSV could not be downloaded." />}
    </div>
  );
}
