import Docker from 'dockerode';

export const TRAINER_IMAGE = process.env.CRUCIBLE_SANDBOX_IMAGE ?? 'crucible/trainer-cpu:1';

/**
 * Sandbox suites run against a real engine. `npm test` sets it up first (scripts/setup.sh); a missing engine or image
 * fails the suite loudly rather than skipping it.
 */
export async function requireDocker(): Promise<Docker> {
  const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`Docker engine not reachable: run "bash scripts/setup.sh docker image" first (${String(error)})`);
  }
  try {
    await docker.getImage(TRAINER_IMAGE).inspect();
  } catch {
    throw new Error(`image ${TRAINER_IMAGE} missing: run "bash scripts/setup.sh image"`);
  }
  return docker;
}

export async function managedContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: JSON.stringify({ label: ['crucible.managed=true'] }) });
}
