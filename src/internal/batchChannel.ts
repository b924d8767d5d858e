/**
 * A batch-to-batch channel around a pure stepper, shared by the demuxer and the NDJSON decoder: one output batch
 * per input batch, so no per-item Effect overhead.
 *
 * @internal
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"

/**
 * Builds a batch-to-batch channel from a pure stepper: `step` handles one input batch, `flush` the end of input.
 * Either may return an error after pushing output; the output is emitted first, then the error on the next pull.
 */
/** @internal */
export const makeBatchChannel = <In, Out, Err, E>(
  make: () => {
    readonly step: (input: NonEmptyReadonlyArray<In>, out: Array<Out>) => Err | undefined
    readonly flush: (out: Array<Out>) => Err | undefined
  }
): Channel.Channel<NonEmptyReadonlyArray<Out>, E | Err, void, NonEmptyReadonlyArray<In>, E, unknown> =>
  Channel.fromTransform((upstream: Pull.Pull<NonEmptyReadonlyArray<In>, E, unknown>) =>
    Effect.sync(() => {
      const { flush, step } = make()
      let failure: Err | undefined = undefined
      let ended = false
      const emit = (out: Array<Out>): Pull.Pull<NonEmptyReadonlyArray<Out>, E | Err> | undefined => {
        if (out.length > 0) return Effect.succeed(out as unknown as NonEmptyReadonlyArray<Out>)
        if (failure !== undefined) return Effect.fail(failure)
        return undefined
      }
      const pull: Pull.Pull<NonEmptyReadonlyArray<Out>, E | Err> = Effect.suspend(() => {
        if (failure !== undefined) return Effect.fail(failure)
        if (ended) return Cause.done()
        return Pull.matchEffect(upstream, {
          onSuccess: (input) => {
            const out: Array<Out> = []
            failure = step(input, out)
            return emit(out) ?? pull
          },
          onFailure: Effect.failCause,
          onDone: () => {
            ended = true
            const out: Array<Out> = []
            failure = flush(out)
            return emit(out) ?? Cause.done()
          }
        })
      })
      return pull
    })
  )
