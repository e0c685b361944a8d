import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A challenge a miner signs to read its run's log before the round is decided; deleted when used. */
@Entity('log_challenges')
export class LogChallengeEntity {
  @PrimaryColumn('varchar', { length: 160 }) challenge!: string;
  @Column('uuid') runId!: string;
  @Column('timestamptz') expiresAt!: Date;
}
