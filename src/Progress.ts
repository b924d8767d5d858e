/**
 * Image pull and push progress, aggregated per layer into one value, and a terminal renderer for it.
 *
 * The daemon reports a pull (or push) as a stream of JSON messages, one per layer event ("Pulling fs layer",
 * "Downloading" with byte counts, "Extracting", "Pull complete", …) plus a few general lines ("Pulling from …",
 * "Digest: …", "Status: …"). {@link update} folds them into a {@link Progress}; {@link render} draws it the way the
 * docker CLI does, as plain strings; {@link sink} writes the drawing to any `write` function, redrawing in place on
 * a terminal.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"

/**
 * What a progress message carries (the fields of `CreateImageInfo` and `PushImageInfo` that matter here).
 *
 * @since 0.1.0
 * @category models
 */
export interface Message {
  readonly id?: string
  readonly status?: string
  readonly progressDetail?: { readonly current?: number | bigint; readonly total?: number | bigint }
}

/**
 * Where a layer is:
 *
 * - pull: `waiting` → `downloading` → `verifying` → `downloaded` → `extracting` → `complete`, or `exists` when it
 *   was already there;
 * - push: `waiting` (preparing) → `uploading` → `pushed`, or `exists` (already in the registry, or mounted);
 * - `retrying`: the daemon will try again.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase =
  | "waiting"
  | "downloading"
  | "verifying"
  | "downloaded"
  | "extracting"
  | "complete"
  | "exists"
  | "uploading"
  | "pushed"
  | "retrying"

/**
 * The progress of one layer: its short id, phase, the daemon's last status text, and the byte counts of the current
 * phase (0 when unknown). Named so as not to read as Effect's `Layer` (it was `Progress.Layer` before 0.2.0).
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * const layer: Progress.LayerProgress = { id: "a1", phase: "downloading", status: "Downloading", current: 1, total: 4 }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface LayerProgress {
  readonly id: string
  readonly phase: Phase
  readonly status: string
  readonly current: number
  readonly total: number
}

/**
 * The aggregated progress: the layers by id (in order of first appearance), the general lines the daemon sent
 * (in order, e.g. `"latest: Pulling from library/busybox"`, `"Digest: sha256:…"`), and the layout order of both, as
 * the CLI prints them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly layers: ReadonlyArray<LayerProgress>
  readonly notes: ReadonlyArray<string>
  /** Layout: a layer id, or the index of a note. */
  readonly order: ReadonlyArray<{ readonly layer: string } | { readonly note: number }>
  /** The number of messages folded in. */
  readonly messages: number
}

/**
 * No progress yet.
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * Progress.initial.layers.length // 0
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const initial: Progress = { layers: [], notes: [], order: [], messages: 0 }

const phaseOf = (status: string): Phase | undefined => {
  switch (status) {
    case "Pulling fs layer":
    case "Waiting":
    case "Preparing":
      return "waiting"
    case "Downloading":
      return "downloading"
    case "Verifying Checksum":
      return "verifying"
    case "Download complete":
      return "downloaded"
    case "Extracting":
      return "extracting"
    case "Pull complete":
      return "complete"
    case "Already exists":
    case "Layer already exists":
      return "exists"
    case "Pushing":
      return "uploading"
    case "Pushed":
      return "pushed"
  }
  if (status.startsWith("Mounted from")) return "exists"
  if (status.startsWith("Retrying")) return "retrying"
  return undefined
}

const toNumber = (value: number | bigint | undefined): number => value === undefined ? 0 : Number(value)

/**
 * Folds one message into the progress (pure). Messages with an `id` and a layer status update that layer; others
 * become notes (a note with an `id`, like `"latest: Pulling from library/busybox"`, is prefixed by it).
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * const p = Progress.update(Progress.initial, {
 *   id: "a1b2c3",
 *   status: "Downloading",
 *   progressDetail: { current: 5, total: 10 }
 * })
 * p.layers[0]?.phase // "downloading"
 * ```
 * @since 0.1.0
 * @category folding
 */
