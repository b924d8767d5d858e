/**
 * `npm run dashboard`: bundles the page with esbuild, and serves it from the allow-list proxy in front of the local
 * engine. The policy is the read-only preset plus start/stop of containers labelled `dashboard.actions=yes` (the
 * predicate inspects the container through the SDK). `PORT` picks the port (default 8080).
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as esbuild from "esbuild"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Containers from "../../src/Containers.ts"
import * as Operations from "../../src/generated/operations.ts"
import * as DockerNode from "../../src/platform/node.ts"
import * as Proxy from "../../src/platform/proxy.ts"
import * as ProxyPolicy from "../../src/ProxyPolicy.ts"

const here = fileURLToPath(new URL(".", import.meta.url))

/** Only containers labelled `dashboard.actions=yes` may be started or stopped from the page. */
const labelled = (request: ProxyPolicy.ProxyRequest) =>
  Containers.inspect(request.path["id"] ?? "").pipe(
    Effect.map((container) => container.Config?.Labels?.["dashboard.actions"] === "yes")
  )

export const policy: ProxyPolicy.Policy<never> = [
  ...ProxyPolicy.readOnly,
  ProxyPolicy.allow(Operations.ContainerStart, (r) => Effect.provide(labelled(r), DockerNode.layer())),
  ProxyPolicy.allow(Operations.ContainerStop, (r) => Effect.provide(labelled(r), DockerNode.layer()))
]

/** Bundles the page and starts the proxy; `close` stops it. */
export const startDashboard = async (options: { readonly port?: number } = {}) => {
  const bundle = await esbuild.build({
    entryPoints: [`${here}app.ts`],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    logLevel: "silent"
  })
  const ids = [...new Set(policy.map((entry) => ("operation" in entry ? entry.operation : entry).id))]
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(
    Proxy.serve({
      policy,
      port: options.port,
      assets: {
        "/": { contentType: "text/html; charset=utf-8", body: readFileSync(`${here}index.html`, "utf8") },
        "/app.js": { contentType: "text/javascript; charset=utf-8", body: bundle.outputFiles[0]!.text },
        "/policy.json": { contentType: "application/json", body: JSON.stringify(ids) }
      }
    }).pipe(Effect.provideService(Scope.Scope, scope))
  )
  return { url: server.url, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startDashboard({ port: Number(process.env["PORT"] ?? 8080) })
  console.log(`dashboard on ${url}`)
}
