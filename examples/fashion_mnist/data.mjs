/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` package: the IDX files
 * (`{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`) in /usr/share/datasets/fashion-mnist/,
 * gunzipped and parsed into Kiln tensors (images scaled to [0, 1], shape [n, 28, 28, 1];
 * labels int32, shape [n]).
 *
 * ```js
 * const { images, labels } = await loadFashionMnist(tf, "train", { limit: 1000 });
 * ```
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Where Debian's package puts the files (override with FASHION_MNIST_DIR). */
export const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";

/** The ten class names, by label. */
export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/** Whether the dataset is installed (`apt-get install dataset-fashion-mnist`). */
export function fashionMnistAvailable(dir = FASHION_MNIST_DIR) {
  return ["train", "t10k"].every(
    (split) => existsSync(join(dir, `${split}-images-idx3-ubyte.gz`)) && existsSync(join(dir, `${split}-labels-idx1-ubyte.gz`)),
  );
}

/** Parses an IDX file: a big-endian header (magic, dimension sizes) then unsigned bytes. */
export function parseIdx(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic >> 8 !== 0x08) throw new Error(`IDX: expected unsigned-byte data (type 0x08), received magic 0x${magic.toString(16)}`);
  const rank = magic & 0xff;
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength - offset !== size) throw new Error(`IDX: header says ${size} values, file has ${bytes.byteLength - offset}`);
  return { shape, data: bytes.subarray(offset) };
}

/**
 * Loads a split ("train": 60000 images, "t10k": 10000) as tensors, optionally only the
 * first `limit` examples.
 */
export async function loadFashionMnist(tf, split, { limit, dir = FASHION_MNIST_DIR } = {}) {
  const read = async (kind) => parseIdx(gunzipSync(await readFile(join(dir, `${split}-${kind}-ubyte.gz`))));
  const images = await read("images-idx3");
  const labels = await read("labels-idx1");
  const n = Math.min(limit ?? images.shape[0], images.shape[0]);
  const [rows, cols] = [images.shape[1], images.shape[2]];
  const pixels = new Float32Array(n * rows * cols);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return {
    images: tf.tensor(pixels, [n, rows, cols, 1]),
    labels: tf.tensor(Int32Array.from(labels.data.subarray(0, n)), [n], "int32"),
  };
}
