import { existsSync } from "node:fs";
import { type WebGPUBackend, webgpu } from "../src/index.js";
import { SWIFTSHADER_ICD } from "./setup.js";

/**
 * Whether this machine can run the webgpu backend (a GPU, or SwiftShader), probed once per
 * test file by opening and closing a device. Tests that need it skip with `reason` when it
 * cannot; CI installs the stack (package.json kiln.debianPackages), so they run there.
 */
async function probe(): Promise<{ available: boolean; reason: string }> {
  try {
    const backend = (await webgpu({ name: "webgpu-probe" }).create()) as WebGPUBackend;
    backend.dispose();
    return { available: true, reason: "" };
  } catch (error) {
    const hint = existsSync(SWIFTSHADER_ICD) ? "" : ` (${SWIFTSHADER_ICD} is missing: apt-get install libvulkan1 chromium)`;
    return { available: false, reason: `webgpu backend unavailable here: ${(error as Error).message}${hint}` };
  }
}

export const gpu = await probe();
if (!gpu.available) console.warn(`SKIPPING webgpu tests: ${gpu.reason}`);
