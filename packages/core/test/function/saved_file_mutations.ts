/**
 * Random edits of a saved file (parsed JSON), for the saved-file fuzzer (SPEC K2). Every
 * edit is seeded, so a failing case replays from its seed; `describe` says what changed.
 *
 * ```ts
 * const random = seeded(42);
 * const edit = mutate(saved, random); // saved changed in place
 * edit; // "functions[0].graph.operations[3].attrs.axis: 1 -> {"@number":"NaN"}"
 * ```
 */

/** A deterministic random source: `next()` in [0, 1). */
export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast and good enough to pick mutations. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)]! };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

/** One place in the file: its container, the key in it, and a readable path. */
interface Site {
  readonly parent: Container;
  readonly key: string | number;
  readonly path: string;
}

const tag = (text: string): Json => ({ "@number": text });

/** Numbers a hostile file might hold: huge, negative, fractional, non-finite, off by one. */
function numberFor(value: number, random: Random): Json {
  const options: Json[] = [
    0,
    1,
    -1,
    2,
    3,
    value + 1,
    value - 1,
    -value,
    value * 1000,
    value + 0.5,
    0.5,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 32 + 1,
    1e9,
    1e15,
    2 ** 53 + 2,
    1e300,
    -(2 ** 31),
    tag("NaN"),
    tag("Infinity"),
    tag("-Infinity"),
    tag("-0"),
  ];
  return random.pick(options);
}

function collect(value: Json, path: string, sites: Site[], parent?: Container, key?: string | number): void {
  if (parent !== undefined && key !== undefined) sites.push({ parent, key, path });
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, `${path}[${i}]`, sites, value, i));
  else if (typeof value === "object" && value !== null)
    for (const k of Object.keys(value)) collect(value[k]!, `${path}.${k}`, sites, value, k);
}

/** Every string in the file that names something (ops, outputs, functions, weights), to aim references elsewhere. */
function names(root: Json): string[] {
  const found = new Set<string>();
  const visit = (v: Json) => {
    if (typeof v === "string" && v.length < 80) found.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(visit);
  };
  visit(root);
  return [...found];
}

/**
 * Names of the same kind as `value`: another library function for a function reference,
 * another operation's output for a reference like `"x:0"`, another dtype for a dtype;
 * otherwise any name in the file. Aimed edits reach the checks behind the reader.
 */
function similarNames(root: Json, value: string): string[] {
  const functions: string[] = [];
  const outputs: string[] = [];
  const visit = (v: Json) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null) {
      const record = v as Record<string, Json>;
      if (typeof record.name === "string" && typeof record.graph === "object") functions.push(record.name);
      if (typeof record.name === "string" && typeof record.type === "string" && Array.isArray(record.outputs))
        record.outputs.forEach((_, k) => outputs.push(`${record.name as string}:${k}`));
      Object.values(record).forEach(visit);
    }
  };
  visit(root);
  if (functions.includes(value)) return functions;
  if (/:\d+$/.test(value)) return outputs;
  if (value === "float32" || value === "int32" || value === "bool") return ["float32", "int32", "bool"];
  return names(root);
}

