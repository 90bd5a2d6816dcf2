/**
 * The one source of time. Every time-dependent rule takes `now` from a Clock
 * (never Date.now() in rules or SQL now()), so the test clock can move time.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (test mode, unit tests). */
export class TestClock implements Clock {
  private t: number;
  constructor(start: Date = new Date()) {
    this.t = start.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(to: Date): void {
    this.t = to.getTime();
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}
