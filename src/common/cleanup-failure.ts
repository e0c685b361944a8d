import type { Logger } from '@nestjs/common';
import { errorText } from './duty-guard';

/**
 * The catch handler for cleanup after a failure that is already being reported (removing a sandbox
 * or files of a run that did not start): the cleanup's own error is logged at warn level with what it
 * was, never dropped, and does not replace the first error.
 */
export function logCleanupFailure(logger: Logger, what: string, fields: Record<string, unknown> = {}): (error: unknown) => void {
  return (error) => logger.warn({ ...fields, error: errorText(error) }, `${what} failed`);
}
