/**
 * @kiln/backend-webgpu is not implemented yet: it is filled by the WebGPU backend issue.
 * This module deliberately exports nothing, so no code can depend on a half-built API.
 */
export {};
