import { defineConfig } from "vitest/config";
import { kilnTestConfig } from "../../vitest.shared.js";

export default defineConfig(kilnTestConfig(import.meta.url));
