/**
 * `node --import @kiln/autograph/register app.js` (Node's entry of "./register"): enables
 * run-time conversion and registers the module loader hook, which converts the functions
 * given to `tf.function` in user modules as they load, with their real scope. It also turns
 * on Node's source-map support (`process.setSourceMapsEnabled(true)`), so errors thrown in
 * converted modules point at the lines the user wrote.
 */
import { register } from "node:module";
import { enableRuntimeConversion } from "./api.js";

enableRuntimeConversion();
// Converted modules carry inline source maps: with them on, stack traces show the user's own lines (no --enable-source-maps needed).
process.setSourceMapsEnabled(true);
// Under a TypeScript runner (tests, development) this file is .ts and so is the hook.
const hook = import.meta.url.endsWith(".ts") ? "./loader.ts" : "./loader.js";
register(hook, import.meta.url);
