import type { Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { processMetrics } from './metrics';

/** Failures by duty (served at /metrics); which tournament failed is in the log line, not a label (ids are unbounded). */
const failures = new Counter({
  name: 'crucible_worker_duty_failures_total',
  help: 'Worker duties (a tournament step, run dispatch, weight setting, sealing, ...) that threw, by duty',
  labelNames: ['duty'],
  registers: [processMetrics],
});

/** How often `duty` has failed in this process. */
export async function dutyFailures(duty: string): Promise<number> {
  return (await failures.get()).values.find((v) => v.labels.duty === duty)?.value ?? 0;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Runs the worker's duties so that one failure stays its own: a duty that throws is logged at error
 * level (with its stack and the fields that name what failed, e.g. the tournament id) and counted,
 * and the caller goes on with the next duty. Nothing is retried here; the next tick tries again.
 */
export class DutyGuard {
  constructor(private readonly logger: Logger) {}

  /** Whether the duty completed. */
  async run(duty: string, fields: Record<string, unknown>, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (error) {
      failures.inc({ duty });
      this.logger.error({ duty, ...fields, error: errorText(error) }, `${duty} failed; next tick retries`);
      return false;
    }
  }
}
