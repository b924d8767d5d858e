import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Dvp from "../../src/Dvp.ts"
import { dvpLayer, publisher, useServer } from "./helpers.ts"

const server = useServer()

const secure = (code: Effect.Effect<string> | undefined) =>
  Dvp.password({
    username: server.current.users.secure.username,
    password: server.current.users.secure.password,
    twoFactorCode: code
  })

describe("Docker Hub login", () => {
  it.live("logs in once for many calls, sequential and concurrent (counted on the server)", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 5; i++) yield* Dvp.years("acme")
      yield* Effect.all(Array.from({ length: 10 }, () => Dvp.namespace("acme")), { concurrency: "unbounded" })
      expect(server.current.count("getNamespaceYears")).toBe(5)
      expect(server.current.count("getNamespace")).toBe(10)
      expect(server.current.count("PostUsersLogin")).toBe(1)
      expect(server.current.logins()).toBe(1)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))))

  it.live("concurrent first calls share one login", () =>
    Effect.gen(function*() {
      yield* Effect.all(Array.from({ length: 8 }, () => Dvp.namespaces()), { concurrency: "unbounded" })
      expect(server.current.count("PostUsersLogin")).toBe(1)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))))

  it.live("a personal access token works as the password", () =>
    Effect.gen(function*() {
      const names = yield* Dvp.namespaces()
      expect(names.namespaces).toEqual(["acme", "globex"])
    }).pipe(Effect.provide(dvpLayer(
      server.current,
      Dvp.password({ username: "publisher", password: Redacted.make(server.current.users.publisher.pat) })
    ))))

  it.live("organization access token through /v2/auth/token", () =>
    Effect.gen(function*() {
      const names = yield* Dvp.namespaces()
      expect(names.namespaces).toEqual(["acme"])
      yield* Dvp.years("acme")
      expect(server.current.count("AuthCreateAccessToken")).toBe(1)
      expect(server.current.count("PostUsersLogin")).toBe(0)
    }).pipe(Effect.provide(dvpLayer(
      server.current,
      Dvp.accessToken({ identifier: server.current.users.org.identifier, secret: server.current.users.org.secret })
    ))))

  it.live("2FA: the callback is asked once for the TOTP code, then /v2/users/2fa-login", () =>
    Effect.gen(function*() {
      let asked = 0
      const code = Effect.sync(() => {
        asked++
        return server.current.totpCode
      })
      const names = yield* Dvp.namespaces().pipe(Effect.provide(dvpLayer(server.current, secure(code))))
      expect(names.namespaces).toEqual(["acme"])
      expect(asked).toBe(1)
      expect(server.current.log.filter((e) => e.server === "api").map((e) => `${e.operation} ${e.status}`)).toEqual([
        "PostUsersLogin 401",
        "PostUsers2FALogin 200",
        "getNamespaces 200"
      ])
    }))

  it.live("2FA without a callback fails with DvpTwoFactorRequired; a wrong code with DvpLoginFailed", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(
        Dvp.namespaces().pipe(Effect.provide(dvpLayer(server.current, secure(undefined))))
      )
      expect(missing._tag).toBe("DvpTwoFactorRequired")
      expect(missing.message).toBe("the account secure has two-factor authentication: pass twoFactorCode")
      const wrong = yield* Effect.flip(
        Dvp.namespaces().pipe(Effect.provide(dvpLayer(server.current, secure(Effect.succeed("000000")))))
      )
      expect(wrong).toMatchObject({ _tag: "DvpLoginFailed", operation: "PostUsers2FALogin", status: 401 })
      expect(server.current.count("getNamespaces")).toBe(0)
    }))

  it.live("a wrong password fails with DvpLoginFailed carrying Hub's detail", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Dvp.years("acme").pipe(
          Effect.provide(dvpLayer(server.current, Dvp.password({ username: "publisher", password: "nope" })))
        )
      )
      expect(error).toMatchObject({
        _tag: "DvpLoginFailed",
        operation: "PostUsersLogin",
        status: 401,
        message: "Incorrect authentication credentials"
      })
    }))

  it.live("Dvp.login returns a token usable with Dvp.token", () =>
    Effect.gen(function*() {
      const jwt = yield* Dvp.login(publisher(server.current), { hubUrl: server.current.hubUrl }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      expect(String(jwt)).toMatch(/^<redacted/)
      const names = yield* Dvp.namespaces().pipe(Effect.provide(dvpLayer(server.current, Dvp.token(jwt))))
      expect(names.namespaces).toEqual(["acme", "globex"])
      expect(server.current.logins()).toBe(1)
    }))
})

