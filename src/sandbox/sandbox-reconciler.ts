import { Logger } from '@nestjs/common';
import { SandboxRunner, type ManagedSandbox } from './sandbox-runner';

export interface ReconcilePlan {
  /** Sandboxes of live runs: the engine should call TrainingExecutor.adopt() for these. */
  adopt: ManagedSandbox[];
  /** Sandboxes of runs the database no longer considers live: stopped and removed. */
  removed: ManagedSandbox[];
  /** Live run ids with no sandbox at all (lost with the node, or never started): the engine decides. */
  missing: string[];
}

/**
 * Restart safety: at startup the tournament engine passes the run ids its database considers live
 * (starting/running); labelled sandboxes of other runs are orphans and are removed.
 */
export class SandboxReconciler {
  private readonly logger = new Logger(SandboxReconciler.name);

  constructor(private readonly runner: SandboxRunner) {}

  async reconcile(liveRunIds: ReadonlySet<string>): Promise<ReconcilePlan> {
    const plan: ReconcilePlan = { adopt: [], removed: [], missing: [] };
    for (const sandbox of await this.runner.listManaged()) {
      if (liveRunIds.has(sandbox.runId)) {
        plan.adopt.push(sandbox);
        continue;
      }
      await this.runner.cancel(sandbox.ref, 0);
      await this.runner.cleanup(sandbox.ref);
      plan.removed.push(sandbox);
      this.logger.warn({ runId: sandbox.runId, runnerRef: sandbox.ref }, 'removed orphan sandbox');
    }
    const seen = new Set(plan.adopt.map((s) => s.runId));
    plan.missing = [...liveRunIds].filter((id) => !seen.has(id));
    return plan;
  }
}
