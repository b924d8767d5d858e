/**
 * Schemas of the DVP Data API and Docker Hub login answers (spec/dvp-latest.yaml, spec/hub-latest.yaml). The specs
 * mark no property as required, so every field is optional. Enum-typed answer fields are read as strings, so a
 * value Docker adds later does not break decoding; request parameters use the spec's literal types.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** @internal */
export const TimespanType: Schema.Literals<readonly ["months", "weeks"]> = Schema.Literals(["months", "weeks"])
/** @internal */
export const PeriodType: Schema.Literals<
  readonly ["last-2-months", "last-3-months", "last-6-months", "last-12-months"]
> = Schema.Literals(["last-2-months", "last-3-months", "last-6-months", "last-12-months"])
/** @internal */
export const GroupType: Schema.Literals<readonly ["repo", "namespace"]> = Schema.Literals(["repo", "namespace"])
/** @internal */
export const DataviewType: Schema.Literals<readonly ["raw", "summary", "repo-summary", "namespace-summary"]> = Schema
  .Literals(["raw", "summary", "repo-summary", "namespace-summary"])

/**
 * A count, size or calendar number of a JSON answer: an integer within ±(2^53 - 1). `JSON.parse` has already rounded
 * a larger integer (9007199254740993 reads as …992), and every rounded value is outside that range, so an answer
 * holding one fails to decode instead of giving a silently wrong count.
 *
 * @internal
 */
export const Count: Schema.Int = Schema.Int

/** @internal */
export const NamespaceData: Schema.Struct<{
  readonly namespaces: Schema.optionalKey<Schema.$Array<Schema.String>>
}> = Schema.Struct({
  namespaces: Schema.optionalKey(Schema.Array(Schema.String))
})

/** @internal */
export const DatasetModel: Schema.Struct<{
  readonly name: Schema.optionalKey<Schema.String>
  readonly views: Schema.optionalKey<Schema.$Array<Schema.String>>
  readonly timespans: Schema.optionalKey<Schema.$Array<Schema.String>>
}> = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  views: Schema.optionalKey(Schema.Array(Schema.String)),
  timespans: Schema.optionalKey(Schema.Array(Schema.String))
})

/** @internal */
export const NamespaceMetadata: Schema.Struct<{
  readonly namespace: Schema.optionalKey<Schema.String>
  readonly extraRepos: Schema.optionalKey<Schema.$Array<Schema.String>>
  readonly datasets: Schema.optionalKey<Schema.$Array<typeof DatasetModel>>
}> = Schema.Struct({
  namespace: Schema.optionalKey(Schema.String),
  extraRepos: Schema.optionalKey(Schema.Array(Schema.String)),
  datasets: Schema.optionalKey(Schema.Array(DatasetModel))
})

/** @internal */
export const PullModel: Schema.Struct<{
  readonly start: Schema.optionalKey<Schema.String>
  readonly end: Schema.optionalKey<Schema.String>
  readonly repo: Schema.optionalKey<Schema.String>
  readonly namespace: Schema.optionalKey<Schema.String>
  readonly pullCount: Schema.optionalKey<Schema.Int>
  readonly ipCount: Schema.optionalKey<Schema.Int>
  readonly country: Schema.optionalKey<Schema.String>
}> = Schema.Struct({
  start: Schema.optionalKey(Schema.String),
  end: Schema.optionalKey(Schema.String),
  repo: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  pullCount: Schema.optionalKey(Count),
  ipCount: Schema.optionalKey(Count),
  country: Schema.optionalKey(Schema.String)
})

/** @internal */
export const PullData: Schema.Struct<{
  readonly pulls: Schema.optionalKey<Schema.$Array<typeof PullModel>>
}> = Schema.Struct({
  pulls: Schema.optionalKey(Schema.Array(PullModel))
})

/** @internal */
export const ReposPullData: Schema.Struct<{
  readonly repos: Schema.optionalKey<Schema.$Record<Schema.String, typeof PullData>>
}> = Schema.Struct({
  repos: Schema.optionalKey(Schema.Record(Schema.String, PullData))
})

/** @internal */
export const YearData: Schema.Struct<{
  readonly years: Schema.optionalKey<Schema.$Array<Schema.Struct<{ readonly year: Schema.optionalKey<Schema.Int> }>>>
}> = Schema.Struct({
  years: Schema.optionalKey(Schema.Array(Schema.Struct({ year: Schema.optionalKey(Count) })))
})

