/** Injected so schedulers and tests agree on "now", and so waits (retry backoff) need no real time in tests. */
export abstract class Clock {
  abstract now(): Date;
  /** Resolves after `ms` of this clock's time. */
  abstract sleep(ms: number): Promise<void>;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** A clock tests move by hand; sleeping moves it forward at once. */
export class ManualClock extends Clock {
  constructor(private current: Date = new Date('2026-01-01T00:00:00Z')) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
