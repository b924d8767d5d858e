/**
 * What the runtime says about this machine's processes, read through the `process` global that Node, Deno and Bun
 * all provide (and browsers do not): this process's id, the machine's host name, and whether a process id exists.
 *
 * @internal
 */

interface ProcessGlobal {
  readonly pid?: unknown
  readonly kill?: (pid: number, signal: number) => unknown
  readonly report?: { readonly getReport?: () => unknown }
}

const processGlobal = (): ProcessGlobal | undefined => {
  const candidate = (globalThis as { readonly process?: unknown }).process
  return typeof candidate === "object" && candidate !== null ? candidate as ProcessGlobal : undefined
}

/** This process's id, when the runtime has one. @internal */
export const currentPid = (): number | undefined => {
  const pid = processGlobal()?.pid
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

let hostName: string | undefined | null = null

/** The machine's host name (from the runtime's diagnostic report, read once), when the runtime can tell. @internal */
export const currentHost = (): string | undefined => {
  if (hostName !== null) return hostName
  hostName = undefined
  try {
    const report = processGlobal()?.report?.getReport?.()
    const host = (report as { readonly header?: { readonly host?: unknown } } | undefined)?.header?.host
    if (typeof host === "string" && host !== "") hostName = host
  } catch {
    // no report on this runtime: the host stays unknown
  }
  return hostName
}

/**
 * Whether a process with this id exists on this machine: signal 0 checks without sending anything. `ESRCH` means
 * it does not; `EPERM` means it does (owned by someone else); anything else, or no `process.kill`, is unknown.
 *
 * @internal
 */
export const isRunning = (pid: number): boolean | undefined => {
  const kill = processGlobal()?.kill
  if (kill === undefined || !Number.isSafeInteger(pid) || pid <= 0) return undefined
  try {
    kill.call(processGlobal(), pid, 0)
    return true
  } catch (error) {
    const code = (error as { readonly code?: unknown } | null)?.code
    return code === "ESRCH" ? false : code === "EPERM" ? true : undefined
  }
}
