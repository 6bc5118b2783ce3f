import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { FitProgress } from '@hetmtl/model';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const COLOURS = ['#1b6ca8', '#d1495b', '#2a9d8f', '#e9a03b', '#6a4c93'];

/** The live loss curve: validation RMSE per round of each candidate's encoder phase. */
export class LossChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private step = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: 'linear',
            ticks: { precision: 0 },
            title: { display: true, text: 'encoder round (all candidates)' },
          },
          y: { type: 'linear', title: { display: true, text: 'validation RMSE (standardised y)' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  /** Clears the chart; `score` names the validation score on the y axis (the family's). */
  reset(score = 'validation RMSE (standardised y)'): void {
    const y = this.chart.options.scales?.y;
    if (y && 'title' in y && y.title) y.title.text = score;
    this.step = 0;
    this.canvas.dataset.points = '0';
    this.chart.data.datasets = [];
    this.chart.update('none');
  }

  /** Adds a point for each progress event that carries a validation RMSE. */
  add(e: FitProgress): void {
    if (e.validationRmse === undefined || !Number.isFinite(e.validationRmse)) return;
    const label = `candidate ${e.candidate} (${e.phase})`;
    let ds = this.chart.data.datasets.find((d) => d.label === label);
    if (!ds) {
      const colour = COLOURS[this.chart.data.datasets.length % COLOURS.length];
      ds = { label, data: [], borderColor: colour, backgroundColor: colour, pointRadius: 3 };
      this.chart.data.datasets.push(ds);
    }
    ds.data.push({ x: ++this.step, y: e.validationRmse });
    this.canvas.dataset.points = String(this.step);
    this.chart.update('none');
  }
}
