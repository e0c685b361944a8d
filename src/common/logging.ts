import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream, Level, Logger as Pino } from 'pino';
import type { AppConfig } from '../config/app-config';
import { TextLogStream } from './text-log-stream';

const LEVELS: Record<AppConfig['logLevel'], Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** A caller's own id is kept when it is a plain token; anything else gets a fresh UUID. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request (correlation) id: the caller's X-Request-Id, else a new UUID. Answered in the
 * X-Request-Id header, on every log line of the request (`requestId`) and in a 500's `correlationId`.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * One pino logger per process: JSON lines (CRUCIBLE_LOG_FORMAT=json) or the same entries rendered
 * as text. Every entry is a message plus fields (`logger.log({ tournamentId, runId }, 'what happened')`).
 */
export function createPino(config: AppConfig, destination?: DestinationStream): Pino {
  const stream = destination ?? (config.logFormat === 'json' ? pino.destination({ dest: 1, sync: true }) : new TextLogStream());
  return pino(
    {
      level: LEVELS[config.logLevel],
      base: { pid: process.pid, role: config.role },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/**
 * Nest's logger for every role (nestjs-pino): request logs with method, route, status and time
 * (not /health, which probes call every few seconds), and each request's id on every line logged
 * while it is served.
 */
export function loggingModule(config: AppConfig, destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      logger: createPino(config, destination),
      genReqId: requestId,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      autoLogging: { ignore: (req) => req.url === '/health' },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