const show = (v: Json | undefined) => {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const clone = (v: Json): Json => JSON.parse(JSON.stringify(v));

/** A value of another JSON type than `value`. */
function otherType(value: Json, random: Random): Json {
  const options: Json[] = ["x", "", true, false, null, [], {}, 0, [1, 2], { shape: [], dtype: "float32" }];
  return random.pick(options.filter((o) => typeof o !== typeof value || Array.isArray(o) !== Array.isArray(value)));
}

/**
 * Applies one random edit to `root` in place and describes it: a number replaced (huge,
 * negative, NaN, fractional...), a value of another type, a reference aimed at another name
 * in the file, a field deleted, an array element deleted, duplicated or swapped, or a whole
 * value copied from elsewhere in the file (another op's attrs, another output list).
 */
export function mutate(root: Json, random: Random): string {
  const sites: Site[] = [];
  collect(root, "", sites);
  // Attribute values are what the loader must judge; the rest of the file is mostly checked by its reader.
  const attrs = sites.filter((s) => s.path.includes(".attrs."));
  const signature = sites.filter((s) => /\.inputs\[|\.outputs\.|\.params\b|\.captures\b/.test(s.path));
  const roll = random.int(8);
  const site = random.pick(roll < 5 && attrs.length > 0 ? attrs : roll < 7 && signature.length > 0 ? signature : sites);
  const { parent, key, path } = site;
  const before = (parent as Record<string, Json>)[key as string]!;
  const set = (v: Json) => {
    (parent as Record<string, Json>)[key as string] = v;
    return `${path}: ${show(before)} -> ${show(v)}`;
  };
  const kind = random.int(10);
  if (kind <= 2 && typeof before === "number") return set(numberFor(before, random));
  if (kind <= 2 && Array.isArray(before) && before.every((v) => typeof v === "number") && before.length > 0) {
    const copy = [...before] as Json[];
    const i = random.int(copy.length);
    copy[i] = numberFor(copy[i] as number, random);
    return set(copy);
  }
  if (kind <= 4 && typeof before === "string") {
    if (random.int(3) !== 0) return set(random.pick(similarNames(root, before)));
    return set(random.pick(names(root)) + (random.int(4) === 0 ? `:${random.int(3)}` : ""));
  }
  if (kind === 5) return set(otherType(before, random));
  if (kind === 6 && Array.isArray(before) && before.length > 0) {
    const copy = [...before];
    const i = random.int(copy.length);
    const op = random.int(3);
    if (op === 0) copy.splice(i, 1);
    else if (op === 1) copy.splice(i, 0, clone(copy[i]!));
    else {
      const j = random.int(copy.length);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return `${["deleted", "duplicated", "swapped"][op]} element ${i} of ${set(copy)}`;
  }
  if (kind === 7 && !Array.isArray(parent)) {
    delete (parent as Record<string, Json>)[key as string];
    return `deleted ${path}`;
  }
  if (kind === 8) {
    // A value of the same field from elsewhere in the file (another op's attrs, inputs, shape...).
    const same = sites.filter((s) => s.key === key && s !== site);
    if (same.length > 0) {
      const from = random.pick(same);
      return set(clone((from.parent as Record<string, Json>)[from.key as string]!));
    }
  }
  if (kind === 9) {
    // An attribute another op has, added to this op's attrs (ops must not read attrs their infer ignores).
    const attrs = sites.filter((s) => s.key === "attrs" && typeof (s.parent as Record<string, Json>).attrs === "object");
    const from = attrs.length > 1 ? (random.pick(attrs).parent as Record<string, Json>).attrs : undefined;
    const to = random.pick(attrs)?.parent as Record<string, Json> | undefined;
    const keys = typeof from === "object" && from !== null ? Object.keys(from) : [];
    if (to !== undefined && keys.length > 0 && typeof to.attrs === "object" && to.attrs !== null && !Array.isArray(to.attrs)) {
      const k = random.pick(keys);
      (to.attrs as Record<string, Json>)[k] = clone((from as Record<string, Json>)[k]!);
      return `added attrs.${k} = ${show((from as Record<string, Json>)[k])} to op ${show(to.name)}`;
    }
  }
  if (typeof before === "number") return set(numberFor(before, random));
  return set(otherType(before, random));
}

/** The value at a path like `functions[0].graph.library[2].graph.operations[1]` (what the loader's messages name). */
function at(root: unknown, path: string): any {
  let value: any = root;
  for (const [, key, index] of path.matchAll(/\.?([A-Za-z_]\w*)|\[(\d+)\]/g)) value = value?.[key ?? Number(index)];
  return value;
}

/**
 * When `error` says an operation's declared output type differs from what inference now
 * gives (the usual result of editing an attribute), rewrites the declaration so the next
 * load gets past it and the edited attribute reaches the rest of the loader and the run.
 * Returns false when there is nothing to repair.
 */
export function repairDeclaredOutputs(root: unknown, error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  const match = /^([\w.[\]]*\.operations\[\d+\]) .*?\.outputs\[(\d+)\]: declared as \S+ but the op's inference gives (\w+)\[([^\]]*)\]$/.exec(message);
  const output = match === null ? undefined : at(root, match[1]!)?.outputs?.[Number(match[2])];
  if (typeof output !== "object" || output === null) return false;
  output.shape = match![4] === "" ? [] : match![4]!.split(",").map((d) => (d === "?" ? null : Number(d)));
  output.dtype = match![3];
  return true;
}
