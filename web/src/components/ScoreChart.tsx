import { Chart as ChartJS, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { Scatter } from 'react-chartjs-2';
import type { BoardRun, TournamentBoard } from '../api';

ChartJS.register(ScatterController, LinearScale, PointElement, Tooltip, Legend);

interface Point {
  x: number;
  y: number;
  label: string;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5', '#0d9488', '#9333ea'];

/** Few entrants: one colour each. Many: one colour per round, the entrant in the tooltip. */
const PER_ENTRANT_MAX = 12;

/**
 * Each entrant's score on each task it ran (its latest scored attempt), tasks along x in round and
 * slot order, with the task's base model as a reference mark.
 */
export function ScoreChart({ board, taskOrder }: { board: TournamentBoard; taskOrder: Array<{ taskId: string; label: string }> }) {
  const x = new Map(taskOrder.map((t, i) => [t.taskId, i]));
  const scored = new Map<string, BoardRun>();
  for (const r of board.runs) if (r.metricValue !== null && x.has(r.taskId)) scored.set(`${r.taskId}/${r.entrantId}`, r);
  const runs = [...scored.values()];
  if (runs.length === 0) return <p className="muted">No scores yet.</p>;

  const entrants = [...new Set(runs.map((r) => r.entrantId))];
  const roundIndex = new Map(board.rounds.map((r) => [r.roundId, r.index]));
  const groupOf = entrants.length <= PER_ENTRANT_MAX ? (r: BoardRun) => r.hotkey : (r: BoardRun) => `round ${(roundIndex.get(r.roundId) ?? 0) + 1}`;
  const groups = new Map<string, Point[]>();
  for (const r of runs) {
    const key = groupOf(r);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push({ x: x.get(r.taskId)!, y: r.metricValue!, label: r.hotkey });
  }
  const datasets: Array<ChartDataset<'scatter', Point[]>> = [...groups.entries()].map(([name, data], i) => ({
    label: name,
    data,
    backgroundColor: PALETTE[i % PALETTE.length],
    pointRadius: 3,
  }));
  const base = board.baselines.filter((b) => x.has(b.taskId)).map((b) => ({ x: x.get(b.taskId)!, y: b.metricValue, label: 'base model' }));
  if (base.length) datasets.push({ label: 'base model', data: base, backgroundColor: '#111827', pointStyle: 'line', pointRadius: 10, borderColor: '#111827', borderWidth: 2 });
  const metric = runs[0].metricName ?? 'metric';
  const directions = new Set(taskOrder.map((t) => board.directions[t.taskId]).filter(Boolean));
  const better = directions.size === 1 ? `${[...directions][0]} is better` : 'better: see each task type';

  return (
    <div className="chart" data-testid="score-chart">
      <Scatter
        data={{ datasets }}
        options={{
          animation: false,
          maintainAspectRatio: false,
          scales: {
            x: {
              type: 'linear',
              min: -0.5,
              max: taskOrder.length - 0.5,
              ticks: { stepSize: 1, callback: (v) => taskOrder[Number(v)]?.label ?? '' },
              title: { display: true, text: 'task (round · slot)' },
            },
            y: { title: { display: true, text: `${metric} (${better})` } },
          },
          plugins: {
            legend: { position: 'bottom' },
            tooltip: { callbacks: { label: (ctx) => `${(ctx.raw as Point).label}: ${(ctx.raw as Point).y.toFixed(4)}` } },
          },
        }}
      />
    </div>
  );
}
