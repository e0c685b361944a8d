import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { pendingMigrations } from '../db/data-source';

interface HealthBody {
  status: 'ok' | 'unavailable';
  role: string;
  database: { engine: 'postgresql' | 'pglite'; reachable: boolean; pendingMigrations: string[] };
}

/** Liveness and readiness in one: ok only when the database answers and every migration is applied. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness and readiness (database reachable, migrations applied)' })
  @ApiOkResponse({ description: '{ status: "ok" } or 503 with the reason' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthBody> {
    let reachable = false;
    let pending: string[] = [];
    try {
      await this.ds.query('SELECT 1');
      reachable = true;
      pending = await pendingMigrations(this.ds);
    } catch {
      reachable = false;
    }
    const ok = reachable && pending.length === 0;
    if (!ok) res.status(503);
    return {
      status: ok ? 'ok' : 'unavailable',
      role: this.config.role,
      database: { engine: this.config.database.url ? 'postgresql' : 'pglite', reachable, pendingMigrations: pending },
    };
  }
}