describe("layerConfig", () => {
  const withEnv = (env: Record<string, string>) =>
    Dvp.layerConfig().pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
    )

  it.live("reads a username and password (and the URLs) from the environment", () =>
    Effect.gen(function*() {
      const names = yield* Dvp.namespaces().pipe(Effect.provide(withEnv({
        DOCKER_HUB_USERNAME: "secure",
        DOCKER_HUB_PASSWORD: server.current.users.secure.password,
        DOCKER_HUB_TOTP: server.current.totpCode,
        DVP_BASE_URL: server.current.baseUrl,
        DOCKER_HUB_URL: server.current.hubUrl
      })))
      expect(names.namespaces).toEqual(["acme"])
      expect(server.current.count("PostUsers2FALogin")).toBe(1)
    }))

  it.live("reads a bearer token from the environment", () =>
    Effect.gen(function*() {
      const jwt = yield* Dvp.login(publisher(server.current), { hubUrl: server.current.hubUrl }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      const names = yield* Dvp.namespaces().pipe(Effect.provide(withEnv({
        DOCKER_HUB_TOKEN: Redacted.value(jwt),
        DVP_BASE_URL: server.current.baseUrl
      })))
      expect(names.namespaces).toEqual(["acme", "globex"])
      expect(server.current.logins()).toBe(1)
    }))

  it.live("fails with a ConfigError when there are no credentials", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Dvp.namespaces().pipe(Effect.provide(withEnv({ DVP_BASE_URL: "http://x" }))))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("DOCKER_HUB_USERNAME")
    }))
})

describe("401 on a data call", () => {
  it.live("an expired token is renewed once and the call sent again", () =>
    Effect.gen(function*() {
      yield* Dvp.years("acme")
      server.current.expireTokens()
      const years = yield* Dvp.years("acme")
      expect(years.years?.length).toBe(2)
      expect(server.current.log.filter((e) => e.server === "api").map((e) => `${e.operation} ${e.status}`)).toEqual([
        "PostUsersLogin 200",
        "getNamespaceYears 200",
        "getNamespaceYears 401",
        "PostUsersLogin 200",
        "getNamespaceYears 200"
      ])
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))))

  it.live("many concurrent calls refused at once cause a single new login", () =>
    Effect.gen(function*() {
      yield* Dvp.namespaces()
      server.current.expireTokens()
      yield* Effect.all(Array.from({ length: 12 }, () => Dvp.namespace("acme")), { concurrency: "unbounded" })
      expect(server.current.count("PostUsersLogin")).toBe(2)
      expect(server.current.log.filter((e) => e.operation === "getNamespace" && e.status === 200).length).toBe(12)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))))

  it.live("2FA accounts ask the callback again when renewing", () =>
    Effect.gen(function*() {
      let asked = 0
      const layer = dvpLayer(server.current, secure(Effect.sync(() => (asked++, server.current.totpCode))))
      yield* Effect.gen(function*() {
        yield* Dvp.namespaces()
        server.current.expireTokens()
        yield* Dvp.namespaces()
      }).pipe(Effect.provide(layer))
      expect(asked).toBe(2)
      expect(server.current.count("PostUsers2FALogin")).toBe(2)
    }))

  it.live("a 401 that persists after renewal fails with DvpUnauthorized (no loop)", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespace", status: 401, times: 5, detail: "token revoked" })
      const error = yield* Effect.flip(Dvp.namespace("acme"))
      expect(error).toMatchObject({
        _tag: "DvpUnauthorized",
        status: 401,
        operation: "getNamespace",
        message: "token revoked"
      })
      expect(server.current.count("getNamespace")).toBe(2)
      expect(server.current.count("PostUsersLogin")).toBe(2)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))))

  it.live("a token given as it is cannot be renewed: DvpUnauthorized, no login attempted", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Dvp.namespaces())
      expect(error).toMatchObject({ _tag: "DvpUnauthorized", status: 401, message: "token expired or invalid" })
      expect(server.current.logins()).toBe(0)
      expect(server.current.count("PostUsersLogin")).toBe(0)
    }).pipe(Effect.provide(dvpLayer(server.current, Dvp.token("eyJ.stale.token")))))
})

