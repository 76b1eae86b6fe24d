import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapBounded } from '#lib/map-bounded.ts';

describe('mapBounded', () => {
  it('keeps order and never exceeds the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(5), { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        async (delays, limit) => {
          let inFlight = 0;
          let peak = 0;
          const results = await mapBounded(delays, limit, async (delay, index) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await new Promise((done) => setTimeout(done, delay));
            inFlight--;
            return index * 2;
          });
          expect(results).toEqual(delays.map((_, index) => index * 2));
          expect(peak).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('stops starting work after a failure and rejects with it', async () => {
    const started: number[] = [];
    const failure = await mapBounded([0, 1, 2, 3, 4, 5], 1, async (item) => {
      started.push(item);
      if (item === 2) throw new Error('boom');
      return item;
    }).catch((error: unknown) => error);
    expect((failure as Error).message).toBe('boom');
    expect(started).toEqual([0, 1, 2]);
  });
});
