/**
 * Go's `path.Clean`, which the docker CLI applies to `.dockerignore` patterns and the daemon's router to request
 * paths. Pure: no I/O, no Effect.
 *
 * @internal
 */

/**
 * Go's `path.Clean` for slash-separated paths: drops empty and `.` elements, resolves `..` where it can.
 *
 * @internal
 */
export const cleanPath = (path: string): string => {
  if (path === "") return "."
  const rooted = path.startsWith("/")
  const out: Array<string> = []
  for (const element of path.split("/")) {
    if (element === "" || element === ".") continue
    if (element === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop()
      else if (!rooted) out.push("..")
      continue
    }
    out.push(element)
  }
  const joined = out.join("/")
  return rooted ? `/${joined}` : joined === "" ? "." : joined
}
