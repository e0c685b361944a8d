import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { checkAddress } from '@polkadot/util-crypto';
import type { EntrantEntity } from './entrant.entity';
import { repoUrlProblem } from './repo-url-rules';

export const SS58_PREFIX = 42;

@ValidatorConstraint({ name: 'ss58' })
export class Ss58AddressConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 64 && checkAddress(value, SS58_PREFIX)[0];
  }
  defaultMessage(): string {
    return `hotkey must be an SS58 address with prefix ${SS58_PREFIX}`;
  }
}

@ValidatorConstraint({ name: 'repoUrl' })
export class RepoUrlConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    // The same rules as a chain-commitment entry's URL (repo-url-rules.ts).
    return typeof value === 'string' && repoUrlProblem(value) === null;
  }
  defaultMessage(): string {
    return 'repoUrl must be an https:// URL of a git repository, without credentials';
  }
}

export class CreateSubmissionDto {
  @ApiProperty({ description: 'Tournament to enter (must be in its registration window)' })
  @IsUUID('all', { message: 'tournamentId must be a UUID' })
  tournamentId!: string;

  @ApiProperty({ example: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY' })
  @IsString()
  @Validate(Ss58AddressConstraint)
  hotkey!: string;

  @ApiProperty({ example: 'https://github.com/miner/trainer.git' })
  @IsString()
  @Validate(RepoUrlConstraint)
  repoUrl!: string;

  @ApiProperty({ example: '0123456789abcdef0123456789abcdef01234567', description: 'Full 40-hex commit SHA' })
  @IsString()
  @Matches(/^[0-9a-f]{40}$/, { message: 'commitSha must be a full 40-character lowercase hex commit SHA' })
  commitSha!: string;

  @ApiProperty({ description: 'Unix seconds at signing; part of the signed message' })
  @Type(() => Number)
  @IsInt({ message: 'signedAt must be an integer (unix seconds)' })
  @Min(0)
  @Max(2 ** 40)
  signedAt!: number;

  @ApiProperty({ description: 'sr25519 signature by the hotkey over the submission message: 0x + 128 hex' })
  @IsString()
  @MaxLength(130)
  @Matches(/^0x[0-9a-f]{128}$/i, { message: 'signature must be 0x followed by 128 hex characters (sr25519)' })
  signature!: string;
}

export class EntrantDto {
  @ApiProperty() id!: string;
  @ApiProperty() tournamentId!: string;
  @ApiProperty() hotkey!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) coldkey!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) uid!: number | null;
  @ApiProperty() repoUrl!: string;
  @ApiProperty() commitSha!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) treeHash!: string | null;
  @ApiProperty({ enum: ['http', 'chain'], description: 'A signed HTTP submission, or the hotkey\'s commitment on the subnet' }) source!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Chain entries: the block the commitment was written in' }) commitmentBlock!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Chain entries: the block the worker read the commitment at' }) readAtBlock!: number | null;
  @ApiProperty({ enum: ['accepted', 'rejected', 'withdrawn'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty() isChampion!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number }) eliminatedInRound!: number | null;
  @ApiProperty() receivedAt!: string;

  static from(e: EntrantEntity): EntrantDto {
    return {
      id: e.id,
      tournamentId: e.tournamentId,
      hotkey: e.hotkey,
      coldkey: e.coldkey,
      uid: e.uid,
      repoUrl: e.repoUrl,
      commitSha: e.commitSha,
      treeHash: e.treeHash,
      source: e.source,
      commitmentBlock: e.commitmentBlock,
      readAtBlock: e.readAtBlock,
      status: e.status,
      rejectionReason: e.rejectionReason,
      isChampion: e.isChampion,
      eliminatedInRound: e.eliminatedInRound,
      receivedAt: e.receivedAt.toISOString(),
    };
  }
}
