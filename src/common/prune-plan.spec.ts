import { planPrune } from './prune-plan';

const DAY = 86_400_000;
const entries = [
  { name: 'a', usedAtMs: 0 * DAY, bytes: 100 },
  { name: 'b', usedAtMs: 5 * DAY, bytes: 300 },
  { name: 'c', usedAtMs: 8 * DAY, bytes: 200 },
  { name: 'd', usedAtMs: 9 * DAY, bytes: 400 },
];

describe('planPrune', () => {
  it('removes what is past the retention age', () => {
    // now = day 10, age limit 6 days: a (10 days) goes, b (5 days) stays; 1000 bytes fit under 10^6.
    expect(planPrune(entries, { nowMs: 10 * DAY, maxAgeMs: 6 * DAY, maxBytes: 1e6 })).toEqual(['a']);
  });
  it('then the least recently used until the rest fits', () => {
    // Total 1000. Age removes a (100): 900 left. Limit 500: b (300) -> 600, c (200) -> 400 fits.
    expect(planPrune(entries, { nowMs: 10 * DAY, maxAgeMs: 6 * DAY, maxBytes: 500 })).toEqual(['a', 'b', 'c']);
  });
  it('never removes an entry in use, even when that leaves it over the limit', () => {
    // keep a and d: removable b (300) and c (200); 1000 -> 500 with both gone, still over 400.
    expect(planPrune(entries, { nowMs: 10 * DAY, maxAgeMs: 100 * DAY, maxBytes: 400 }, new Set(['a', 'd']))).toEqual(['b', 'c']);
  });
  it('removes nothing when all is young and fits', () => {
    expect(planPrune(entries, { nowMs: 10 * DAY, maxAgeMs: 100 * DAY, maxBytes: 1000 })).toEqual([]);
  });
});
