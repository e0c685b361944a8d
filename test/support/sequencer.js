'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- jest loads the sequencer as CommonJS */
/**
 * Test order for two jest workers: the suites that take longest (real Docker tournaments, the crash
 * and schedule simulations, the service image) start first, so the run does not end with one
 * worker alone on a minute-long suite while the other sits idle. Jest orders by the durations it
 * recorded in earlier runs when it has them for every suite (a machine that ran the suites
 * before); on a fresh checkout it has none and would go by file size, which puts several of these
 * last. Within each group jest's own order is kept.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST_FIRST = [
  /chaos\.spec/,
  /tournament-docker\.spec/,
  /workers-docker\.spec/,
  /tournament-schedule\.spec/,
  /tournament-docker-(text|image)\.spec/,
  /tournament-orchestration\.spec/,
  /service-image\.spec/,
  /text-miner-docker\.spec/,
  /audit-reevaluate\.spec/,
  /evaluation-causality\.spec/,
  /sandbox-docker\.spec/,
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.every((test) => test.duration != null)) return sorted;
    const rank = (test) => {
      const i = LONGEST_FIRST.findIndex((pattern) => pattern.test(test.path));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
