/**
 * What the daemon does with a request path before it picks a handler, for tests: moby serves its API with
 * gorilla/mux, which matches `req.URL.Path` (the path percent-decoded once, by Go's `net/url`), first cleans it
 * (`cleanPath`: Go's `path.Clean`, keeping a trailing slash) and answers `301` to the cleaned path when it differs,
 * then tries its routes' anchored regular expressions in order, a `{name:.*}` variable matching any text but a
 * line feed (slashes included).
 */

/** Go's `path.Clean`: one slash between elements, no `.` elements, `..` removes the element before it. */
export const goPathClean = (path: string): string => {
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

/** gorilla/mux's `cleanPath`: rooted `path.Clean` that keeps a trailing slash. */
export const muxCleanPath = (path: string): string => {
  if (path === "") return "/"
  const rooted = path.startsWith("/") ? path : `/${path}`
  const cleaned = goPathClean(rooted)
  return rooted.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned
}

/** Go's `url.PathUnescape` for the paths the SDK writes (valid escapes of UTF-8). */
export const decodePath = (path: string): string => decodeURIComponent(path)

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Route prefixes whose variables moby writes as plain `{id}` (gorilla's default `[^/]+`): the swarm router's. */
const SEGMENT_ONLY_ROUTES = ["/swarm", "/services/", "/nodes/", "/tasks/", "/secrets/", "/configs/"]

/**
 * The daemon's expression for an operation's route: `/v{version:[0-9.]+}` then the template, each `{param}`
 * matching any text as moby's `{name:.*}` does (containers, exec, images, networks, volumes, plugins,
 * distribution), or one segment for the swarm router's `{id}`. Captures the parameters in order.
 */
export const daemonRouteRegExp = (template: string): RegExp => {
  // Go's `.` matches every character but `\n` (JavaScript's also skips `\r`, U+2028 and U+2029).
  const variable = SEGMENT_ONLY_ROUTES.some((prefix) => template.startsWith(prefix)) ? "([^/]+)" : "([^\\n]*)"
  const parts = template.split(/(\{[^}]+\})/g)
  const body = parts.map((part) => part.startsWith("{") ? variable : escapeRegExp(part)).join("")
  return new RegExp(`^/v[0-9.]+${body}$`)
}
