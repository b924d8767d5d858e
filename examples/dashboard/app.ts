/**
 * The dashboard page: the browser build of the SDK (`effect-docker/fetch`, bundled by esbuild) against the
 * allow-list proxy that serves it. Containers with state and image, live CPU and memory of the selected container
 * from the stats stream (small SVG charts), its followed logs, the event feed, and start/stop buttons shown only
 * when the proxy's policy (`/policy.json`) allows them. A refused action shows the SDK's typed error.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Containers from "../../src/Containers.ts"
import type * as Docker from "../../src/Docker.ts"
import * as Events from "../../src/Events.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as Stats from "../../src/Stats.ts"

const layer = DockerFetch.layer({ baseUrl: location.origin })
const run = <A, E>(effect: Effect.Effect<A, E, Docker.Docker>) => Effect.runFork(Effect.provide(effect, layer))
const $ = (id: string) => document.getElementById(id)!
const el = (tag: string, props: Record<string, string> = {}, text = "") => {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) node.setAttribute(k, v)
  node.textContent = text
  return node
}

let allowed = new Set<string>()
let selected: string | undefined
let followers: Array<Fiber.Fiber<unknown, unknown>> = []
const cpu: Array<number> = []
const mem: Array<number> = []
let samples = 0

/** A small line chart of the last 60 values, newest at the right, scaled to the largest (at least `floor`). */
const chart = (id: string, values: ReadonlyArray<number>, floor: number, label: string) => {
  const max = Math.max(floor, ...values) * 1.15
  const points = values.map((v, i) => `${300 - (values.length - 1 - i) * 5},${64 - (v / max) * 60}`).join(" ")
  const area = `${300 - (values.length - 1) * 5},64 ${points} 300,64`
  $(id).innerHTML = `<polygon fill="currentColor" fill-opacity="0.15" points="${area}"/>` +
    `<polyline fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke"` +
    ` points="${points}"/>`
  $(`${id}-label`).textContent = label
}

const formatBytes = (n: number) =>
  n > 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n > 1 << 20
    ? `${(n / (1 << 20)).toFixed(1)} MiB`
    : `${(n / 1024).toFixed(0)} KiB`

/** Shows a typed error: its tag, the HTTP status of a status error, and the message (the proxy's for a 403). */
const showError = (action: string, error: { readonly _tag?: string; readonly message?: string }) => {
  const box = $("error")
  const status = "status" in error && typeof error.status === "number" ? ` ${error.status}` : ""
  box.textContent = `${action}: ${error._tag ?? "Error"}${status}${error.message ? ` (${error.message})` : ""}`
  box.dataset["tag"] = error._tag ?? "Error"
  box.dataset["status"] = status.trim()
}

const action = (name: "start" | "stop", id: string) => {
  const effect = name === "start" ? Containers.start(id) : Containers.stop(id, { t: 1 })
  run(effect.pipe(Effect.tapError((error) => Effect.sync(() => showError(name, error))), Effect.ignore))
}

const refresh = () =>
  run(
    Containers.list({ all: true }).pipe(
      Effect.tap((list) =>
        Effect.sync(() => {
          const body = $("containers")
          body.replaceChildren()
          for (const c of list) {
            const id = c.Id ?? ""
            const name = c.Names?.[0]?.replace(/^\//, "") ?? id.slice(0, 12)
            const row = el("tr", { "data-id": id, "data-name": name, class: id === selected ? "selected" : "" })
            const state = el("td", { class: `state ${c.State}` }, c.State ?? "")
            row.append(el("td", {}, name), state, el("td", {}, c.Image ?? ""))
            const buttons = el("td")
            for (const op of ["start", "stop"] as const) {
              if (!allowed.has(op === "start" ? "ContainerStart" : "ContainerStop")) continue
              const button = el("button", { "data-action": op }, op)
              button.addEventListener("click", (e) => {
                e.stopPropagation()
                action(op, id)
              })
              buttons.append(button)
            }
            row.append(buttons)
            row.addEventListener("click", () => select(id, name))
            body.append(row)
          }
        })
      ),
      Effect.tapError((error) => Effect.sync(() => showError("list", error))),
      Effect.ignore
    )
  )

const select = (id: string, name: string) => {
  for (const fiber of followers) run(Fiber.interrupt(fiber))
  selected = id
  cpu.length = 0
  mem.length = 0
  samples = 0
  $("selected").textContent = name
  $("logs").textContent = ""
  document.querySelectorAll("#containers tr").forEach((row) => {
    row.classList.toggle("selected", row.getAttribute("data-id") === id)
  })
  let previous: Stats.Sample | undefined
  const stats = Containers.stats(id).pipe(
    Stream.runForEach((sample) =>
      Effect.sync(() => {
        const s = sample as Stats.Sample
        cpu.push(previous === undefined ? Stats.cpuPercent(s) : Stats.cpuPercentBetween(previous, s))
        mem.push(Stats.memoryUsage(s))
        previous = s
        if (cpu.length > 60) cpu.shift()
        if (mem.length > 60) mem.shift()
        samples++
        $("charts").dataset["samples"] = String(samples)
        chart("cpu", cpu, 5, `CPU ${cpu.at(-1)!.toFixed(1)} %`)
        chart("mem", mem, 1 << 20, `memory ${formatBytes(mem.at(-1)!)}`)
      })
    )
  )
  const logs = Containers.logLines(id, { follow: true, stdout: true, stderr: true, tail: 100 }).pipe(
    Stream.runForEach((line) =>
      Effect.sync(() => {
        const pre = $("logs")
        pre.append(el("span", { class: line.stream }, `${line.line}\n`))
        while (pre.childNodes.length > 500) pre.firstChild!.remove()
        pre.scrollTop = pre.scrollHeight
      })
    )
  )
  const follow = <E extends { readonly _tag: string }>(effect: Effect.Effect<void, E, Docker.Docker>) =>
    run(effect.pipe(Effect.tapError((e) => Effect.sync(() => showError("follow", e)))))
  followers = [follow(stats), follow(logs)]
}

// the feed starts with the last ten minutes of events
const events = Events.stream({ since: new Date(Date.now() - 10 * 60_000) }).pipe(
  Stream.runForEach((event) =>
    Effect.sync(() => {
      const feed = $("events")
      const name = event.Actor.Attributes?.["name"] ?? event.Actor.ID?.slice(0, 12) ?? ""
      const when = Events.time(event).toLocaleTimeString()
      feed.prepend(el("li", {}, `${when} ${event.Type} ${Events.actionName(event)} ${name}`))
      while (feed.childNodes.length > 100) feed.lastChild!.remove()
      if (event.Type === "container") refresh()
    })
  )
)

fetch("/policy.json").then((r) => r.json()).then((ids: ReadonlyArray<string>) => {
  allowed = new Set(ids)
  refresh()
  run(events)
  setInterval(refresh, 5000)
  document.body.dataset["ready"] = "true"
})
