/// <reference types="@webgpu/types" />

/** What the backend has issued so far (benchmarks and tests read it). */
export interface CommandStats {
  /** Compute dispatches encoded. */
  dispatches: number;
  /** Command buffers submitted. */
  submits: number;
  /** Buffer-to-buffer copies encoded. */
  copies: number;
  /** Buffers read back to the host. */
  reads: number;
}

/**
 * The command stream of one device: every dispatch and copy is encoded into one open
 * command encoder (one compute pass for consecutive dispatches) and submitted as one
 * command buffer when someone needs the results (a read), when a traced call ends
 * (`hold`/`release` around it, one command buffer per call), or, for eager ops,
 * at the end of the current JS task (a microtask), so a burst of eager ops is one submit.
 * Buffers that must die while commands that use them are still unsubmitted are destroyed
 * right after the next submit.
 *
 * ```ts
 * stream.dispatch(pipeline, bindGroup, [4, 1, 1]);
 * stream.flush(); // one queue.submit
 * ```
 */
export class CommandStream {
  readonly stats: CommandStats = { dispatches: 0, submits: 0, copies: 0, reads: 0 };
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #commands = 0;
  #holds = 0;
  #flushQueued = false;
  #afterSubmit: (() => void)[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** True when commands are encoded but not yet submitted. */
  get pending(): boolean {
    return this.#commands > 0;
  }

  /** The open encoder (for copies and indirect-argument work that must sit in order). */
  encoder(): GPUCommandEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    return this.#encoder;
  }

  /** The open compute pass, starting one if needed. */
  pass(): GPUComputePassEncoder {
    this.#pass ??= this.encoder().beginComputePass();
    return this.#pass;
  }

  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: readonly [number, number, number]): void {
    const pass = this.pass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.stats.dispatches++;
    this.#encoded();
  }

  /** A dispatch whose workgroup counts are read on the device from `args` at `offset` (three u32). */
  dispatchIndirect(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, args: GPUBuffer, offset: number): void {
    const pass = this.pass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroupsIndirect(args, offset);
    this.stats.dispatches++;
    this.#encoded();
  }

  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, bytes: number): void {
    this.#endPass();
    this.encoder().copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
    this.stats.copies++;
    this.#encoded();
  }

  /** Runs `action` after the next submit (or now, if nothing is pending). */
  afterSubmit(action: () => void): void {
    if (this.#commands === 0) action();
    else this.#afterSubmit.push(action);
  }

  /** Destroys `buffer` once no unsubmitted command can use it (WebGPU defers it past submitted work itself). */
  destroyLater(buffer: GPUBuffer): void {
    this.afterSubmit(() => buffer.destroy());
  }

  /** Keeps everything encoded from now on in one command buffer until the matching `release`. */
  hold(): void {
    this.#holds++;
  }

  /**
   * Ends a `hold`. After the outermost one, what the call encoded is submitted when the
   * current JS task ends, with whatever else the task encodes: a call's dispatches are never
   * split over command buffers, and a loop of calls in one task costs one submit.
   */
  release(): void {
    if (this.#holds > 0) this.#holds--;
    if (this.#holds === 0 && this.#commands > 0) this.#scheduleFlush();
  }

  /** Submits what is encoded (nothing happens when nothing is). */
  flush(): void {
    if (this.#commands === 0) return;
    this.#endPass();
    const buffer = this.#encoder!.finish();
    this.#encoder = undefined;
    this.#commands = 0;
    this.device.queue.submit([buffer]);
    this.stats.submits++;
    const actions = this.#afterSubmit;
    this.#afterSubmit = [];
    for (const action of actions) action();
  }

  #endPass(): void {
    if (this.#pass === undefined) return;
    this.#pass.end();
    this.#pass = undefined;
  }

  #encoded(): void {
    this.#commands++;
    // Eager work outside a held call is submitted when the current JS task ends.
    if (this.#holds === 0) this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (this.#holds === 0) this.flush();
    });
  }
}
