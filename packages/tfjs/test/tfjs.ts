/**
 * tfjs 4.22's union package (`@tensorflow/tfjs`) as the oracle: the original programs in
 * tfjs_ports/ import it. Set up here once: its cpu backend (no WebGL in Node) and no
 * "install tfjs-node" banner in test output.
 */
import * as tfjs from "@tensorflow/tfjs";

tfjs.env().set("IS_TEST", true);
await tfjs.setBackend("cpu");

export { tfjs };