export const update = (progress: Progress, message: Message): Progress => {
  const status = message.status ?? ""
  const messages = progress.messages + 1
  const phase = message.id === undefined ? undefined : phaseOf(status)
  if (message.id === undefined || phase === undefined) {
    if (status === "") return { ...progress, messages }
    const note = message.id === undefined ? status : `${message.id}: ${status}`
    return {
      ...progress,
      notes: [...progress.notes, note],
      order: [...progress.order, { note: progress.notes.length }],
      messages
    }
  }
  const id = message.id
  const index = progress.layers.findIndex((layer) => layer.id === id)
  const previous = index < 0 ? undefined : progress.layers[index]
  const detail = message.progressDetail
  const counts = detail !== undefined && (detail.current !== undefined || detail.total !== undefined)
    ? { current: toNumber(detail.current), total: toNumber(detail.total) }
    : previous !== undefined && previous.phase === phase
    ? { current: previous.current, total: previous.total }
    : { current: 0, total: 0 }
  const layer: LayerProgress = { id, phase, status, ...counts }
  if (previous === undefined) {
    return { ...progress, layers: [...progress.layers, layer], order: [...progress.order, { layer: id }], messages }
  }
  const layers = progress.layers.slice()
  layers[index] = layer
  return { ...progress, layers, messages }
}

const layerFraction = (layer: LayerProgress): number => {
  const part = layer.total > 0 ? Math.min(1, layer.current / layer.total) : 0
  switch (layer.phase) {
    case "waiting":
    case "retrying":
      return 0
    case "downloading":
      return part / 2
    case "verifying":
    case "downloaded":
      return 0.5
    case "extracting":
      return 0.5 + part / 2
    case "uploading":
      return part
    case "complete":
    case "exists":
    case "pushed":
      return 1
  }
}

/**
 * How far along the whole operation is, from 0 to 1: the mean over layers, where downloading counts for the first
 * half of a pulled layer and extracting for the second (a push counts its upload only). 0 before any layer is known.
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * const p = Progress.update(Progress.initial, { id: "a1", status: "Pull complete" })
 * Progress.fraction(p) // 1
 * ```
 * @since 0.1.0
 * @category reading
 */
export const fraction = (progress: Progress): number =>
  progress.layers.length === 0
    ? 0
    : progress.layers.reduce((sum, layer) => sum + layerFraction(layer), 0) / progress.layers.length

/**
 * Whether every known layer is done (complete, already there, or pushed).
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * Progress.isDone(Progress.update(Progress.initial, { id: "a1", status: "Already exists" })) // true
 * ```
 * @since 0.1.0
 * @category reading
 */
export const isDone = (progress: Progress): boolean =>
  progress.layers.length > 0 &&
  progress.layers.every((layer) => layer.phase === "complete" || layer.phase === "exists" || layer.phase === "pushed")

/**
 * Turns a stream of progress messages into the running progress: one value per message.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images, Progress } from "effect-docker"
 * const percent = Images.pullStream("busybox:latest").pipe(
 *   Progress.track,
 *   Stream.map((p) => Math.round(Progress.fraction(p) * 100))
 * )
 * ```
 * @since 0.1.0
 * @category folding
 */
export const track = <E, R>(messages: Stream.Stream<Message, E, R>): Stream.Stream<Progress, E, R> =>
  messages.pipe(Stream.scan(() => initial, update), Stream.drop(1))

/**
 * A byte count as the docker CLI prints it (decimal units: `"1.23MB"`, `"512B"`).
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * Progress.humanSize(3_400_000) // "3.4MB"
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const humanSize = (bytes: number): string => {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"]
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const text = unit === 0 ? Math.round(value).toString() : Number(value.toPrecision(3)).toString()
  return `${text}${units[unit]}`
}

/**
 * Options of the renderer: `barWidth` (default 50, as the CLI) and whether to draw bars at all (`bars: false`
 * prints `id: status` only).
 *
 * @since 0.1.0
 * @category models
 */
export interface RenderOptions {
  readonly barWidth?: number
  readonly bars?: boolean
}

const bar = (current: number, total: number, width: number): string => {
  const filled = Math.min(width, Math.floor((current / total) * width))
  const arrow = filled < width ? ">" : ""
  return `[${"=".repeat(filled)}${arrow}${" ".repeat(Math.max(0, width - filled - arrow.length))}]`
}

