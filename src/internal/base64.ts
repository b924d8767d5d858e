/**
 * Base64 as the daemon's headers use it: URL-safe for `X-Registry-Auth`, either alphabet for
 * `X-Docker-Container-Path-Stat`. Web-standard `btoa` / `atob` only.
 *
 * @internal
 */

/**
 * Base64url (RFC 4648 §5, with padding) of the UTF-8 bytes of `text`, as the docker CLI encodes `X-Registry-Auth`.
 *
 * @internal
 */
export const base64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_")
}

/**
 * Decodes standard or URL-safe base64 to text (the daemon's `X-Docker-Container-Path-Stat` header).
 *
 * @internal
 */
export const fromBase64 = (text: string): string => {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return new TextDecoder().decode(bytes)
}
