import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

// Histograms carry no labels where one series answers the question: Prometheus text parsers
// (and dashboards) read an unlabelled histogram's buckets, sum and count most simply.

/**
 * What this process measures as it works (Prometheus instruments). Counts that live in the database
 * (runs by state, queues, weight sets, bundles) are read from it at scrape time instead, so an API
 * replica reports them although the worker, another process, changed them (src/metrics/).
 */
export const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics });

export const sandboxStartSeconds = new Histogram({
  name: 'crucible_sandbox_start_seconds',
  help: 'From asking the sandbox driver for a run to its container or Job existing',
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers: [processMetrics],
});

export const trainingSeconds = new Histogram({
  name: 'crucible_training_seconds',
  help: "A run's training in its sandbox, from the sandbox existing to the command's end",
  buckets: [1, 10, 30, 60, 300, 900, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600],
  registers: [processMetrics],
});

export const evaluationSeconds = new Histogram({
  name: 'crucible_evaluation_seconds',
  help: 'Scoring one model on the hidden test split',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 600],
  registers: [processMetrics],
});

export const evaluations = new Counter({
  name: 'crucible_evaluations_total',
  help: 'Models scored, by task type and result (ok, rejected, infra)',
  labelNames: ['task_type', 'result'],
  registers: [processMetrics],
});

export const evaluationExamples = new Counter({
  name: 'crucible_evaluation_examples_total',
  help: 'Test examples scored; with crucible_evaluation_seconds_sum it gives the throughput',
  labelNames: ['task_type'],
  registers: [processMetrics],
});

export const schedulerTickSeconds = new Histogram({
  name: 'crucible_scheduler_tick_seconds',
  help: "One pass of the worker's scheduler over every active tournament",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  registers: [processMetrics],
});

export const httpRequests = new Counter({
  name: 'crucible_http_requests_total',
  help: 'HTTP requests by route pattern (not the raw URL), method and status',
  labelNames: ['method', 'route', 'status'],
  registers: [processMetrics],
});

export const httpRequestSeconds = new Histogram({
  name: 'crucible_http_request_duration_seconds',
  help: 'HTTP requests by route pattern (not the raw URL), method and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetrics],
});