/**
 * One line for a layer: `a1b2c3d4e5f6: Downloading [=====>      ]  1.2MB/3.4MB`.
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * Progress.renderLayer(
 *   { id: "a1", phase: "downloading", status: "Downloading", current: 1, total: 4 },
 *   { barWidth: 8 }
 * )
 * // "a1: Downloading [==>     ]  1B/4B"
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const renderLayer = (layer: LayerProgress, options: RenderOptions = {}): string => {
  const withBar = options.bars !== false && (layer.phase === "downloading" || layer.phase === "extracting" ||
    layer.phase === "uploading")
  if (!withBar) return `${layer.id}: ${layer.status}`
  if (layer.total <= 0) {
    return layer.current > 0
      ? `${layer.id}: ${layer.status}  ${humanSize(layer.current)}`
      : `${layer.id}: ${layer.status}`
  }
  return `${layer.id}: ${layer.status} ${bar(layer.current, layer.total, options.barWidth ?? 50)}  ${
    humanSize(layer.current)
  }/${humanSize(layer.total)}`
}

/**
 * Draws the progress as lines, in the order the daemon introduced them (general lines and one line per layer).
 * Pure: the same progress always gives the same lines.
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * const p = [
 *   { id: "latest", status: "Pulling from library/busybox" },
 *   { id: "a1b2c3d4e5f6", status: "Downloading", progressDetail: { current: 500_000, total: 1_000_000 } }
 * ].reduce(Progress.update, Progress.initial)
 * Progress.render(p, { barWidth: 10 })
 * // ["latest: Pulling from library/busybox", "a1b2c3d4e5f6: Downloading [=====>    ]  500kB/1MB"]
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const render = (progress: Progress, options: RenderOptions = {}): ReadonlyArray<string> => {
  const byId = new Map(progress.layers.map((layer) => [layer.id, layer]))
  return progress.order.map((item) =>
    "layer" in item ? renderLayer(byId.get(item.layer)!, options) : progress.notes[item.note]!
  )
}

/**
 * The terminal output that replaces a drawing of `previousLines` lines by `lines`: move the cursor up, then clear
 * and rewrite each line (ANSI escapes).
 *
 * @example
 * ```ts
 * import { Progress } from "effect-docker"
 * Progress.redraw(1, ["a: Pull complete"]) // "\x1b[1A\x1b[2Ka: Pull complete\n"
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const redraw = (previousLines: number, lines: ReadonlyArray<string>): string =>
  (previousLines > 0 ? `\x1b[${previousLines}A` : "") + lines.map((line) => `\x1b[2K${line}\n`).join("")

/**
 * Options of {@link sink}: `tty: true` (default) redraws in place with ANSI escapes; `tty: false` writes each line
 * once, when it first appears or its status text changes (for logs and CI output), without bars.
 *
 * @since 0.1.0
 * @category models
 */
export interface SinkOptions extends RenderOptions {
  readonly tty?: boolean
}

/**
 * A Sink that draws every progress value it receives with `write` (e.g. `(s) => process.stdout.write(s)`).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images, Progress } from "effect-docker"
 * const shown = Images.pullStream("busybox:latest").pipe(
 *   Progress.track,
 *   Stream.run(Progress.sink((text) => process.stdout.write(text)))
 * )
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const sink = (write: (text: string) => void, options: SinkOptions = {}): Sink.Sink<void, Progress> =>
  Sink.suspend(() => {
    const draw = drawer(write, options)
    return Sink.forEach((progress: Progress) => Effect.sync(() => draw(progress)))
  })

/**
 * The stateful drawing function behind {@link sink}, for callbacks (e.g. `Images.pull`'s `onProgress`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images, Progress } from "effect-docker"
 * const draw = Progress.drawer((text) => process.stdout.write(text))
 * const pulled = Images.pull("busybox:latest", { onProgress: (p) => Effect.sync(() => draw(p)) })
 * ```
 * @since 0.1.0
 * @category rendering
 */
export const drawer = (write: (text: string) => void, options: SinkOptions = {}): (progress: Progress) => void => {
  let drawn = 0
  const printed = new Map<string, string>()
  return (progress) => {
    if (options.tty === false) {
      const lines = render(progress, { ...options, bars: false })
      let out = ""
      progress.order.forEach((item, i) => {
        const key = "layer" in item ? `layer:${item.layer}` : `note:${item.note}`
        const line = lines[i]!
        if (printed.get(key) !== line) {
          printed.set(key, line)
          out += `${line}\n`
        }
      })
      if (out !== "") write(out)
      return
    }
    const lines = render(progress, options)
    write(redraw(drawn, lines))
    drawn = lines.length
  }
}
