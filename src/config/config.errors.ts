/**
 * Thrown by loadConfig at boot with every problem found, so an organiser fixes them in one go.
 * Not a DomainError: config sits below common in the layer order, and a configuration problem
 * stops the process before any request is served (there is no HTTP status to map it to).
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
