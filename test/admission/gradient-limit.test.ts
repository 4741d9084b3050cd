import { fixedLimit, gradientLimit } from '../../src/admission/gradient-limit';

/** Feeds `windows` windows of 10 samples 10 ms apart, each of `rtt` ms with `inFlight` in flight. */
function feed(
  limit: ReturnType<typeof gradientLimit>,
  windows: number,
  rtt: number,
  inFlight: number,
  start = 0,
) {
  let now = start;
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 10; i++) {
      now += 11;
      limit.sample(rtt, inFlight, now);
    }
  }
  return now;
}

describe('gradientLimit()', () => {
  it('starts at 20', () => {
    expect(gradientLimit().current).toBe(20);
  });

  it('grows while the load uses it and latency holds', () => {
    const limit = gradientLimit();
    feed(limit, 20, 10, 1000);
    expect(limit.current).toBeGreaterThan(30);
  });

  it('does not grow while the load uses less than half of it', () => {
    const limit = gradientLimit();
    feed(limit, 50, 10, 5);
    expect(limit.current).toBe(20);
  });

  it('shrinks as latency rises above its usual level, and never below 2', () => {
    const limit = gradientLimit();
    const now = feed(limit, 50, 10, 1000);
    const before = limit.current;
    feed(limit, 5, 40, 1000, now);
    expect(limit.current).toBeLessThan(before * 0.8);
    feed(limit, 500, 4000, 1000, now + 1e6);
    expect(limit.current).toBeGreaterThanOrEqual(2);
  });

  it('stays at most 1000', () => {
    const limit = gradientLimit();
    feed(limit, 5000, 1, 1_000_000);
    expect(limit.current).toBe(1000);
  });

  it('waits for a whole window before it moves', () => {
    const limit = gradientLimit();
    for (let i = 0; i < 9; i++) limit.sample(1, 1000, i * 50);
    expect(limit.current).toBe(20);
  });
});

describe('fixedLimit()', () => {
  it('never moves', () => {
    const limit = fixedLimit(3);
    for (let i = 0; i < 100; i++) limit.sample(1000, 3, i * 100);
    expect(limit.current).toBe(3);
  });
});
