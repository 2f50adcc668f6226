// The rate ladder: paced production at rising rates, one step at a time, until the pipeline is
// far past its latency budget twice; the knee is the highest rate that kept p99 within it.

export interface LadderStep {
  /** Target events per second. */
  readonly rate: number;
  /** What the bench's producer achieved; below `rate` when the bench itself could not keep up. */
  readonly achieved_rate: number;
  /** The bench's own CPU per event while producing the step (it shares the machine with the pipeline). */
  readonly producer_us_per_email: number;
  readonly count: number;
  /** Rows stored before the step's wait ran out; below `count` means the pipeline fell behind for good. */
  readonly landed: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Beyond this multiple of the budget a step is "far over": the pipeline is not keeping up at all. */
export const FAR_OVER_BUDGET = 4;
/** Consecutive far-over steps after which climbing stops: higher rates would only grow a backlog. */
export const FAR_OVER_STEPS_TO_STOP = 2;

export function withinBudget(step: LadderStep, budgetMs: number): boolean {
  return step.landed === step.count && step.p99 <= budgetMs;
}

function farOver(step: LadderStep, budgetMs: number): boolean {
  return step.landed < step.count || step.p99 > FAR_OVER_BUDGET * budgetMs;
}

/** The highest rate whose p99 stayed within the budget with every event stored; null if none did. */
export function knee(steps: readonly LadderStep[], budgetMs: number): number | null {
  const fine = steps.filter((s) => withinBudget(s, budgetMs)).map((s) => s.rate);
  return fine.length === 0 ? null : Math.max(...fine);
}

/** Runs `step` for each rate in rising order; stops after FAR_OVER_STEPS_TO_STOP far-over steps in a row. */
export async function climbLadder(rates: readonly number[], budgetMs: number, step: (rate: number) => Promise<LadderStep>): Promise<{ steps: LadderStep[]; stopped_early: boolean }> {
  const steps: LadderStep[] = [];
  let farInARow = 0;
  for (const rate of [...rates].sort((a, b) => a - b)) {
    if (farInARow >= FAR_OVER_STEPS_TO_STOP) return { steps, stopped_early: true };
    const result = await step(rate);
    steps.push(result);
    farInARow = farOver(result, budgetMs) ? farInARow + 1 : 0;
  }
  return { steps, stopped_early: false };
}
