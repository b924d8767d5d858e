/**
 * Rotated, interleaved rounds for the stream benchmarks: in round `r` the implementations run in the order
 * `r, r+1, …` (mod n), each for a turn of `runs` consecutive runs whose median is the round's time. A ratio is computed
 * per round, between times taken in that same round, and reported as the median and range over the rounds, so a drift
 * in machine load lands on every implementation alike instead of on whichever ran last.
 */
import * as os from "node:os"

/** One implementation; `run` returns a count that `check` validates (payload bytes, values, …). */
export interface Contender<I> {
  readonly name: string
  readonly run: (input: I) => number | Promise<number>
  /** Runs per turn (default the `runs` option); slow implementations may take fewer. */
  readonly runs?: number
  /** Called before each run, outside the timing (e.g. to give an implementation that overwrites its input a fresh copy). */
  readonly setup?: (input: I) => void
}

export interface RoundsOptions {
  /** Rounds (default 7, at least 5). */
  readonly rounds?: number
  /** Runs per turn (default 3). */
  readonly runs?: number
  /** Warm-up runs of each implementation before the first round (default 2). */
  readonly warmup?: number
  /** Throws when a run's count is wrong. */
  readonly check: (name: string, count: number) => void
}

/** Per implementation, the time (ms) of each round. */
export type RoundTimes = ReadonlyArray<ReadonlyArray<number>>

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const runRounds = async <I>(
  contenders: ReadonlyArray<Contender<I>>,
  input: I,
  options: RoundsOptions
): Promise<RoundTimes> => {
  const rounds = Math.max(5, options.rounds ?? 7)
  const runs = options.runs ?? 3
  const warmup = options.warmup ?? 2
  for (const contender of contenders) {
    for (let i = 0; i < Math.min(warmup, contender.runs ?? warmup); i++) {
      contender.setup?.(input)
      await contender.run(input)
    }
  }
  const times: Array<Array<number>> = contenders.map(() => [])
  const n = contenders.length
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < n; k++) {
      const i = (round + k) % n
      const contender = contenders[i]!
      const turn: Array<number> = []
      for (let run = 0; run < (contender.runs ?? runs); run++) {
        contender.setup?.(input)
        const start = performance.now()
        const count = await contender.run(input)
        turn.push(performance.now() - start)
        options.check(contender.name, count)
      }
      times[i]!.push(median(turn))
    }
  }
  return times
}

/** Median and range of `times[a] / times[b]` over the rounds (a time ratio: below 1 means `a` is faster). */
export const timeRatio = (times: RoundTimes, a: number, b: number): Summary =>
  summarize(
    times[a]!.map((t, round) => t / times[b]![round]!)
  )

/** Median and range of `times[b] / times[a]` over the rounds (a throughput ratio: above 1 means `a` is faster). */
export const speedRatio = (times: RoundTimes, a: number, b: number): Summary => timeRatio(times, b, a)

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
}

export const summarize = (values: ReadonlyArray<number>): Summary => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values)
})

/** `0.85x (0.80-0.90)`. */
export const showRatio = (s: Summary, digits = 2): string =>
  `${s.median.toFixed(digits)}x (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`

/** The median time of each implementation over the rounds. */
export const medianTime = (times: RoundTimes, i: number): number => median(times[i]!)

export const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ")

/** The first lines every stream benchmark prints: date, machine, Node, load average. */
export const header = (title: string): void => {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU"
  console.log(`${title}; ${new Date().toISOString().slice(0, 16).replace("T", " ")}`)
  console.log(`${os.cpus().length} CPUs, ${cpu}; Node ${process.version}; load average ${loadAverage()} (1/5/15 min)\n`)
}
