import { ApiProperty } from '@nestjs/swagger';

export class LogChallengeDto {
  @ApiProperty({ description: 'the exact text to sign (UTF-8) with the hotkey, sr25519', example: 'crucible-log-v1:<run id>:<nonce>' })
  challenge!: string;

  @ApiProperty({ description: 'after this time the challenge is refused', format: 'date-time' })
  expiresAt!: string;
}
