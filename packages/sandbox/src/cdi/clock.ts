/**
 * The sandbox's simulated clock: `speed` simulated seconds pass per real second. Real time comes from an injected
 * source so that tests can drive it.
 */
export class SimulatedClock {
  private readonly startedAt: number;

  constructor(
    readonly speed: number,
    private readonly realSeconds: () => number = () => performance.now() / 1000,
  ) {
    if (!(speed > 0)) throw new Error(`SimulatedClock: speed must be > 0, got ${speed}`);
    this.startedAt = realSeconds();
  }

  /** Simulated seconds since the clock started. */
  seconds(): number {
    return (this.realSeconds() - this.startedAt) * this.speed;
  }
}
