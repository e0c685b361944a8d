import { Injectable, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ValidationError } from './domain-error';
import type { ErrorBody } from './http-error.filter';

/** Request bodies are flat DTOs; a document nested deeper than this is refused before validation. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Runs before validation on every body, query and path value: refuses NUL bytes (PostgreSQL text
 * cannot hold them) and documents nested deeper than MAX_INPUT_DEPTH (validation recurses, and a
 * 10,000-level body under the size limit overflowed its stack). The walk is iterative.
 */
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: { type: string; data?: string }): unknown {
    const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: metadata.data ?? '', depth: 0 }];
    while (stack.length) {
      const { value: v, path, depth } = stack.pop()!;
      if (typeof v === 'string') {
        if (v.includes('\u0000')) throw new ValidationError(`${path || metadata.type} must not contain a NUL byte`, [path || metadata.type]);
        continue;
      }
      if (typeof v !== 'object' || v === null) continue;
      if (depth >= MAX_INPUT_DEPTH) throw new ValidationError(`${metadata.type} nests deeper than ${MAX_INPUT_DEPTH} levels`, [path]);
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) throw new ValidationError(`${metadata.type} has a field name with a NUL byte`, [path || metadata.type]);
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
    return value;
  }
}

const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/** A request that carries a body must say it is JSON (or a form): anything else is a 415, not a confusing 400. */
export function requireKnownBodyType(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (hasBody && !BODY_TYPES.includes(type)) {
    next(new UnsupportedMediaTypeException(`request bodies must be application/json (got ${type || 'no content type'})`));
    return;
  }
  next();
}

/**
 * Requests Node's HTTP parser rejects never reach Express (a NUL in a header or the path, headers
 * or URL over the 16 KB limit): answer them in the same JSON envelope instead of Node's empty 400.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body: ErrorBody =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'the request line and headers exceed the 16 KB limit', details: {} }
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? { statusCode: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time', details: {} }
          : { statusCode: 400, code: 'MALFORMED_REQUEST', message: 'the request is not valid HTTP (e.g. a NUL byte in the path or a header)', details: { parserError: error.code ?? 'unknown' } };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}
