/**
 * A worker process for the restart test: starts one run, prints its runner ref, and waits. The test
 * kills this process with SIGKILL mid-run and adopts the container from a fresh executor.
 * argv: <root> <instance> <job JSON>
 */
import { makeDockerExecutor } from './docker-executor';
import type { TrainingJob } from '../../src/sandbox/training-executor';

async function main(): Promise<void> {
  const [root, instance, jobJson] = process.argv.slice(2);
  const job = JSON.parse(jobJson) as TrainingJob;
  const { executor } = makeDockerExecutor(root, instance);
  const result = await executor.execute(job, {
    onStarted: async (kind, ref) => {
      process.stdout.write(`STARTED ${kind} ${ref}\n`);
    },
  });
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main();
