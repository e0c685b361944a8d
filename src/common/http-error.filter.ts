import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
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

/** Every error response, whatever raised it: `details` is `{}` when there is nothing more to say. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The envelope as an OpenAPI schema: the document states it once and every operation refers to it. */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'code', 'message', 'details'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer', description: 'the HTTP status, repeated', example: 400 },
    code: { type: 'string', description: 'stable machine-readable code, e.g. VALIDATION_FAILED, NOT_FOUND, PAYLOAD_TOO_LARGE', example: 'VALIDATION_FAILED' },
    message: { type: 'string', description: 'what was wrong, for a person' },
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'structured facts (e.g. `fields` for a 400, `correlationId` for a 500, the id for a 404); may be empty',
    },
  },
} as const;

/** Adds the envelope to the document's shared schemas and makes it every operation's error response. */
export function documentErrorBody(doc: OpenAPIObject): OpenAPIObject {
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ErrorBody: ERROR_BODY_SCHEMA as never } };
  const response = {
    description: 'Any error: 4xx for the request (a 400 names the field), 5xx for the server (with a correlation id in details)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
  for (const item of Object.values(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (op) op.responses = { ...op.responses, default: response };
    }
  }
  return doc;
}

/**
 * SQLSTATE classes that mean "this value cannot be stored or compared" (22: data exception, e.g. a
 * NUL byte in text or an integer out of range; 54: program limit exceeded). Requests are checked at
 * the edge; a value that still reaches the database this way is the client's, not a server fault.
 */
const CLIENT_SQLSTATE_CLASSES = ['22', '54'];

/** The one place where errors become HTTP responses. Unknown errors never leak internals. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(error, req);
    if (res.headersSent) {
      res.socket?.destroy();
      return;
    }
    res.status(body.statusCode).type('application/json').json(body);
  }

  private toBody(error: unknown, req: Request): ErrorBody {
    if (error instanceof DomainError) {
      return { statusCode: STATUS[error.status], code: error.code, message: error.message, details: error.details ?? {} };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? error.message);
      return { statusCode: status, code: httpCode(status, error), message, details: {} };
    }
    const client = clientError(error) ?? this.databaseValueError(error, req);
    if (client) return client;
    // The request's id (X-Request-Id, on every log line of the request); a fresh one where no logging middleware ran.
    const requestId = 'id' in req ? req.id : undefined;
    const correlationId = typeof requestId === 'string' ? requestId : randomUUID();
    this.logger.error(
      { correlationId, method: req.method, path: req.path, error: error instanceof Error ? error.stack : String(error) },
      'unhandled error',
    );
    return { statusCode: 500, code: 'INTERNAL', message: 'internal error', details: { correlationId } };
  }

  private databaseValueError(error: unknown, req: Request): ErrorBody | null {
    if (!(error instanceof QueryFailedError)) return null;
    const sqlState = (error.driverError as { code?: unknown } | undefined)?.code;
    if (typeof sqlState !== 'string' || !CLIENT_SQLSTATE_CLASSES.includes(sqlState.slice(0, 2))) return null;
    this.logger.warn({ method: req.method, path: req.path, sqlState, error: error.message }, 'request value refused by the database');
    return {
      statusCode: 400,
      code: 'INVALID_VALUE',
      message: 'a value in the request cannot be stored or compared (out of range, or text the database cannot hold)',
      details: { sqlState },
    };
  }
}

/** body-parser's errors (http-errors with expose=true): the client's fault, said plainly. */
function clientError(error: unknown): ErrorBody | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
  if (typeof e.status !== 'number' || e.status < 400 || e.status >= 500 || e.expose !== true) return null;
  if (e.type === 'entity.too.large') return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'request body too large', details: {} };
  if (e.type === 'entity.parse.failed') {
    return { statusCode: 400, code: 'MALFORMED_JSON', message: `request body is not valid JSON: ${String(e.message)}`, details: {} };
  }
  return { statusCode: e.status, code: e.status === 400 ? 'BAD_REQUEST' : (HttpStatus[e.status] ?? 'BAD_REQUEST'), message: String(e.message), details: {} };
}

function httpCode(status: number, error: HttpException): string {
  if (status === 400) return error.name === 'BadRequestException' ? 'VALIDATION_FAILED' : 'BAD_REQUEST';
  return HttpStatus[status] ?? 'HTTP_ERROR';
}
