import { runConformance } from "@kiln/conformance";
import { cpu } from "../src/index.js";

runConformance({ plugin: cpu });
