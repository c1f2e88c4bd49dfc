// Chart.js, loaded only by the dashboard (a dynamic import): only the controllers, elements and
// scales the charts use are registered, so the rest of Chart.js is tree-shaken away.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

import { type ChartSpec, REFERENCE_COLOUR, SERIES_COLOURS } from "./chartSpec";

Chart.register(
  LineController,
  BarController,
  LineElement,
  BarElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 13;
Chart.defaults.color = "#1f2937";

export interface DrawnChart {
  destroy(): void;
}

function dataset(spec: ChartSpec, index: number): ChartDataset<"line" | "bar", (number | null)[]> {
  const series = spec.series[index]!;
  const colour = series.reference ? REFERENCE_COLOUR : (SERIES_COLOURS[index % SERIES_COLOURS.length] ?? "#1d4ed8");
  const small = series.small ?? [];
  if (series.reference) {
    return {
      type: "line",
      label: series.label,
      data: series.values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 0,
      pointHoverRadius: 0,
    };
  }
  if (spec.type === "bar") {
    return {
      type: "bar",
      label: series.label,
      data: series.values,
      borderColor: colour,
      borderWidth: 2,
      // Small samples: a pale fill inside the same outline.
      backgroundColor: series.values.map((_, i) => (small[i] ? "#dbeafe" : colour)),
    };
  }
  return {
    type: "line",
    label: series.label,
    data: series.values,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: 2,
    spanGaps: true,
    // Small samples: hollow triangles instead of filled dots.
    pointStyle: series.values.map((_, i) => (small[i] ? "triangle" : "circle")),
    pointRadius: series.values.map((_, i) => (small[i] ? 6 : 4)),
    pointBackgroundColor: series.values.map((_, i) => (small[i] ? "#ffffff" : colour)),
    pointBorderColor: colour,
    pointBorderWidth: 2,
  };
}

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): DrawnChart {
  const format = (value: number) => (spec.percent ? `${Math.round(value * 100)}%` : `${Math.round(value * 10) / 10}`);
  return new Chart<"line" | "bar", (number | null)[], string>(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.series.map((_, i) => dataset(spec, i)) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: {
          beginAtZero: true,
          ...(spec.percent ? { max: 1 } : {}),
          title: { display: true, text: spec.yTitle },
          ticks: { callback: (value) => format(Number(value)) },
        },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item) => {
              const small = spec.series[item.datasetIndex]?.small?.[item.dataIndex];
              const value = item.parsed.y;
              return `${item.dataset.label ?? ""}: ${value === null ? "no data" : format(value)}${small ? " (small sample)" : ""}`;
            },
          },
        },
      },
    },
  });
}
