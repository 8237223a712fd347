/// <reference types="@webgpu/types" />
import {
  BACKEND_API_VERSION,
  type Backend,
  type BackendCapabilities,
  type BackendMemory,
  bytesPerElement,
  type ConcreteShape,
  type DataArray,
  type DataId,
  type DType,
  type FusedCluster,
  type KernelFn,
  type KernelSource,
  type PlanPreparation,
} from "@kiln/core";
import { BindGroupCache } from "./device/bind_groups.js";
import { BufferPool, GpuData, StagingPool } from "./device/buffers.js";
import { type CommandStats, CommandStream } from "./device/commands.js";
import { type Guard, Guards } from "./device/guards.js";
import type { OpenDevice } from "./device/open_device.js";
import { ParamCache } from "./device/params.js";
import { PipelineCache } from "./device/pipelines.js";
import { UploadRing } from "./device/uploads.js";
import { WebGPUDeviceError } from "./errors.js";
import { compileFusedCluster, EPILOGUE_HEADS, fusedPrograms, fusedWgsl } from "./fusion/fuse.js";
import type { GpuKernel, KernelCompiler } from "./kernels/kernel.js";
import type { Program } from "./wgsl/shader.js";

/** Elements of data written from JS that the backend also keeps on the host (index checks, fast reads). */
const HOST_COPY_LIMIT = 1 << 16;

/** Backend settings (see `webgpu()`). */
export interface WebGPUBackendOptions {
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  readonly poolBytes?: number;
  /**
   * `While` iterations run ahead of each predicate read at most (1 reads every iteration).
   * Default: 32 on a hardware GPU, where a read stalls the device for far longer than a few
   * extra dispatches cost; 1 on a software GPU (SwiftShader), where it is the other way round
   * (see the README's measurements).
   */
  readonly loopLookahead?: number;
}

/** What `stats()` reports. */
export interface WebGPUStats extends CommandStats {
  /** Pipelines compiled so far. */
  pipelines: number;
  /** GPU buffers created so far: storage buffers and upload staging chunks (the pools serve the rest). */
  buffersCreated: number;
  /** Bind groups created so far (a repeated call with the same buffers reuses its dispatches' groups). */
  bindGroupsCreated: number;
}

/**
 * The WebGPU backend: tensors live in GPU storage buffers, kernels are WGSL compute
 * shaders generated from core's tables, and reads are asynchronous (`caps.reads` is
 * "async"; core's async path carries control flow and printing).
 *
 * ```ts
 * tf.registerBackend(webgpu());
 * await tf.setBackend("webgpu");
 * (tf.backend() as WebGPUBackend).caps.details; // adapter and limits
 * ```
 */
