/// <reference types="@webgpu/types" />
import type { Program } from "../wgsl/shader.js";

const COMPUTE = 0x4;

/**
 * Compute pipelines cached by their shader's full source, which is exactly what a pipeline
 * depends on (dtypes, ranks, baked dims, attrs, fused expressions all show in the text), so
 * two kernels that generate the same shader share one pipeline and nothing else does.
 * Bind group layouts are explicit (inputs read-only, outputs read-write, one uniform block),
 * so a binding a shader does not use never breaks its bind group.
 *
 * ```ts
 * const pipeline = pipelines.get(program);   // compiles on first use
 * await pipelines.warm(program);             // or ahead, off the critical path (Backend.prepare)
 * ```
 */
export class PipelineCache {
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  /** The same pipelines by program object: a kernel dispatches the same Program every call, so this skips hashing its source. */
  #byProgram = new WeakMap<Program, GPUComputePipeline>();
  readonly #warming = new Map<string, Promise<void>>();
  readonly #layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  /** Pipelines compiled so far (tests check that a repeated call compiles nothing new). */
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `program`, compiled now if it is not cached. */
  get(program: Program): GPUComputePipeline {
    const known = this.#byProgram.get(program);
    if (known !== undefined) return known;
    let pipeline = this.#pipelines.get(program.source);
    if (pipeline === undefined) {
      pipeline = this.device.createComputePipeline(this.#descriptor(program));
      this.#pipelines.set(program.source, pipeline);
      this.compiled++;
    }
    this.#byProgram.set(program, pipeline);
    return pipeline;
  }

  /** Compiles `program` asynchronously unless it is cached (or already compiling). */
  warm(program: Program): Promise<void> {
    if (this.#pipelines.has(program.source)) return Promise.resolve();
    let warming = this.#warming.get(program.source);
    if (warming === undefined) {
      warming = this.device.createComputePipelineAsync(this.#descriptor(program)).then(
        (pipeline) => {
          this.#warming.delete(program.source);
          if (!this.#pipelines.has(program.source)) {
            this.#pipelines.set(program.source, pipeline);
            this.compiled++;
          }
        },
        () => {
          // A shader that fails to compile is reported when it is used (`get`).
          this.#warming.delete(program.source);
        },
      );
      this.#warming.set(program.source, warming);
    }
    return warming;
  }

  /** The bind group layout of a program's bindings. */
  groupLayout(program: Program): GPUBindGroupLayout {
    return this.#layout(program).group;
  }

  #layout(program: Program): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    const key = `${program.inputs}/${program.outputs}/${program.params > 0 ? 1 : 0}`;
    let layout = this.#layouts.get(key);
    if (layout === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let k = 0; k < program.inputs; k++) entries.push({ binding: k, visibility: COMPUTE, buffer: { type: "read-only-storage" } });
      for (let k = 0; k < program.outputs; k++)
        entries.push({ binding: program.inputs + k, visibility: COMPUTE, buffer: { type: "storage" } });
      if (program.params > 0) entries.push({ binding: program.inputs + program.outputs, visibility: COMPUTE, buffer: { type: "uniform" } });
      const group = this.device.createBindGroupLayout({ entries });
      layout = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.#layouts.set(key, layout);
    }
    return layout;
  }

  #descriptor(program: Program): GPUComputePipelineDescriptor {
    const module = this.device.createShaderModule({ code: program.source, label: program.label });
    return { label: program.label, layout: this.#layout(program).pipeline, compute: { module, entryPoint: "main" } };
  }

  clear(): void {
    this.#byProgram = new WeakMap();
    this.#pipelines.clear();
    this.#layouts.clear();
  }
}
