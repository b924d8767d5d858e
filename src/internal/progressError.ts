/**
 * The errors the daemon reports inside an HTTP 200 JSON progress stream (pull, push, build, load, import, plugin
 * install), where the status was sent before the failure happened. No Effect and no I/O here.
 *
 * @internal
 */

/** The fields every JSON progress message may carry. @internal */
export interface JsonMessage {
  readonly errorDetail?: { readonly code?: number; readonly message?: string }
  readonly error?: string
}

/**
 * The error a JSON progress message reports (`errorDetail.message`, or the older `error`), if any.
 *
 * @internal
 */
export const messageError = (
  message: JsonMessage
): { readonly message: string; readonly code?: number } | undefined => {
  const detail = message.errorDetail
  if (detail !== undefined && (detail.message !== undefined || message.error !== undefined)) {
    const text = detail.message ?? message.error ?? ""
    return detail.code === undefined ? { message: text } : { message: text, code: detail.code }
  }
  if (message.error !== undefined) return { message: message.error }
  return undefined
}
