import { statusPlanner } from '../../src/describe/status-plan';

describe('statusPlanner', () => {
  const plan = statusPlanner('spec');

  it('plans each error status once and gives the same plan every time', () => {
    expect(plan(503)).toBe(plan(503));
    expect(plan(418)).toBe(plan(418));
    expect(plan(418)).toMatchObject({ status: 418, title: "I'm a Teapot" });
  });

  it('never plans, nor remembers, what is no error status: that gets the 500 plan', () => {
    const internal = plan(500);
    const plans = new Set([399, 600, 503.5, -1, NaN, Infinity].map(plan));
    for (let status = 1_000_000; status < 1_050_000; status++) plans.add(plan(status));
    expect([...plans]).toEqual([internal]);
  });

  it('holds at most the 200 error statuses, however many are asked for', () => {
    const seen = new Set<unknown>();
    for (let round = 0; round < 3; round++) {
      for (let status = 0; status < 1000; status++) seen.add(plan(status));
    }
    expect(seen.size).toBe(200);
  });
});
