/**
 * The pure parts of the streaming modules, without the engine: log timestamps and the log-entry splitter, the tar
 * writer and reader (checked against GNU tar), progress aggregation and rendering, the docker CLI's stats
 * formulas, registry credentials and references, event helpers.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Credentials from "../../src/Credentials.ts"
import * as Events from "../../src/Events.ts"
import * as Images from "../../src/Images.ts"
import { LogEntrySplitter, type RawLogEntry } from "../../src/internal/logEntrySplitter.ts"
import * as Tar from "../../src/internal/streamingTar.ts"
import { parseTimestamp, splitTimestamp } from "../../src/internal/timestamp.ts"
import * as Progress from "../../src/Progress.ts"
import * as Stats from "../../src/Stats.ts"

const SEED = 20261123
const enc = new TextEncoder()

describe("log timestamps", () => {
  it("parses the daemon's RFC 3339 timestamps exactly, to the nanosecond", () => {
    const t = parseTimestamp("2024-05-01T10:00:00.123456789Z")!
    expect(t.date.toISOString()).toBe("2024-05-01T10:00:00.123Z")
    expect(t.nanos).toBe(BigInt(Date.UTC(2024, 4, 1, 10)) * 1_000_000n + 123_456_789n)
    expect(parseTimestamp("2024-05-01T10:00:00Z")!.nanos % 1_000_000_000n).toBe(0n)
    expect(parseTimestamp("2024-05-01T12:00:00.5+02:00")!.date.toISOString()).toBe("2024-05-01T10:00:00.500Z")
    expect(parseTimestamp("2024-05-01T08:30:00-01:30")!.date.toISOString()).toBe("2024-05-01T10:00:00.000Z")
    expect(parseTimestamp("hello")).toBeUndefined()
    expect(parseTimestamp("2024-05-01 10:00:00Z")).toBeUndefined()
    expect(parseTimestamp("2024-05-01T10:00:00.1234567890Z")).toBeUndefined()
  })

  it("splits a timestamp prefix off a payload, leaving a view of the rest", () => {
    const payload = enc.encode("2024-05-01T10:00:00.000000001Z hello world\n")
    const split = splitTimestamp(payload)!
    expect(split.timestamp.nanos % 1000n).toBe(1n)
    expect(new TextDecoder().decode(split.rest)).toBe("hello world\n")
    expect(split.rest.buffer).toBe(payload.buffer)
    expect(splitTimestamp(enc.encode("no timestamp here"))).toBeUndefined()
  })

  it("property: the prefix read from bytes equals parseTimestamp's reading, for any timestamp or damage (1,000 runs)", () => {
    const pad = (n: number, width: number) => String(n).padStart(width, "0")
    const timestampArb = fc.tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.option(fc.stringMatching(/^[0-9]{1,10}$/)),
      fc.constantFrom("Z", "Z", "Z", "+02:00", "-01:30", "z", "")
    ).map(([y, mo, d, h, mi, se, fraction, zone]) =>
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}${
        fraction === null ? "" : `.${fraction}`
      }${zone}`
    )
    // a run of lines (most share their second with the one before, as in a log), some damaged at one byte
    const linesArb = fc.array(
      fc.tuple(timestampArb, fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 3 })),
      { minLength: 1, maxLength: 20 }
    )
    fc.assert(
      fc.property(linesArb, (lines) => {
        let previous: string | undefined
        for (const [fresh, repeat, at, noise, damage] of lines) {
          const text = repeat && previous !== undefined ? previous : fresh
          previous = text
          const bytes = enc.encode(`${text} line\n`)
          if (damage === 0) bytes[at % text.length] = noise
          // the general path reads the prefix byte by byte as Latin-1 and matches it whole
          const expected = parseTimestamp(String.fromCharCode(...bytes.subarray(0, text.length)))
          const split = splitTimestamp(bytes)
          if (bytes.indexOf(0x20) !== text.length) continue // the damage moved the first space
          if (expected === undefined) {
            expect(split).toBeUndefined()
            continue
          }
          expect(split?.timestamp.nanos).toBe(expected.nanos)
          expect(split?.timestamp.date.getTime()).toBe(expected.date.getTime())
        }
      }),
      { seed: SEED, numRuns: 1000 }
    )
  })

  const stamp = (i: number) => `2024-05-01T10:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(9, "0")}Z`

  it("gives each line the time of the message that started it; continuation messages lose theirs", () => {
    const splitter = new LogEntrySplitter(false)
    const out: Array<RawLogEntry> = []
    splitter.write(1, enc.encode(`${stamp(1)} first\nsecond par`), out)
    splitter.write(2, enc.encode(`${stamp(2)} err line\n`), out)
    splitter.write(1, enc.encode(`${stamp(3)} t continues\n`), out)
    splitter.write(1, enc.encode(`${stamp(4)} no newline at end`), out)
    splitter.end(out)
    expect(
      out.map((e) => [e.stream, e.line, e.timestamp?.nanos === undefined ? -1 : Number(e.timestamp.nanos % 1000n)])
    )
      .toEqual([
        ["stdout", "first", 1],
        ["stderr", "err line", 2],
        ["stdout", "second part continues", 1],
        ["stdout", "no newline at end", 4]
      ])
  })

  it("keeps a UTF-8 character split across frames, and reads per-line prefixes of raw TTY output", () => {
    const splitter = new LogEntrySplitter(false)
    const out: Array<RawLogEntry> = []
    const snowman = enc.encode("☃")
    splitter.write(1, new Uint8Array([...enc.encode(`${stamp(5)} a`), snowman[0]!]), out)
    splitter.write(1, new Uint8Array([...enc.encode(`${stamp(6)} `), snowman[1]!, snowman[2]!, 10]), out)
    expect(out.map((e) => e.line)).toEqual(["a☃"])
    const tty = new LogEntrySplitter(true)
    const ttyOut: Array<RawLogEntry> = []
    tty.write(1, enc.encode(`${stamp(7)} one\r\n${stamp(8)} tw`), ttyOut)
    tty.write(1, enc.encode(`o\r\n`), ttyOut)
    expect(ttyOut.map((e) => [e.line, Number(e.timestamp!.nanos % 1000n)])).toEqual([["one", 7], ["two", 8]])
  })

  it("property: lines cut into messages of any size come back whole, with their first message's time (1,000 runs)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1 as const, 2 as const), fc.string({ unit: "grapheme", maxLength: 60 })), {
          maxLength: 20
        }),
        fc.integer({ min: 1, max: 16 }),
        (lines, messageSize) => {
          const splitter = new LogEntrySplitter(false)
          const out: Array<RawLogEntry> = []
          const expected: Array<[string, string, number]> = []
          let counter = 0
          for (const [stream, text] of lines) {
            const line = text.replace(/[\n\r]/g, "")
            const bytes = enc.encode(`${line}\n`)
            const first = ++counter
            expected.push([stream === 2 ? "stderr" : "stdout", line, first])
            for (let at = 0; at < bytes.length; at += messageSize) {
              const n = at === 0 ? first : ++counter
              const part = bytes.subarray(at, at + messageSize)
              splitter.write(stream, new Uint8Array([...enc.encode(`${stamp(n)} `), ...part]), out)
            }
          }
          splitter.end(out)
          const actual = out.map((e) => [e.stream, e.line, Number(e.timestamp!.nanos % 1_000_000_000n)])
          const sortByStream = (rows: Array<Array<unknown>>) => [
            ...rows.filter((r) => r[0] === "stdout"),
            ...rows.filter((r) => r[0] === "stderr")
          ]
          expect(sortByStream(actual)).toEqual(sortByStream(expected))
        }
      ),
      { seed: SEED, numRuns: 1000 }
    )
  })
})

describe("tar writer and reader", () => {
  it("packs files, folders, long and non-ASCII names that GNU tar lists and extracts identically", () => {
    const longName = `${"deep/".repeat(30)}file-with-a-long-name-${"x".repeat(120)}.txt`
    const entries: ReadonlyArray<Tar.TarInput> = [
      { name: "Dockerfile", data: "FROM scratch\n" },
      { name: "dir", type: "directory" },
      { name: "dir/été ☃.txt", data: "unicode\n", mode: 0o600 },
      { name: longName, data: new Uint8Array(1000).fill(7) },
      { name: "empty", data: "" },
      { name: "link", type: "symlink", linkname: "Dockerfile" }
    ]
    const bytes = Tar.pack(entries)
    expect(bytes.length % 512).toBe(0)
    const dir = mkdtempSync(join(tmpdir(), "effect-docker-tar-"))
    try {
      writeFileSync(join(dir, "a.tar"), bytes)
      const listed = execFileSync("tar", ["-tf", join(dir, "a.tar")]).toString().trim().split("\n")
      expect(listed).toEqual(["Dockerfile", "dir/", "dir/été ☃.txt", longName, "empty", "link"])
      execFileSync("tar", ["-xf", join(dir, "a.tar"), "-C", dir])
      expect(readFileSync(join(dir, "dir/été ☃.txt"), "utf8")).toBe("unicode\n")
      expect(readFileSync(join(dir, longName))).toEqual(Buffer.alloc(1000, 7))
      // and what GNU tar writes, the reader reads
      execFileSync("tar", ["--format=pax", "-cf", join(dir, "b.tar"), "-C", dir, "dir", "Dockerfile"])
      const back = Tar.unpack(readFileSync(join(dir, "b.tar")))
      expect(back.map((e) => [e.name, e.type])).toEqual([
        ["dir/", "directory"],
        ["dir/été ☃.txt", "file"],
        ["Dockerfile", "file"]
      ])
      expect(new TextDecoder().decode(back[1]!.data)).toBe("unicode\n")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("property: any list of files round-trips through pack and unpack (1,000 runs)", () => {
    const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) =>
      !s.includes("/") && !s.includes("\u0000") && s !== "." && s !== ".."
    )
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.uint8Array({ maxLength: 1500 })),
          { maxLength: 8, selector: ([path]) => path.join("/") }
        ),
        (files) => {
          const entries = files.map(([path, data]) => ({ name: path.join("/"), data }))
          const back = Tar.unpack(Tar.pack(entries))
          expect(back.map((e) => [e.name, e.type, Array.from(e.data)])).toEqual(
            entries.map((e) => [e.name, "file", Array.from(e.data)])
          )
        }
      ),
      { seed: SEED, numRuns: 1000 }
    )
  })

  it("rejects a corrupted header", () => {
    const bytes = Tar.pack([{ name: "a", data: "x" }])
    bytes[10] = 0x41
    expect(() => Tar.unpack(bytes)).toThrow(/checksum/)
  })
})

describe("pull progress", () => {
  const pull: ReadonlyArray<Progress.Message> = [
    { id: "stream-test", status: "Pulling from effect-docker/busybox" },
    { id: "aaaaaaaaaaaa", status: "Pulling fs layer" },
    { id: "bbbbbbbbbbbb", status: "Already exists" },
    { id: "aaaaaaaaaaaa", status: "Downloading", progressDetail: { current: 500_000, total: 2_000_000 } },
    { id: "aaaaaaaaaaaa", status: "Downloading", progressDetail: { current: 2_000_000, total: 2_000_000 } },
    { id: "aaaaaaaaaaaa", status: "Verifying Checksum", progressDetail: {} },
    { id: "aaaaaaaaaaaa", status: "Download complete", progressDetail: {} },
    { id: "aaaaaaaaaaaa", status: "Extracting", progressDetail: { current: 1_000_000, total: 2_000_000 } },
    { id: "aaaaaaaaaaaa", status: "Pull complete", progressDetail: {} },
    { status: "Digest: sha256:0123" },
    { status: "Status: Downloaded newer image for 127.0.0.1:5000/effect-docker/busybox:stream-test" }
  ]

  it("aggregates per layer: phases, byte counts, overall fraction", () => {
    const steps = pull.reduce<Array<Progress.Progress>>(
      (acc, message) => [...acc, Progress.update(acc[acc.length - 1] ?? Progress.initial, message)],
      []
    )
    const fractions = steps.map(Progress.fraction)
    expect(fractions[3]).toBeCloseTo((0.125 + 1) / 2)
    expect(fractions[7]).toBeCloseTo((0.75 + 1) / 2)
    expect(fractions.at(-1)).toBe(1)
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!)
    const last = steps.at(-1)!
    expect(last.layers.map((l) => [l.id, l.phase])).toEqual([["aaaaaaaaaaaa", "complete"], ["bbbbbbbbbbbb", "exists"]])
    expect(last.notes).toEqual([
      "stream-test: Pulling from effect-docker/busybox",
      "Digest: sha256:0123",
      "Status: Downloaded newer image for 127.0.0.1:5000/effect-docker/busybox:stream-test"
    ])
    expect(Progress.isDone(last)).toBe(true)
    expect(Progress.isDone(steps[3]!)).toBe(false)
    expect(last.messages).toBe(pull.length)
  })

  it("renders like the docker CLI and redraws in place", () => {
    const atDownload = pull.slice(0, 4).reduce(Progress.update, Progress.initial)
    expect(Progress.render(atDownload, { barWidth: 20 })).toEqual([
      "stream-test: Pulling from effect-docker/busybox",
      "aaaaaaaaaaaa: Downloading [=====>              ]  500kB/2MB",
      "bbbbbbbbbbbb: Already exists"
    ])
    expect(Progress.render(atDownload, { bars: false })[1]).toBe("aaaaaaaaaaaa: Downloading")
    expect(Progress.humanSize(999)).toBe("999B")
    expect(Progress.humanSize(1_234_567)).toBe("1.23MB")
    expect(Progress.humanSize(42_000_000_000)).toBe("42GB")
    expect(Progress.redraw(0, ["a", "b"])).toBe("\x1b[2Ka\n\x1b[2Kb\n")
    expect(Progress.redraw(2, ["c"])).toBe("\x1b[2A\x1b[2Kc\n")
  })

  it.effect("track and sink: one drawing per message; plain mode prints each changed line once", () =>
    Effect.gen(function*() {
      const ansi: Array<string> = []
      yield* Stream.fromIterable(pull).pipe(Progress.track, Stream.run(Progress.sink((text) => ansi.push(text))))
      expect(ansi.length).toBe(pull.length)
      expect(ansi[1]).toBe(
        "\x1b[1A\x1b[2Kstream-test: Pulling from effect-docker/busybox\n\x1b[2Kaaaaaaaaaaaa: Pulling fs layer\n"
      )
      const plain: Array<string> = []
      yield* Stream.fromIterable(pull).pipe(
        Progress.track,
        Stream.run(Progress.sink((text) => plain.push(text), { tty: false }))
      )
      const lines = plain.join("").trimEnd().split("\n")
      expect(lines.filter((l) => l.startsWith("aaaaaaaaaaaa"))).toEqual([
        "aaaaaaaaaaaa: Pulling fs layer",
        "aaaaaaaaaaaa: Downloading",
        "aaaaaaaaaaaa: Verifying Checksum",
        "aaaaaaaaaaaa: Download complete",
        "aaaaaaaaaaaa: Extracting",
        "aaaaaaaaaaaa: Pull complete"
      ])
      expect(lines.at(-1)).toMatch(/^Status: Downloaded newer image/)
    }))

  it("push messages: preparing, pushing, pushed, already there", () => {
    const p = [
      { status: "The push refers to repository [127.0.0.1:5000/x]" },
      { id: "cccccccccccc", status: "Preparing" },
      { id: "dddddddddddd", status: "Preparing" },
      { id: "cccccccccccc", status: "Pushing", progressDetail: { current: 512, total: 1024 } },
      { id: "dddddddddddd", status: "Layer already exists" },
      { id: "cccccccccccc", status: "Pushed" }
    ].reduce(Progress.update, Progress.initial)
    expect(p.layers.map((l) => l.phase)).toEqual(["pushed", "exists"])
    expect(Progress.fraction(p)).toBe(1)
  })
})

describe("stats as the docker CLI computes them", () => {
  it("CPU %: cpu delta over system delta, times online CPUs (or per-CPU entries), times 100", () => {
    const sample: Stats.Sample = {
      cpu_stats: {
        cpu_usage: { total_usage: 2_400_000_000, percpu_usage: [1, 2, 3, 4] },
        system_cpu_usage: 40_000_000_000
      },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 36_000_000_000 }
    }
    expect(Stats.cpuPercent(sample)).toBeCloseTo(40)
    expect(Stats.cpuPercent({ ...sample, cpu_stats: { ...sample.cpu_stats, online_cpus: 2 } })).toBeCloseTo(20)
    expect(Stats.cpuPercent({ ...sample, precpu_stats: {} })).toBeCloseTo(24)
    expect(Stats.cpuPercent({ cpu_stats: sample.cpu_stats!, precpu_stats: sample.cpu_stats! })).toBe(0)
    expect(Stats.cpuPercentBetween({ cpu_stats: sample.precpu_stats! }, { cpu_stats: sample.cpu_stats! })).toBeCloseTo(
      40
    )
    expect(
      Stats.cpuPercent({
        cpu_stats: { cpu_usage: { total_usage: 10n ** 19n }, system_cpu_usage: 2n * 10n ** 19n, online_cpus: 1 }
      })
    )
      .toBeCloseTo(50)
  })

  it("memory: usage minus total_inactive_file (cgroup v1), inactive_file (v2), or cache; percent of the limit", () => {
    expect(
      Stats.memoryUsage({
        memory_stats: { usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100, cache: 500 } }
      })
    )
      .toBe(700)
    expect(
      Stats.memoryUsage({ memory_stats: { usage: 1000, stats: { total_inactive_file: 2000, inactive_file: 100 } } })
    )
      .toBe(900)
    expect(Stats.memoryUsage({ memory_stats: { usage: 1000, stats: { inactive_file: 250 } } })).toBe(750)
    expect(Stats.memoryUsage({ memory_stats: { usage: 1000, stats: { cache: 400 } } })).toBe(600)
    expect(Stats.memoryUsage({ memory_stats: { usage: 1000 } })).toBe(1000)
    expect(Stats.memoryPercent({ memory_stats: { usage: 1000, limit: 4000, stats: { inactive_file: 0 } } })).toBe(25)
    expect(Stats.memoryPercent({ memory_stats: { usage: 1000 } })).toBe(0)
  })

  it("network and block I/O sums, pids, summary", () => {
    const s = Stats.summary({
      networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      blkio_stats: {
        io_service_bytes_recursive: [{ op: "Read", value: 4096 }, { op: "write", value: 512 }, {
          op: "Total",
          value: 1
        }]
      },
      pids_stats: { current: 3 },
      memory_stats: { usage: 50, limit: 100 }
    })
    expect(s).toEqual({
      cpuPercent: 0,
      memoryUsage: 50,
      memoryLimit: 100,
      memoryPercent: 50,
      networkRx: 101,
      networkTx: 12,
      blockRead: 4096,
      blockWrite: 512,
      pids: 3
    })
  })
})

describe("registry credentials and references", () => {
  const decode = (header: string) =>
    JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"))

  it("X-Registry-Auth is base64url JSON with secrets revealed only there", () => {
    expect(Redacted.value(Credentials.encodeAuth(undefined))).toBe("e30=")
    const auth = { username: "tëst", password: Redacted.make("p?>?>??"), serverAddress: "127.0.0.1:5001" }
    const header = Redacted.value(Credentials.encodeAuth(auth))
    expect(header).not.toMatch(/[+/]/)
    expect(decode(header)).toEqual({ username: "tëst", password: "p?>?>??", serveraddress: "127.0.0.1:5001" })
    expect(String(auth.password)).not.toContain("p?>")
    const token = Credentials.encodeAuth({ identityToken: Redacted.make("tok") })
    expect(decode(Redacted.value(token))).toEqual({ identitytoken: "tok" })
  })

  it("references split into repository and tag or digest; latest by default", () => {
    expect(Images.parseReference("busybox")).toEqual({ repository: "busybox", tag: "latest" })
    expect(Images.parseReference("127.0.0.1:5000/a/b")).toEqual({ repository: "127.0.0.1:5000/a/b", tag: "latest" })
    expect(Images.parseReference("127.0.0.1:5000/a/b:v1")).toEqual({ repository: "127.0.0.1:5000/a/b", tag: "v1" })
    expect(Images.parseReference("a@sha256:abc")).toEqual({ repository: "a", digest: "sha256:abc" })
  })
})

describe("events helpers", () => {
  it("time parameters, refinements, action names and times", () => {
    expect(Events.timeParameter(new Date(1_700_000_000_250))).toBe("1700000000.250")
    expect(Events.timeParameter(1_700_000_000.5)).toBe("1700000000.500")
    expect(Events.timeParameter("10m")).toBe("10m")
    const event: Events.Event = {
      Type: "container",
      Action: "exec_start: sh -c ls",
      Actor: { ID: "abc" },
      timeNano: 1_700_000_000_123_456_789n
    }
    expect(Events.actionName(event)).toBe("exec_start")
    expect(Events.is("container", "exec_start")(event)).toBe(true)
    expect(Events.is("container", "die", "destroy")(event)).toBe(false)
    expect(Events.is("image")(event)).toBe(false)
    expect(Events.is("container")(event)).toBe(true)
    expect(Events.time(event).toISOString()).toBe("2023-11-14T22:13:20.123Z")
  })
})
