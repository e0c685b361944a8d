import { CategoryScale, Chart as ChartJS, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { Line } from 'react-chartjs-2';
import type { MinerView } from '../api';

ChartJS.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler);

/** The share of emission each weight set gave a miner's uid, oldest first. */
export function WeightsChart({ weights }: { weights: MinerView['weights'] }) {
  return (
    <div className="chart small-chart">
      <Line
        data={{
          labels: weights.map((w) => `epoch ${w.epoch}`),
          datasets: [{ label: 'weight', data: weights.map((w) => w.weight), borderColor: '#2563eb', backgroundColor: 'rgba(37,99,235,0.15)', fill: true, pointRadius: 2 }],
        }}
        options={{ animation: false, maintainAspectRatio: false, scales: { y: { min: 0, title: { display: true, text: 'share of emission' } } } }}
      />
    </div>
  );
}
