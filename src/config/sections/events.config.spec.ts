import { describeVariables } from '../../../test/support/config-cases';
import { readEventsConfig, type EventsConfig } from './events.config';

describe('events config', () => {
  describeVariables<EventsConfig>(readEventsConfig, [
    {
      name: 'CRUCIBLE_EVENTS_POLL_MS',
      get: (c) => c.pollMs,
      unset: 500,
      valid: [['10', 10], ['60000', 60000]],
      invalid: [['9', 'CRUCIBLE_EVENTS_POLL_MS must be an integer between 10 and 60000 (got "9")']],
    },
    {
      name: 'CRUCIBLE_EVENTS_HEARTBEAT_MS',
      get: (c) => c.heartbeatMs,
      unset: 15000,
      valid: [['50', 50], ['600000', 600000]],
      invalid: [['600001', 'CRUCIBLE_EVENTS_HEARTBEAT_MS must be an integer between 50 and 600000 (got "600001")']],
    },
    {
      name: 'CRUCIBLE_EVENTS_RETENTION_HOURS',
      get: (c) => c.retentionHours,
      unset: 72,
      valid: [['1', 1], ['8760', 8760]],
      invalid: [['8761', 'CRUCIBLE_EVENTS_RETENTION_HOURS must be an integer between 1 and 8760 (got "8761")']],
    },
    {
      name: 'CRUCIBLE_EVENTS_CLIENT_MAX_LAG',
      get: (c) => c.maxClientLag,
      unset: 10000,
      valid: [['1', 1], ['10000000', 10000000]],
      invalid: [['0', 'CRUCIBLE_EVENTS_CLIENT_MAX_LAG must be an integer between 1 and 10000000 (got "0")']],
    },
  ]);
});
