import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, ErrorStatus } from './domain-error';

const STATUS: Record<ErrorStatus, number> = {
  bad_request: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  correlationId?: string;
}

/** The one place where errors become HTTP responses. Unknown errors never leak internals. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(error, req);
    res.status(body.statusCode).json(body);
  }

  private toBody(error: unknown, req: Request): ErrorBody {
    if (error instanceof DomainError) {
      return { statusCode: STATUS[error.status], code: error.code, message: error.message, details: error.details };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? error.message);
      return { statusCode: status, code: httpCode(status, error), message };
    }
    const client = clientError(error);
    if (client) return client;
    const correlationId = randomUUID();
    this.logger.error(
      { correlationId, method: req.method, path: req.path, error: error instanceof Error ? error.stack : String(error) },
      'unhandled error',
    );
    return { statusCode: 500, code: 'INTERNAL', message: 'internal error', correlationId };
  }
}

/** body-parser's errors (http-errors with expose=true): the client's fault, said plainly. */
function clientError(error: unknown): ErrorBody | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
  if (typeof e.status !== 'number' || e.status < 400 || e.status >= 500 || e.expose !== true) return null;
  if (e.type === 'entity.too.large') return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' };
  if (e.type === 'entity.parse.failed') return { statusCode: 400, code: 'MALFORMED_JSON', message: `request body is not valid JSON: ${String(e.message)}` };
  return { statusCode: e.status, code: 'BAD_REQUEST', message: String(e.message) };
}

function httpCode(status: number, error: HttpException): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400) return error.name === 'BadRequestException' ? 'VALIDATION_FAILED' : 'BAD_REQUEST';
  return HttpStatus[status] ?? 'HTTP_ERROR';
}
