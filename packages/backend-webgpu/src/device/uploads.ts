/// <reference types="@webgpu/types" />
import { USAGE } from "./buffers.js";
import type { CommandStream } from "./commands.js";

/** Bytes per upload chunk; writes larger than this get a staging buffer of their own. */
const CHUNK = 64 * 1024;

/**
 * Uploads that must land in command order: `queue.writeBuffer` runs before every command not
 * yet submitted, so writing a reused buffer that pending commands may still read has to go
 * through a copy encoded after them. The bytes go to a fresh region of a staging chunk
 * (`writeBuffer` there is safe: no pending command reads that region) and a copy into the
 * target is encoded. A chunk is reused once the command buffer with its copies has been
 * submitted (later `writeBuffer`s queue after it), so a steady eager loop that writes a
 * scalar each step cycles through the same one or two chunks instead of creating a staging
 * buffer per write.
 *
 * ```ts
 * uploads.write(target, words); // bytes into target, after everything encoded so far
 * ```
 */
export class UploadRing {
  #chunk: GPUBuffer | undefined;
  #used = CHUNK;
  readonly #free: GPUBuffer[] = [];
  /** Staging chunks and buffers created so far (for tests: a steady loop stops creating them). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly stream: CommandStream,
  ) {}

  write(target: GPUBuffer, words: Float32Array | Int32Array | Uint32Array): void {
    const bytes = words.byteLength;
    if (bytes > CHUNK) {
      const staging = this.device.createBuffer({ size: bytes, usage: USAGE.COPY_SRC, mappedAtCreation: true });
      this.created++;
      new Uint8Array(staging.getMappedRange()).set(new Uint8Array(words.buffer, words.byteOffset, bytes));
      staging.unmap();
      this.stream.copy(staging, 0, target, 0, bytes);
      this.stream.destroyLater(staging);
      return;
    }
    if (this.#chunk === undefined || this.#used + bytes > CHUNK) this.#nextChunk();
    const chunk = this.#chunk!;
    const offset = this.#used;
    this.device.queue.writeBuffer(chunk, offset, words.buffer, words.byteOffset, bytes);
    this.stream.copy(chunk, offset, target, 0, bytes);
    this.#used = offset + Math.ceil(bytes / 4) * 4;
    // Once the copies out of it are submitted, a later writeBuffer to it is ordered after them.
    if (offset === 0)
      this.stream.afterSubmit(() => {
        if (this.#chunk === chunk) this.#chunk = undefined;
        this.#free.push(chunk);
      });
  }

  #nextChunk(): void {
    this.#chunk = this.#free.pop() ?? this.#create();
    this.#used = 0;
  }

  #create(): GPUBuffer {
    this.created++;
    return this.device.createBuffer({ size: CHUNK, usage: USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  clear(): void {
    for (const chunk of this.#free) chunk.destroy();
    this.#free.length = 0;
    this.#chunk?.destroy();
    this.#chunk = undefined;
  }
}
