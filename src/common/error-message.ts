// Checked by shape, not `instanceof Error`: errors from Node's own modules come from another realm
// under the test runner's VM contexts, and instanceof would miss them there.

/** The message of anything thrown (an error's message; anything else as text), for logs and CLI output. */
export function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : String(error);
}

/** The errno-style code of a Node.js system error ('ENOENT', 'EEXIST', ...), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
