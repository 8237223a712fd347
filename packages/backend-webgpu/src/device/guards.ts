/// <reference types="@webgpu/types" />
import { buildProgram, type Program } from "../wgsl/shader.js";
import { USAGE } from "./buffers.js";
import type { CommandStream } from "./commands.js";

/** Indirect dispatches per argument buffer; a longer guarded region chains more buffers. */
const CAPACITY = 256;

/**
 * The shader that arms a guarded region: it computes the region's predicate on the device
 * (this guard's bool, negated if asked, and the enclosing guard's), stores it for nested
 * guards, and zeroes the workgroup counts of every indirect dispatch in the region when it
 * is false. The counts and their number are written by the host when the region ends,
 * which WebGPU orders before the command buffer that reads them.
 */
const ARM: Program = buildProgram({
  label: "guard_arm",
  inputs: ["u32", "u32"],
  outputs: ["u32", "u32"],
  params: 2,
  workgroupSize: 64,
  body: `let enclosing = param_u(1u) == 0u || in1[0] != 0u;
let own = (in0[0] != 0u) != (param_u(0u) != 0u);
let go = enclosing && own;
if (lid == 0u) { out1[0] = select(0u, 1u, go); }
if (go) { return; }
let count = out0[0];
for (var k = lid; k < count * 3u; k = k + 64u) { out0[4u + k] = 0u; }`,
});

/** One argument buffer of a guarded region: its GPU buffer and the counts recorded so far. */
interface Segment {
  readonly buffer: GPUBuffer;
  readonly counts: number[];
}

/** An open guarded region. */
export interface Guard {
  /** The region's predicate on the device (u32 0/1), for nested guards. */
  readonly predicate: GPUBuffer;
  readonly segments: Segment[];
  readonly arm: (segment: Segment) => void;
}

/** What the guard machinery needs from the backend. */
export interface GuardHost {
  readonly device: GPUDevice;
  readonly stream: CommandStream;
  /** Encodes an (unguarded) dispatch of `program` on raw buffers. */
  dispatchRaw(
    program: Program,
    inputs: readonly GPUBuffer[],
    outputs: readonly GPUBuffer[],
    params: Uint32Array,
    grid: readonly [number, number, number],
  ): void;
}

/**
 * Guarded regions (`Backend.guard`): the dispatches encoded inside run on the device only
 * where a bool tensor is true, and the host never reads it. Each dispatch becomes an
 * indirect dispatch whose workgroup counts one small "arm" dispatch at the region's start
 * zeroes when the predicate is false. Speculative `While` iterations and predicated `If`
 * branches use this so that work past a loop's end, or of the branch not taken, costs
 * almost nothing and needs no read-back.
 *
 * ```ts
 * const end = guards.open(predicateBuffer, false, undefined);
 * // ... dispatches ...
 * guards.close(end);
 * ```
 */
export class Guards {
  readonly #stack: Guard[] = [];
  readonly #freeArgs: GPUBuffer[] = [];

  constructor(private readonly host: GuardHost) {}

  /** The innermost open guard, if any. */
  get current(): Guard | undefined {
    return this.#stack.at(-1);
  }

  open(predicate: GPUBuffer, negate: boolean, effective: GPUBuffer): Guard {
    const outer = this.current;
    const guard: Guard = {
      predicate: effective,
      segments: [],
      arm: (segment) =>
        this.host.dispatchRaw(
          ARM,
          [predicate, outer?.predicate ?? predicate],
          [segment.buffer, effective],
          Uint32Array.of(negate ? 1 : 0, outer === undefined ? 0 : 1),
          [1, 1, 1],
        ),
    };
    this.#newSegment(guard);
    this.#stack.push(guard);
    return guard;
  }

  /** The argument buffer and byte offset the next guarded dispatch of `grid` reads its counts from. */
  record(guard: Guard, grid: readonly [number, number, number]): { buffer: GPUBuffer; offset: number } {
    let segment = guard.segments.at(-1)!;
    if (segment.counts.length >= CAPACITY * 3) segment = this.#newSegment(guard);
    const offset = 16 + segment.counts.length * 4;
    segment.counts.push(grid[0], grid[1], grid[2]);
    return { buffer: segment.buffer, offset };
  }

  close(guard: Guard): void {
    const top = this.#stack.pop();
    if (top !== guard) throw new Error("webgpu backend: guarded regions closed out of order");
    for (const segment of guard.segments) {
      const data = new Uint32Array(4 + segment.counts.length);
      data[0] = segment.counts.length / 3;
      data.set(segment.counts, 4);
      this.host.device.queue.writeBuffer(segment.buffer, 0, data);
      // Reusable once the command buffer that reads it is submitted (later writes queue after it).
      this.host.stream.afterSubmit(() => this.#freeArgs.push(segment.buffer));
    }
  }

  #newSegment(guard: Guard): Segment {
    const buffer =
      this.#freeArgs.pop() ??
      this.host.device.createBuffer({ size: 16 + CAPACITY * 12, usage: USAGE.STORAGE | USAGE.INDIRECT | USAGE.COPY_DST });
    const segment: Segment = { buffer, counts: [] };
    guard.segments.push(segment);
    guard.arm(segment);
    return segment;
  }

  clear(): void {
    for (const buffer of this.#freeArgs) buffer.destroy();
    this.#freeArgs.length = 0;
  }
}
