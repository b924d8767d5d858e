/**
 * What `docker stats` shows, computed from the daemon's stats samples the way the docker CLI does: CPU %, memory
 * usage without the page cache, memory %, network and block I/O, process count. Pure functions of one sample
 * (`Containers.stats` / `Containers.statsOnce`), so they work on recorded samples too.
 *
 * @since 0.1.0
 */
import type * as Models from "./generated/schemas.ts"

type Sample = Models.ContainerStatsResponse

const num = (value: number | bigint | undefined): number => value === undefined ? 0 : Number(value)

/**
 * The number of CPUs the sample covers: `online_cpus`, or the length of `percpu_usage` for older daemons.
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.onlineCpus({ cpu_stats: { online_cpus: 4 } }) // 4
 * ```
 * @since 0.1.0
 * @category cpu
 */
export const onlineCpus = (sample: Sample): number => {
  const online = sample.cpu_stats?.online_cpus ?? 0
  return online > 0 ? online : sample.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0
}

/**
 * CPU usage in percent of one CPU (so up to 100 × CPUs), between the sample and its `precpu_stats`:
 * `cpuDelta / systemDelta × onlineCPUs × 100`, 0 when either delta is not positive (e.g. a one-shot sample, which
 * has no previous reading).
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.cpuPercent({
 *   cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
 *   precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 }
 * }) // 40
 * ```
 * @since 0.1.0
 * @category cpu
 */
export const cpuPercent = (sample: Sample): number => {
  const cpuDelta = num(sample.cpu_stats?.cpu_usage?.total_usage) - num(sample.precpu_stats?.cpu_usage?.total_usage)
  const systemDelta = num(sample.cpu_stats?.system_cpu_usage) - num(sample.precpu_stats?.system_cpu_usage)
  if (cpuDelta <= 0 || systemDelta <= 0) return 0
  return (cpuDelta / systemDelta) * onlineCpus(sample) * 100
}

/**
 * CPU usage between two samples of the same container, for callers that keep their own previous sample (e.g. two
 * one-shot samples): the same formula with `previous.cpu_stats` in place of `precpu_stats`.
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * declare const before: Stats.Sample
 * declare const after: Stats.Sample
 * const percent = Stats.cpuPercentBetween(before, after)
 * ```
 * @since 0.1.0
 * @category cpu
 */
export const cpuPercentBetween = (previous: Sample, current: Sample): number => {
  const precpu = previous.cpu_stats
  return cpuPercent(precpu === undefined ? { ...current, precpu_stats: {} } : { ...current, precpu_stats: precpu })
}

/**
 * A stats sample, as `Containers.stats` yields it.
 *
 * @since 0.1.0
 * @category models
 */
export type { Sample }

/**
 * Memory in use, without the inactive page cache, as the docker CLI computes it: `usage` minus
 * `total_inactive_file` (cgroup v1) when it is below `usage`, else minus `inactive_file` (cgroup v2); for samples
 * with neither, minus `cache` (the API documentation's cgroup v1 formula).
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.memoryUsage({ memory_stats: { usage: 100, stats: { inactive_file: 30 } } }) // 70
 * ```
 * @since 0.1.0
 * @category memory
 */
export const memoryUsage = (sample: Sample): number => {
  const memory = sample.memory_stats
  const usage = num(memory?.usage)
  const stats = memory?.stats ?? {}
  const totalInactive = stats["total_inactive_file"]
  if (totalInactive !== undefined && num(totalInactive) < usage) return usage - num(totalInactive)
  const inactive = stats["inactive_file"]
  if (inactive !== undefined) return num(inactive) < usage ? usage - num(inactive) : usage
  const cache = stats["cache"]
  if (cache !== undefined && num(cache) < usage) return usage - num(cache)
  return usage
}

/**
 * The memory limit of the container (the host's memory when it has none).
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.memoryLimit({ memory_stats: { limit: 1024 } }) // 1024
 * ```
 * @since 0.1.0
 * @category memory
 */
export const memoryLimit = (sample: Sample): number => num(sample.memory_stats?.limit)

/**
 * {@link memoryUsage} in percent of {@link memoryLimit}; 0 without a limit.
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.memoryPercent({ memory_stats: { usage: 300, limit: 1000, stats: { total_inactive_file: 50 } } }) // 25
 * ```
 * @since 0.1.0
 * @category memory
 */
export const memoryPercent = (sample: Sample): number => {
  const limit = memoryLimit(sample)
  return limit === 0 ? 0 : (memoryUsage(sample) / limit) * 100
}

/**
 * Bytes received and sent over all network interfaces.
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.networkIO({ networks: { eth0: { rx_bytes: 10, tx_bytes: 5 }, eth1: { rx_bytes: 1, tx_bytes: 1 } } })
 * // { rx: 11, tx: 6 }
 * ```
 * @since 0.1.0
 * @category io
 */
export const networkIO = (sample: Sample): { readonly rx: number; readonly tx: number } => {
  let rx = 0
  let tx = 0
  for (const network of Object.values(sample.networks ?? {})) {
    rx += num(network.rx_bytes)
    tx += num(network.tx_bytes)
  }
  return { rx, tx }
}

/**
 * Bytes read and written by block devices (`io_service_bytes_recursive`, as the CLI sums it).
 *
 * @example
 * ```ts
 * import { Stats } from "effect-docker"
 * Stats.blockIO({
 *   blkio_stats: { io_service_bytes_recursive: [{ op: "read", value: 4096 }, { op: "Write", value: 10 }] }
 * })
 * // { read: 4096, write: 10 }
 * ```
 * @since 0.1.0
 * @category io
 */
export const blockIO = (sample: Sample): { readonly read: number; readonly write: number } => {
  let read = 0
  let write = 0
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (entry.op ?? "").toLowerCase()
    if (op === "read") read += num(entry.value)
    else if (op === "write") write += num(entry.value)
  }
  return { read, write }
}

/**
 * One line of `docker stats`, as numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly cpuPercent: number
  readonly memoryUsage: number
  readonly memoryLimit: number
  readonly memoryPercent: number
  readonly networkRx: number
  readonly networkTx: number
  readonly blockRead: number
  readonly blockWrite: number
  readonly pids: number
}

/**
 * Everything `docker stats` shows for one sample.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Stats } from "effect-docker"
 * const line = Containers.statsOnce("web").pipe(Effect.map(Stats.summary))
 * ```
 * @since 0.1.0
 * @category summary
 */
export const summary = (sample: Sample): Summary => {
  const network = networkIO(sample)
  const block = blockIO(sample)
  return {
    cpuPercent: cpuPercent(sample),
    memoryUsage: memoryUsage(sample),
    memoryLimit: memoryLimit(sample),
    memoryPercent: memoryPercent(sample),
    networkRx: network.rx,
    networkTx: network.tx,
    blockRead: block.read,
    blockWrite: block.write,
    pids: num(sample.pids_stats?.current)
  }
}