export class WebGPUBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly caps: BackendCapabilities;
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  readonly stream: CommandStream;
  readonly pipelines: PipelineCache;
  readonly #pool: BufferPool;
  readonly #staging: StagingPool;
  readonly #params: ParamCache;
  readonly #guards: Guards;
  readonly #bindGroups = new BindGroupCache();
  readonly #uploads: UploadRing;
  /** The GPU object, referenced while the device lives (Dawn's must be, see open_device.ts); undefined once disposed. */
  #gpu: GPU | undefined;
  readonly #kernels: ReadonlyMap<string, KernelCompiler>;
  readonly #compiled = new Map<string, GpuKernel>();
  readonly #errors: string[] = [];
  #lost: string | undefined;
  #numBuffers = 0;
  #numBytes = 0;
  readonly loopLookahead: number;

  constructor(
    readonly name: string,
    opened: OpenDevice,
    kernels: ReadonlyMap<string, KernelCompiler>,
    options: WebGPUBackendOptions = {},
  ) {
    this.device = opened.device;
    this.#gpu = opened.gpu;
    this.limits = opened.device.limits;
    this.#kernels = kernels;
    this.loopLookahead = Math.max(1, Math.floor(options.loopLookahead ?? (opened.software ? 1 : 32)));
    this.stream = new CommandStream(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.#pool = new BufferPool(this.device, this.stream, options.poolBytes ?? 256 * 1024 * 1024);
    this.#staging = new StagingPool(this.device);
    this.#uploads = new UploadRing(this.device, this.stream);
    this.#params = new ParamCache(this.device, this.stream, this.limits.minUniformBufferOffsetAlignment);
    this.#guards = new Guards({
      device: this.device,
      stream: this.stream,
      dispatchRaw: (p, i, o, u, g) => this.#dispatchRaw(p, i, o, u, g),
    });
    const info = opened.adapterInfo;
    this.caps = {
      reads: "async",
      dtypes: ["float32", "int32", "bool"],
      fusion: { elementwise: true, broadcast: true, epilogues: [...EPILOGUE_HEADS] },
      loopLookahead: this.loopLookahead,
      guardSkips: true,
      writeReuse: true,
      details: {
        adapter: [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== "").join(" ") || "unknown",
        software: opened.software,
        // WGSL lets devices flush float32 subnormals to zero (SwiftShader does).
        mayFlushSubnormals: true,
        maxStorageBuffersPerShaderStage: this.limits.maxStorageBuffersPerShaderStage,
        maxComputeInvocationsPerWorkgroup: this.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: this.limits.maxComputeWorkgroupStorageSize,
        maxStorageBufferBindingSize: this.limits.maxStorageBufferBindingSize,
        maxBufferSize: this.limits.maxBufferSize,
        features: [...opened.adapter.features].sort(),
      },
    };
    const onError = (event: Event): void => {
      this.#errors.push((event as GPUUncapturedErrorEvent).error.message);
    };
    try {
      this.device.addEventListener("uncapturederror", onError);
    } catch {
      (this.device as { onuncapturederror: unknown }).onuncapturederror = onError;
    }
    this.device.lost.then((info) => {
      if (this.#gpu !== undefined) this.#lost = `${info.reason}: ${info.message}`;
    });
  }

  // ---- buffers -------------------------------------------------------------------------

  /**
   * Uploads `values` into a new buffer from the pool, or into `reuse` (a disposed tensor's
   * buffer core offers, `caps.writeReuse`), so an eager loop that writes a scalar each step
   * (`x.mul(0.01)`) reuses the same few GPU buffers instead of creating one per step.
   */
  write(values: DataArray, _shape: ConcreteShape, dtype: DType, reuse?: DataId): DataId {
    this.#checkAlive();
    const data = this.output(reuse, dtype, values.length);
    if (values.length > 0) {
      const words = values instanceof Uint8Array ? Uint32Array.from(values) : values;
      this.#upload(data.buffer, words as Float32Array | Int32Array | Uint32Array);
    }
    if (values.length <= HOST_COPY_LIMIT) data.host = values;
    return data;
  }

  /**
   * Writes `words` at the start of `buffer`. `queue.writeBuffer` runs before any command
   * not yet submitted, so when commands are pending (which may still read the buffer's old
   * contents: it can come from the pool) the bytes go through the upload ring, copied in
   * command order instead.
   */
  #upload(buffer: GPUBuffer, words: Float32Array | Int32Array | Uint32Array): void {
    if (!this.stream.pending) this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    else this.#uploads.write(buffer, words);
  }

  async read(dataId: DataId): Promise<DataArray> {
    this.#checkAlive();
    const data = dataId as GpuData;
    if (data.host !== undefined) return data.host.slice();
    const bytes = data.length * 4;
    if (bytes === 0) return emptyArray(data.dtype);
    const staging = this.#staging.acquire(bytes);
    this.stream.copy(data.buffer, 0, staging, 0, bytes);
    this.stream.flush();
    this.stream.stats.reads++;
    try {
      await staging.mapAsync(1, 0, bytes);
    } catch (error) {
      this.#checkAlive();
      throw new WebGPUDeviceError(`webgpu backend: reading a buffer failed: ${(error as Error).message}`);
    }
    const words = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.#staging.release(staging);
    this.#checkErrors();
    if (data.dtype === "float32") return new Float32Array(words);
    if (data.dtype === "int32") return new Int32Array(words);
    return Uint8Array.from(new Uint32Array(words));
  }

  disposeData(dataId: DataId): void {
    const data = dataId as GpuData;
    if (!data.live) return;
    data.live = false;
    data.host = undefined;
    this.#numBuffers--;
    this.#numBytes -= data.length * bytesPerElement(data.dtype);
    if (--data.store.refs === 0) this.#pool.release(data.store);
  }

  memory(): BackendMemory {
    return { numBytes: this.#numBytes, numBuffers: this.#numBuffers };
  }

  /** A new buffer for `length` elements of `dtype` (contents undefined). */
  allocate(dtype: DType, length: number): GpuData {
    const data = new GpuData(this.#pool.acquire(Math.max(4, length * 4)), dtype, length);
    this.#numBuffers++;
    this.#numBytes += length * bytesPerElement(dtype);
    return data;
  }

  /**
   * The buffer a kernel writes output into: the offered dead buffer when it is this
   * backend's, not shared and not one of the kernel's `inputs` (core updates a variable in
   * place by offering its own buffer; WebGPU forbids binding one buffer for reading and
   * writing in a dispatch, so such an offer is declined), else a new one.
   */
  output(offered: DataId | undefined, dtype: DType, length: number, inputs: readonly GpuData[] = []): GpuData {
    const data = offered as GpuData | undefined;
    const aliased = data !== undefined && inputs.some((input) => input.store === data.store);
    if (data?.live && !aliased && data.store.refs === 1 && data.dtype === dtype && data.length === length) {
      data.host = undefined;
      return data;
    }
    return this.allocate(dtype, length);
  }

  /** A new tensor sharing `data`'s buffer (Reshape, Identity: the same elements in the same order). */
  alias(data: GpuData, dtype: DType = data.dtype): GpuData {
    data.store.refs++;
    const alias = new GpuData(data.store, dtype, data.length);
    alias.host = data.host;
    this.#numBuffers++;
    this.#numBytes += data.length * bytesPerElement(dtype);
    return alias;
  }

  /** Encodes a copy of `source`'s elements into `target` (same length). */
  copy(source: GpuData, target: GpuData): void {
    if (source.length > 0) this.stream.copy(source.buffer, 0, target.buffer, 0, source.length * 4);
  }

  // ---- kernels ---------------------------------------------------------------------------

  /**
   * Encodes one dispatch of `program` (an empty grid encodes nothing). Inside a guarded
   * region (`guard`), the dispatch is indirect and runs only where the region's predicate holds.
   */
  dispatch(
    program: Program,
    inputs: readonly GpuData[],
    outputs: readonly GpuData[],
    params: Uint32Array | undefined,
    grid: readonly [number, number, number],
    site?: object,
  ): void {
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
    this.#checkAlive();
    const buffers: GPUBuffer[] = [];
    const sizes: number[] = [];
    for (const data of [...inputs, ...outputs]) {
      buffers.push(data.buffer);
      sizes.push(data.bytes);
    }
    this.#encode(program, buffers, sizes, params, grid, this.#guards.current, site);
  }

  #dispatchRaw(
    program: Program,
    inputs: readonly GPUBuffer[],
    outputs: readonly GPUBuffer[],
    params: Uint32Array,
    grid: readonly [number, number, number],
  ): void {
    const buffers = [...inputs, ...outputs];
    this.#encode(
      program,
      buffers,
      buffers.map((b) => b.size),
      params,
      grid,
      undefined,
      undefined,
    );
  }

  /**
   * Encodes one dispatch. `site` (a kernel plan's dispatch, the same object every call) lets
   * a call that binds what the site's last call bound reuse its bind group.
   */
  #encode(
    program: Program,
    buffers: readonly GPUBuffer[],
    sizes: readonly number[],
    params: Uint32Array | undefined,
    grid: readonly [number, number, number],
    guard: Guard | undefined,
    site: object | undefined,
  ): void {
    const slice = program.params > 0 ? this.#params.slice(params ?? new Uint32Array(program.params)) : undefined;
    const pipeline = this.pipelines.get(program);
    const bindGroup = this.#bindGroups.get(site, { buffers, sizes, params: slice }, () => {
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
        binding,
        resource: { buffer, offset: 0, size: sizes[binding]! },
      }));
      if (slice !== undefined) entries.push({ binding: entries.length, resource: slice });
      return this.device.createBindGroup({ layout: this.pipelines.groupLayout(program), entries });
    });
    if (guard === undefined) this.stream.dispatch(pipeline, bindGroup, grid);
    else {
      const args = this.#guards.record(guard, grid);
      this.stream.dispatchIndirect(pipeline, bindGroup, args.buffer, args.offset);
    }
  }

  /**
   * Runs the work encoded until the returned function is called only where the bool
   * `predicate` (a scalar on this backend) is true (false with `negate`), without reading it:
   * every dispatch in between is indirect, its workgroup counts zeroed on the device when
   * the predicate fails. Outputs of skipped kernels hold unspecified values. Nested guards
   * combine their predicates. Core uses this for speculative `While` iterations and
   * predicated `If` branches (see docs/architecture.md).
   */
  guard(predicate: DataId, negate: boolean): () => void {
    const effective = this.allocate("bool", 1);
    const guard = this.#guards.open((predicate as GpuData).buffer, negate, effective.buffer);
    return () => {
      this.#guards.close(guard);
      this.disposeData(effective);
    };
  }

  /** The compiled kernel for `op` and `key`, memoized per backend (core and `prepare` share it). */
  compileKernel(opName: string, key: Parameters<KernelCompiler>[0]): GpuKernel {
    const id = `${opName}:${key.id}`;
    let kernel = this.#compiled.get(id);
    if (kernel === undefined) {
      const compiler = this.#kernels.get(opName);
      if (compiler === undefined) throw new WebGPUDeviceError(`webgpu backend: no kernel for ${opName}`);
      this.#compiled.set(id, (kernel = compiler(key, this)));
    }
    return kernel;
  }

  compileFused(cluster: FusedCluster): KernelFn | undefined {
    return compileFusedCluster(cluster, this) as KernelFn | undefined;
  }

  /**
   * The WGSL `compileFused` compiles for a cluster (every program it dispatches, in order),
   * for `cf.planSummary()` and the playground; undefined where it declines the cluster.
   *
   * ```ts
   * backend.fusedKernelSource(cluster); // { language: "wgsl", code: "...@compute @workgroup_size(64)..." }
   * ```
   */
  fusedKernelSource(cluster: FusedCluster): KernelSource | undefined {
    const code = fusedWgsl(cluster, this);
    return code === undefined ? undefined : { language: "wgsl", code };
  }

  /** Compiles every pipeline a new plan will use, asynchronously, before its first asynchronous run. */
  async prepare(work: PlanPreparation): Promise<void> {
    const programs: Program[] = [];
    for (const { op, key } of work.kernels) {
      if (this.#kernels.has(op.name)) programs.push(...(this.compileKernel(op.name, key).programs ?? []));
    }
    for (const cluster of work.clusters) programs.push(...fusedPrograms(cluster, this));
    await Promise.all(programs.map((p) => this.pipelines.warm(p)));
  }

  beginRun(): void {
    this.stream.hold();
  }

  endRun(): void {
    this.stream.release();
  }

  /** Dispatches, submits, reads and compiled pipelines so far. */
  stats(): WebGPUStats {
    return {
      ...this.stream.stats,
      pipelines: this.pipelines.compiled,
      buffersCreated: this.#pool.created + this.#uploads.created,
      bindGroupsCreated: this.#bindGroups.created,
    };
  }

  /** Waits until the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    this.stream.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  dispose(): void {
    if (this.#gpu === undefined) return;
    this.stream.flush();
    this.#pool.clear();
    this.#staging.clear();
    this.#uploads.clear();
    this.#params.clear();
    this.#guards.clear();
    this.pipelines.clear();
    this.#compiled.clear();
    this.device.destroy();
    this.#gpu = undefined;
  }

  #checkAlive(): void {
    if (this.#gpu === undefined) throw new WebGPUDeviceError(`webgpu backend '${this.name}' was disposed`);
    if (this.#lost !== undefined)
      throw new WebGPUDeviceError(
        `webgpu backend '${this.name}': the GPU device was lost (${this.#lost}); register and select the backend again`,
      );
  }

  #checkErrors(): void {
    if (this.#errors.length === 0) return;
    const messages = this.#errors.splice(0);
    throw new WebGPUDeviceError(
      `webgpu backend: the GPU reported ${messages.length} error(s) for recent work: ${messages.slice(0, 3).join(" | ")}`,
    );
  }
}

function emptyArray(dtype: DType): DataArray {
  return dtype === "float32" ? new Float32Array(0) : dtype === "int32" ? new Int32Array(0) : new Uint8Array(0);
}