describe("secrets", () => {
  it("credentials print redacted", () => {
    const c = Dvp.password({ username: "u", password: "hunter2-password", twoFactorCode: Effect.succeed("123456") })
    expect(JSON.stringify(c)).not.toContain("hunter2-password")
    const t = Dvp.token("eyJ-secret-token")
    expect(t._tag === "Token" && String(t.token)).toBe("<redacted>")
    expect(JSON.stringify(Dvp.accessToken({ identifier: "acme", secret: "dckr_oat_x" }))).not.toContain("dckr_oat_x")
  })

  it.live("passwords, tokens, 2FA tokens and URL signatures never reach errors, logs or spans", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const spans: Array<Tracer.NativeSpan> = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = new Tracer.NativeSpan(options)
          spans.push(span)
          return span
        }
      })
      const logger = Logger.make((options) => {
        logs.push(JSON.stringify({ message: options.message, cause: Cause.pretty(options.cause) }))
      })
      const failures: Array<unknown> = []
      const keep = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.exit(effect).pipe(
          Effect.tap((exit) =>
            Exit.isFailure(exit)
              ? Effect.andThen(Effect.sync(() => failures.push(exit.cause)), Effect.logError("call failed", exit.cause))
              : Effect.void
          )
        )
      const { users } = server.current
      const observed = Effect.gen(function*() {
        // wrong password, 2FA with a wrong code, 2FA without callback
        const wrongPassword = Dvp.password({ username: "publisher", password: users.publisher.password + "x" })
        yield* keep(Dvp.years("acme").pipe(Effect.provide(dvpLayer(server.current, wrongPassword))))
        yield* keep(Dvp.years("acme").pipe(Effect.provide(dvpLayer(server.current, secure(Effect.succeed("111111"))))))
        yield* keep(Dvp.years("acme").pipe(Effect.provide(dvpLayer(server.current, secure(undefined)))))
        // a working session: a 401 renewal, a persistent 500, a 429 over the limit, a download with a bad signature
        yield* Effect.gen(function*() {
          yield* keep(Dvp.years("acme"))
          server.current.expireTokens()
          yield* keep(Dvp.years("acme"))
          server.current.inject({ operation: "getNamespace", status: 500, times: 10 })
          yield* keep(Dvp.namespace("acme"))
          server.current.inject({ operation: "getNamespace", status: 429, retryAfter: "86400" })
          yield* keep(Dvp.namespace("acme"))
          const files = yield* Dvp.dataFiles("acme", 2026, "weeks", 3, "raw")
          const url = files.data![0]!.url!
          yield* keep(Stream.runDrain(Dvp.download(url.replace(/sig=\w+/, "sig=0000"))))
          server.current.inject({ operation: "download", status: 503, times: 10 })
          yield* keep(Stream.runDrain(Dvp.download(url)))
          yield* keep(Stream.runDrain(Dvp.rowsOfFiles([url.replace("/files/", "/files/x")], "raw")))
        }).pipe(
          Effect.provide(dvpLayer(server.current, secure(Effect.succeed(server.current.totpCode)), {
            retry: { times: 2, baseDelay: "1 millis" }
          }))
        )
      }).pipe(
        Effect.provide(Logger.layer([logger])),
        Effect.provideService(References.MinimumLogLevel, "All"),
        Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
        Effect.withTracer(tracer)
      )
      yield* observed
      // the ones that must fail did (wrong password, wrong code, no callback, 500, 429, bad signature, 503, bad path)
      expect(failures.length).toBe(8)
      const spanText = spans.map((span) => JSON.stringify({ name: span.name, attributes: [...span.attributes] }))
      expect(spanText.join("\n")).toContain("http.request.header.authorization")
      expect(spanText.join("\n")).toContain("sig=")
      const everything = [
        ...failures.map((cause) => Cause.pretty(cause as Cause.Cause<unknown>)),
        ...failures.map((cause) => JSON.stringify(Cause.squash(cause as Cause.Cause<unknown>))),
        ...failures.map((cause) => String(Cause.squash(cause as Cause.Cause<unknown>))),
        ...logs,
        ...spanText
      ].join("\n")
      const secrets = [
        users.publisher.password,
        users.secure.password,
        server.current.totpCode,
        ...server.current.secrets()
      ]
      expect(secrets.length).toBeGreaterThan(6)
      for (const secret of secrets) expect(everything).not.toContain(secret)
    }))
})
