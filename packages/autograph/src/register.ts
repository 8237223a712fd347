/**
 * `import "@kiln/autograph/register"`: from now on every `tf.function` converts the
 * function it wraps (unless `{ autograph: false }`), converting at run time from its source
 * text when the loader hook or bundler plugin did not convert it earlier.
 */
import { enableRuntimeConversion } from "./api.js";

enableRuntimeConversion();
