import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerSandboxRunner } from '../../src/sandbox/docker/docker-sandbox-runner';
import { requireDocker, TRAINER_IMAGE } from '../support/docker-sandbox';
import { sandboxRunnerContract } from './sandbox-contract';

sandboxRunnerContract('docker', async () => {
  await requireDocker();
  const instance = `contract-docker-${process.pid}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-contract-docker-'));
  return {
    runner: DockerSandboxRunner.fromSocket(process.env.DOCKER_SOCKET ?? '/var/run/docker.sock', instance),
    instance,
    image: TRAINER_IMAGE,
    dataDir,
    close: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
});