type OptionalNumber = Schema.optionalKey<Schema.Int>

/** `TimespanData` is `oneOf` MonthData / WeekData: one struct with both optional lists reads either. @internal */
export const TimespanData: Schema.Struct<{
  readonly months: Schema.optionalKey<Schema.$Array<Schema.Struct<{ readonly month: OptionalNumber }>>>
  readonly weeks: Schema.optionalKey<Schema.$Array<Schema.Struct<{ readonly week: OptionalNumber }>>>
}> = Schema.Struct({
  months: Schema.optionalKey(Schema.Array(Schema.Struct({ month: Schema.optionalKey(Count) }))),
  weeks: Schema.optionalKey(Schema.Array(Schema.Struct({ week: Schema.optionalKey(Count) })))
})

/** `TimespanModel` is `oneOf` MonthModel / WeekModel. @internal */
export const TimespanModel: Schema.Struct<{
  readonly month: Schema.optionalKey<Schema.Int>
  readonly week: Schema.optionalKey<Schema.Int>
}> = Schema.Struct({
  month: Schema.optionalKey(Count),
  week: Schema.optionalKey(Count)
})

/** @internal */
export const ResponseDataFile: Schema.Struct<{
  readonly url: Schema.optionalKey<Schema.String>
  readonly size: Schema.optionalKey<Schema.Int>
}> = Schema.Struct({
  url: Schema.optionalKey(Schema.String),
  size: Schema.optionalKey(Count)
})

/** @internal */
export const ResponseData: Schema.Struct<{
  readonly data: Schema.optionalKey<Schema.$Array<typeof ResponseDataFile>>
}> = Schema.Struct({
  data: Schema.optionalKey(Schema.Array(ResponseDataFile))
})

/** @internal */
export const LoginSuccess: Schema.Struct<{ readonly token: Schema.String }> = Schema.Struct({ token: Schema.String })
/** @internal */
export const LoginError: Schema.Struct<{
  readonly detail: Schema.optionalKey<Schema.String>
  readonly login_2fa_token: Schema.optionalKey<Schema.NullOr<Schema.String>>
}> = Schema.Struct({
  detail: Schema.optionalKey(Schema.String),
  login_2fa_token: Schema.optionalKey(Schema.NullOr(Schema.String))
})
/** @internal */
export const AccessTokenSuccess: Schema.Struct<{ readonly access_token: Schema.String }> = Schema.Struct({
  access_token: Schema.String
})

type NullableString = Schema.optionalKey<Schema.NullOr<Schema.String>>
type NullableCount = Schema.optionalKey<Schema.NullOr<Schema.Number>>
type Extra = Schema.$Record<Schema.String, Schema.NullOr<Schema.String>>

const nullableString: NullableString = Schema.optionalKey(Schema.NullOr(Schema.String))
const nullableCount: NullableCount = Schema.optionalKey(Schema.NullOr(Schema.Number))
const extra: Extra = Schema.Record(Schema.String, Schema.NullOr(Schema.String))

/**
 * One row of a raw export: one pull or version check. A field is absent when the file has no such column and `null`
 * when the file says `\N`; columns the SDK does not know are kept in `extra`, by their header name.
 *
 * @internal
 */
export const RawRow: Schema.Struct<{
  readonly action: NullableString
  readonly actionDay: NullableString
  readonly country: NullableString
  readonly digest: NullableString
  readonly httpMethod: NullableString
  readonly host: NullableString
  readonly namespace: NullableString
  readonly reference: NullableString
  readonly repository: NullableString
  readonly tag: NullableString
  readonly timestamp: NullableString
  readonly type: NullableString
  readonly userAgentTool: NullableString
  readonly userAgentVersion: NullableString
  readonly domain: NullableString
  readonly owner: NullableString
  readonly extra: Extra
}> = Schema.Struct({
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
export const SummaryRow: Schema.Struct<{
  readonly namespace: NullableString
  readonly repository: NullableString
  readonly reference: NullableString
  readonly tag: NullableString
  readonly digest: NullableString
  readonly uniqueIps: NullableCount
  readonly pullsByTag: NullableCount
  readonly pullsByDigest: NullableCount
  readonly versionChecks: NullableCount
  readonly owner: NullableString
  readonly extra: Extra
}> = Schema.Struct({
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
