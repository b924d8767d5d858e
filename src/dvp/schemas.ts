/**
 * Schemas of the DVP Data API and Docker Hub login answers (spec/dvp-latest.yaml, spec/hub-latest.yaml). The specs
 * mark no property as required, so every field is optional. Enum-typed answer fields are read as strings, so a
 * value Docker adds later does not break decoding; request parameters use the spec's literal types.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** @internal */
export const TimespanType = Schema.Literals(["months", "weeks"])
/** @internal */
export const PeriodType = Schema.Literals(["last-2-months", "last-3-months", "last-6-months", "last-12-months"])
/** @internal */
export const GroupType = Schema.Literals(["repo", "namespace"])
/** @internal */
export const DataviewType = Schema.Literals(["raw", "summary", "repo-summary", "namespace-summary"])

/**
 * A count, size or calendar number of a JSON answer: an integer within ±(2^53 - 1). `JSON.parse` has already rounded
 * a larger integer (9007199254740993 reads as …992), and every rounded value is outside that range, so an answer
 * holding one fails to decode instead of giving a silently wrong count.
 *
 * @internal
 */
export const Count = Schema.Int

/** @internal */
export const NamespaceData = Schema.Struct({
  namespaces: Schema.optionalKey(Schema.Array(Schema.String))
})

/** @internal */
export const DatasetModel = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  views: Schema.optionalKey(Schema.Array(Schema.String)),
  timespans: Schema.optionalKey(Schema.Array(Schema.String))
})

/** @internal */
export const NamespaceMetadata = Schema.Struct({
  namespace: Schema.optionalKey(Schema.String),
  extraRepos: Schema.optionalKey(Schema.Array(Schema.String)),
  datasets: Schema.optionalKey(Schema.Array(DatasetModel))
})

/** @internal */
export const PullModel = Schema.Struct({
  start: Schema.optionalKey(Schema.String),
  end: Schema.optionalKey(Schema.String),
  repo: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  pullCount: Schema.optionalKey(Count),
  ipCount: Schema.optionalKey(Count),
  country: Schema.optionalKey(Schema.String)
})

/** @internal */
export const PullData = Schema.Struct({
  pulls: Schema.optionalKey(Schema.Array(PullModel))
})

/** @internal */
export const ReposPullData = Schema.Struct({
  repos: Schema.optionalKey(Schema.Record(Schema.String, PullData))
})

/** @internal */
export const YearData = Schema.Struct({
  years: Schema.optionalKey(Schema.Array(Schema.Struct({ year: Schema.optionalKey(Count) })))
})

/** `TimespanData` is `oneOf` MonthData / WeekData: one struct with both optional lists reads either. @internal */
export const TimespanData = Schema.Struct({
  months: Schema.optionalKey(Schema.Array(Schema.Struct({ month: Schema.optionalKey(Count) }))),
  weeks: Schema.optionalKey(Schema.Array(Schema.Struct({ week: Schema.optionalKey(Count) })))
})

/** `TimespanModel` is `oneOf` MonthModel / WeekModel. @internal */
export const TimespanModel = Schema.Struct({
  month: Schema.optionalKey(Count),
  week: Schema.optionalKey(Count)
})

/** @internal */
export const ResponseDataFile = Schema.Struct({
  url: Schema.optionalKey(Schema.String),
  size: Schema.optionalKey(Count)
})

/** @internal */
export const ResponseData = Schema.Struct({
  data: Schema.optionalKey(Schema.Array(ResponseDataFile))
})

/** @internal */
export const LoginSuccess = Schema.Struct({ token: Schema.String })
/** @internal */
export const LoginError = Schema.Struct({
  detail: Schema.optionalKey(Schema.String),
  login_2fa_token: Schema.optionalKey(Schema.NullOr(Schema.String))
})
/** @internal */
export const AccessTokenSuccess = Schema.Struct({ access_token: Schema.String })

const nullableString = Schema.optionalKey(Schema.NullOr(Schema.String))
const nullableCount = Schema.optionalKey(Schema.NullOr(Schema.Number))
const extra = Schema.Record(Schema.String, Schema.NullOr(Schema.String))

/**
 * One row of a raw export: one pull or version check. A field is absent when the file has no such column and `null`
 * when the file says `\N`; columns the SDK does not know are kept in `extra`, by their header name.
 *
 * @internal
 */
export const RawRow = Schema.Struct({
  action: nullableString,
  actionDay: nullableString,
  country: nullableString,
  digest: nullableString,
  httpMethod: nullableString,
  host: nullableString,
  namespace: nullableString,
  reference: nullableString,
  repository: nullableString,
  tag: nullableString,
  timestamp: nullableString,
  type: nullableString,
  userAgentTool: nullableString,
  userAgentVersion: nullableString,
  domain: nullableString,
  owner: nullableString,
  extra
})

/**
 * One row of a summary export (`summary`, `repo-summary` or `namespace-summary`).
 *
 * @internal
 */
export const SummaryRow = Schema.Struct({
  namespace: nullableString,
  repository: nullableString,
  reference: nullableString,
  tag: nullableString,
  digest: nullableString,
  uniqueIps: nullableCount,
  pullsByTag: nullableCount,
  pullsByDigest: nullableCount,
  versionChecks: nullableCount,
  owner: nullableString,
  extra
})
