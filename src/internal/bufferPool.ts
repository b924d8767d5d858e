/**
 * Read buffers that a request body hands back once they are written, so that streaming a large body (a build
 * context) reuses a few buffers instead of allocating a fresh one per read. A fresh `ArrayBuffer` per 64 KiB read
 * is garbage the moment the socket took it, but V8 collects such external memory only every 64 MiB or so: that,
 * not the data, was most of the memory a 1 GiB build context cost.
 *
 * The protocol is opt-in on both sides, so a buffer is reused only when it is certain nobody holds it:
 * - a producer takes buffers from its own {@link Pool} and yields them (or views of them) as body chunks;
 * - a consumer that is done with a chunk (the Node transport, once the socket wrote it) calls {@link release}.
 * A chunk from anywhere else, or one a consumer never releases, is simply left to the garbage collector. Only a
 * producer whose chunks go nowhere but to the transport (no user code sees them) may use a pool.
 *
 * @internal
 */

const owners = new WeakMap<Uint8Array, Pool>()

/** Buffers of one size; at most `keep` free ones are kept, the rest are left to the garbage collector. @internal */
export class Pool {
  private readonly free: Array<Uint8Array> = []
  readonly size: number
  readonly keep: number
  constructor(size: number, keep: number) {
    this.size = size
    this.keep = keep
  }

  /** A buffer of `size` bytes that nobody else holds (contents undefined). */
  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.size)
  }

  /**
   * Marks `view` (a view of a buffer from {@link take}, or the buffer itself) as handed to a consumer: when the
   * consumer releases it, the whole underlying buffer comes back. Returns `view`.
   */
  lend(view: Uint8Array, buffer: Uint8Array): Uint8Array {
    owners.set(view, this)
    if (view !== buffer) viewOf.set(view, buffer)
    return view
  }

  /** Takes back a buffer from {@link take} that was never lent. */
  give(buffer: Uint8Array): void {
    if (this.free.length < this.keep) this.free.push(buffer)
  }

  /** How many free buffers the pool holds (tests). */
  get available(): number {
    return this.free.length
  }
}

const viewOf = new WeakMap<Uint8Array, Uint8Array>()

/**
 * Gives a chunk back to the pool it was lent from, if any (a no-op for any other chunk). The caller must not touch
 * the chunk afterwards, and must call this at most once per chunk it was given.
 *
 * @internal
 */
export const release = (chunk: Uint8Array): void => {
  const pool = owners.get(chunk)
  if (pool === undefined) return
  owners.delete(chunk)
  const buffer = viewOf.get(chunk)
  if (buffer !== undefined) viewOf.delete(chunk)
  pool.give(buffer ?? chunk)
}
