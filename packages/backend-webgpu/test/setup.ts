/**
 * Test set-up: WebGPU in Node without a GPU runs on SwiftShader's Vulkan driver, which
 * Debian's `chromium` package ships (`/usr/lib/chromium/vk_swiftshader_icd.json`, see the
 * README). Point the Vulkan loader at it unless the environment already chose a driver.
 */
import { existsSync } from "node:fs";

export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
