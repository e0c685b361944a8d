import 'reflect-metadata';
import { INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ValidationError as ClassValidationError } from 'class-validator';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AppConfig, loadConfig, Role } from './config/app-config';
import { ValidationError } from './common/domain-error';
import { documentErrorBody, HttpErrorFilter } from './common/http-error.filter';
import { answerClientErrors, requireKnownBodyType, SafeInputPipe } from './common/request-guards';
import { recordHttpMetrics } from './metrics/http-metrics.middleware';

/** Request bodies are small JSON documents; anything bigger is refused with 413 before parsing. */
export const MAX_BODY = '64kb';

/** Applies everything that makes the HTTP surface behave the same in production and in tests. */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: MAX_BODY });
  express.useBodyParser('urlencoded', { limit: MAX_BODY, extended: false });
  express.use(recordHttpMetrics);
  express.use(requireKnownBodyType);
  answerClientErrors(express.getHttpServer());
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new SafeInputPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => toValidationError(errors),
    }),
  );
  const doc = new DocumentBuilder()
    .setTitle('Crucible')
    .setDescription('Tournament orchestrator for miner training scripts: tournaments, submissions, runs, leaderboard, weights, audit.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => documentErrorBody(SwaggerModule.createDocument(app, doc)), { jsonDocumentUrl: 'docs-json' });
  app.enableShutdownHooks();
}

function toValidationError(errors: ClassValidationError[]): ValidationError {
  const fields: string[] = [];
  const messages: string[] = [];
  const walk = (list: ClassValidationError[], prefix: string) => {
    for (const e of list) {
      const field = prefix ? `${prefix}.${e.property}` : e.property;
      if (e.constraints) {
        fields.push(field);
        messages.push(...Object.values(e.constraints));
      }
      if (e.children?.length) walk(e.children, field);
    }
  };
  walk(errors, '');
  return new ValidationError(messages.join('; '), fields);
}

/** The app for a role; its log lines (pino, JSON or text by config) go to stdout, or to `logDestination`. */
export async function createApp(config: AppConfig, role: Role = config.role, logDestination?: DestinationStream): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(config, role, logDestination), {
    bufferLogs: true,
    bodyParser: false,
    // A module that fails to start throws to the caller (the CLI prints it and exits 1) instead of Nest calling
    // process.exit itself, which would also end a test process that hosts several apps.
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  configureHttp(app);
  return app;
}

export async function serve(role?: Role): Promise<NestExpressApplication> {
  const config = loadConfig(undefined, role ? { role } : {});
  const app = await createApp(config, config.role);
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log({ url: `http://${config.host}:${config.port}`, docs: '/docs' }, 'Crucible listening');
  return app;
}

if (require.main === module) {
  serve().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
