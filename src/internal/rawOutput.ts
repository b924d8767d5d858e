/**
 * The logs of a TTY container, service or task are not multiplexed: the same operation read as raw bytes.
 *
 * @internal
 */
import type { DocumentedStatus } from "../Errors.ts"
import * as Operation from "../Operation.ts"

const rawStream: Operation.ResponseOf<"Bytes"> = { _tag: "Bytes", contentType: "application/vnd.docker.raw-stream" }

/**
 * `operation` (a `Multiplexed` one) read as raw bytes.
 *
 * @internal
 */
export const rawOutput = <I, S extends DocumentedStatus>(
  operation: Operation.Operation<I, Operation.ResponseOf<"Multiplexed">, S>
): Operation.Operation<I, Operation.ResponseOf<"Bytes">, S> => Operation.withResponse(operation, rawStream)
