/**
 * The class `Data.TaggedError(tag)` returns, named so that each error's base class can be a constant with an
 * explicit type (JSR's fast check cannot read a call in an `extends` clause).
 *
 * @internal
 */
import type * as Data from "effect/Data"

/** @internal */
export type TaggedErrorClass<Tag extends string> = ReturnType<typeof Data.TaggedError<Tag>>
