// A chart with its accessible alternative: the canvas is an image named by a summary, and the
// same figures are one click away as a table (small samples marked in both).
import { useEffect, useRef, useState } from "preact/hooks";

import type { ChartSpec } from "../chartSpec";
import { number, percent } from "../format";
import { TableWrap } from "./TableWrap";

export function Chart({
  id,
  spec,
  summary,
  smallSampleThreshold,
}: {
  id: string;
  spec: ChartSpec;
  summary: string;
  smallSampleThreshold: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let drawn: { destroy(): void } | null = null;
    let cancelled = false;
    import("../charts")
      .then(({ drawChart }) => {
        if (!cancelled && canvas.current) drawn = drawChart(canvas.current, spec);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      drawn?.destroy();
    };
  }, [spec]);

  const anySmall = spec.series.some((s) => s.small?.some(Boolean));
  const show = (value: number | null) => (spec.percent ? percent(value) : number(value));
  return (
    <figure class="chart" data-testid={`chart-${id}`}>
      <div class="chart-canvas">
        <canvas ref={canvas} role="img" aria-label={summary} id={`canvas-${id}`}>
          {summary}
        </canvas>
      </div>
      {failed && <p class="problem">The chart could not be drawn; the figures are in the table below.</p>}
      {anySmall && (
        <p class="hint">
          {spec.type === "line" ? "Hollow triangles" : "Pale bars"} mark small samples: fewer than{" "}
          {smallSampleThreshold} cases. Read them as anecdotes.
        </p>
      )}
      <details>
        <summary>Show the figures as a table</summary>
        <TableWrap label={`Figures: ${summary}`}>
          <table>
            <caption class="visually-hidden">{summary}</caption>
            <thead>
              <tr>
                <th scope="col">{spec.type === "line" ? "Period" : "Stage"}</th>
                {spec.series.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {spec.labels.map((label, row) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {spec.series.map((s) => (
                    <td key={s.label}>
                      {show(s.values[row] ?? null)}
                      {s.small?.[row] ? " (small sample)" : ""}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </figure>
  );
}
