import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { LogChallengeDto } from './run-log.dto';
import { RunLogService } from './run-log.service';

@ApiTags('runs')
@Controller('api/runs/:id/log')
export class RunLogController {
  constructor(private readonly logs: RunLogService) {}

  /** A short-lived, single-use challenge the entry's hotkey signs to read the log before the round is decided. */
  @Post('challenge')
  @HttpCode(200)
  @ApiOkResponse({ type: LogChallengeDto })
  async challenge(@Param('id', ParseUUIDPipe) id: string): Promise<LogChallengeDto> {
    const issued = await this.logs.challenge(id);
    return { challenge: issued.challenge, expiresAt: issued.expiresAt.toISOString() };
  }

  /** The run's combined stdout/stderr (capped, secrets redacted): public once the round is decided. */
  @Get()
  @ApiProduces('text/plain')
  @ApiHeader({ name: 'X-Crucible-Hotkey', required: false, description: "the entry's hotkey (SS58), before the round is decided" })
  @ApiHeader({ name: 'X-Crucible-Challenge', required: false, description: 'a challenge from POST /api/runs/:id/log/challenge' })
  @ApiHeader({ name: 'X-Crucible-Signature', required: false, description: 'sr25519 signature of the challenge by the hotkey, 0x + 128 hex' })
  @ApiOkResponse({ description: 'text/plain log' })
  async read(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('x-crucible-hotkey') hotkey: string | undefined,
    @Headers('x-crucible-challenge') challenge: string | undefined,
    @Headers('x-crucible-signature') signature: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const log = await this.logs.read(id, { hotkey, challenge, signature });
    res
      .status(200)
      .set({
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        // A log read with a signature is the miner's alone: no shared cache keeps it.
        'Cache-Control': log.public ? 'no-cache' : 'private, no-store',
      })
      .send(log.text);
  }
}
