/**
 * The handful of operation descriptions the cross-runtime scenario uses, written by hand with `Operation.make`
 * so the scenario only depends on the core (`Docker.call`, `Docker.hijack`, `Demux`), on every runtime.
 */
import * as Schema from "effect/Schema"
import * as Operation from "../../src/Operation.ts"

const path = (name: string): Operation.Param => ({ name, key: name, in: "path", style: "string", required: true })
const query = (name: string, style: Operation.ParamStyle = "string"): Operation.Param => ({
  name,
  key: name,
  in: "query",
  style
})

export const SystemPing = Operation.make<{}, Operation.ResponseOf<"Text">, 500>({
  id: "SystemPing",
  method: "GET",
  path: "/_ping",
  tag: "System",
  params: [],
  response: { _tag: "Text" },
  errors: [500]
})

export const SystemVersion = Operation.make<{}, Operation.Json<{ readonly ApiVersion: string; readonly Os: string }>, 500>({
  id: "SystemVersion",
  method: "GET",
  path: "/version",
  tag: "System",
  params: [],
  response: Operation.json(Schema.Struct({ ApiVersion: Schema.String, Os: Schema.String })),
  errors: [500]
})

export const ContainerCreate = Operation.make<
  { readonly name?: string; readonly body: Record<string, unknown> },
  Operation.Json<{ readonly Id: string }>,
  400 | 404 | 409 | 500
>({
  id: "ContainerCreate",
  method: "POST",
  path: "/containers/create",
  tag: "Container",
  params: [query("name")],
  body: { _tag: "Json", required: true },
  response: Operation.json(Schema.Struct({ Id: Schema.String })),
  errors: [400, 404, 409, 500]
})

export const ContainerStart = Operation.make<{ readonly id: string }, Operation.ResponseOf<"Empty">, 404 | 500>({
  id: "ContainerStart",
  method: "POST",
  path: "/containers/{id}/start",
  tag: "Container",
  params: [path("id")],
  response: { _tag: "Empty" },
  errors: [404, 500]
})

export const ContainerLogs = Operation.make<
  { readonly id: string; readonly follow?: boolean; readonly stdout?: boolean; readonly stderr?: boolean },
  Operation.ResponseOf<"Multiplexed">,
  404 | 500
>({
  id: "ContainerLogs",
  method: "GET",
  path: "/containers/{id}/logs",
  tag: "Container",
  params: [path("id"), query("follow", "boolean"), query("stdout", "boolean"), query("stderr", "boolean")],
  response: { _tag: "Multiplexed" },
  errors: [404, 500]
})

export const ContainerWait = Operation.make<
  { readonly id: string },
  Operation.Json<{ readonly StatusCode: number }>,
  400 | 404 | 500
>({
  id: "ContainerWait",
  method: "POST",
  path: "/containers/{id}/wait",
  tag: "Container",
  params: [path("id")],
  response: Operation.json(Schema.Struct({ StatusCode: Schema.Number })),
  errors: [400, 404, 500]
})

export const ContainerDelete = Operation.make<
  { readonly id: string; readonly force?: boolean },
  Operation.ResponseOf<"Empty">,
  400 | 404 | 409 | 500
>({
  id: "ContainerDelete",
  method: "DELETE",
  path: "/containers/{id}",
  tag: "Container",
  params: [path("id"), query("force", "boolean")],
  response: { _tag: "Empty" },
  errors: [400, 404, 409, 500]
})

export const ContainerAttach = Operation.make<
  { readonly id: string; readonly stream?: boolean; readonly stdin?: boolean; readonly stdout?: boolean; readonly stderr?: boolean },
  Operation.ResponseOf<"Hijack">,
  400 | 404 | 500
>({
  id: "ContainerAttach",
  method: "POST",
  path: "/containers/{id}/attach",
  tag: "Container",
  params: [
    path("id"),
    query("stream", "boolean"),
    query("stdin", "boolean"),
    query("stdout", "boolean"),
    query("stderr", "boolean")
  ],
  response: { _tag: "Hijack" },
  errors: [400, 404, 500]
})

export const ImageCreate = Operation.make<
  { readonly fromImage: string; readonly tag?: string; readonly "X-Registry-Auth"?: string },
  Operation.JsonStream<{
    readonly status?: string | undefined
    readonly id?: string | undefined
    readonly progressDetail?: { readonly current?: number | undefined; readonly total?: number | undefined } | undefined
    readonly error?: string | undefined
  }>,
  404 | 500
>({
  id: "ImageCreate",
  method: "POST",
  path: "/images/create",
  tag: "Image",
  params: [
    query("fromImage"),
    query("tag"),
    { name: "X-Registry-Auth", key: "X-Registry-Auth", in: "header", style: "string" }
  ],
  response: Operation.jsonStream(Schema.Struct({
    status: Schema.optional(Schema.String),
    id: Schema.optional(Schema.String),
    progressDetail: Schema.optional(Schema.Struct({
      current: Schema.optional(Schema.Number),
      total: Schema.optional(Schema.Number)
    })),
    error: Schema.optional(Schema.String)
  })),
  errors: [404, 500]
})

export const ImageDelete = Operation.make<{ readonly name: string; readonly force?: boolean }, Operation.ResponseOf<"Text">, 404 | 409 | 500>({
  id: "ImageDelete",
  method: "DELETE",
  path: "/images/{name}",
  tag: "Image",
  params: [path("name"), query("force", "boolean")],
  response: { _tag: "Text" },
  errors: [404, 409, 500]
})

export const ExecCreate = Operation.make<
  { readonly id: string; readonly body: Record<string, unknown> },
  Operation.Json<{ readonly Id: string }>,
  404 | 409 | 500
>({
  id: "ContainerExec",
  method: "POST",
  path: "/containers/{id}/exec",
  tag: "Exec",
  params: [path("id")],
  body: { _tag: "Json", required: true },
  response: Operation.json(Schema.Struct({ Id: Schema.String })),
  errors: [404, 409, 500]
})

export const ExecStart = Operation.make<
  { readonly id: string; readonly body: { readonly Detach: boolean; readonly Tty: boolean } },
  Operation.ResponseOf<"Hijack">,
  404 | 409 | 500
>({
  id: "ExecStart",
  method: "POST",
  path: "/exec/{id}/start",
  tag: "Exec",
  params: [path("id")],
  body: { _tag: "Json", required: true },
  response: { _tag: "Hijack" },
  errors: [404, 409, 500]
})

export const ExecInspect = Operation.make<
  { readonly id: string },
  Operation.Json<{ readonly ExitCode: number | null; readonly Running: boolean }>,
  404 | 500
>({
  id: "ExecInspect",
  method: "GET",
  path: "/exec/{id}/json",
  tag: "Exec",
  params: [path("id")],
  response: Operation.json(Schema.Struct({ ExitCode: Schema.NullOr(Schema.Number), Running: Schema.Boolean })),
  errors: [404, 500]
})

export const ContainerList = Operation.make<
  { readonly all?: boolean; readonly filters?: Record<string, ReadonlyArray<string>> },
  Operation.Json<ReadonlyArray<{ readonly Id: string; readonly Names: ReadonlyArray<string>; readonly State: string }>>,
  400 | 500
>({
  id: "ContainerList",
  method: "GET",
  path: "/containers/json",
  tag: "Container",
  params: [query("all", "boolean"), query("filters", "filters")],
  response: Operation.json(Schema.Array(Schema.Struct({
    Id: Schema.String,
    Names: Schema.Array(Schema.String),
    State: Schema.String
  }))),
  errors: [400, 500]
})
