/**
 * The raw `node:http` baseline of the request benchmarks: one GET, its body read as text.
 */
import * as http from "node:http"

/** Sends a GET with `options` (an agent or a socket path, a path) and resolves with the body as text. */
export const getText = (options: http.RequestOptions): Promise<string> =>
  new Promise<string>((resolve, reject) => {
    const req = http.get(options, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => body += c)
      res.on("end", () => resolve(body))
      res.on("error", reject)
    })
    req.on("error", reject)
  })
