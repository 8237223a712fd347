import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import { dotOf, GraphvizError, toSvg } from "@kiln/graphviz";
import { describe, expect, it } from "vitest";

if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());

/** The drawn nodes' labels (name and type lines joined by a space), edge count and cluster titles of an SVG. */
function drawn(svg: string) {
  const groups = (cls: string) => [...svg.matchAll(new RegExp(`<g id="[^"]+" class="${cls}">([\\s\\S]*?)</g>`, "g"))].map((m) => m[1]!);
  const texts = (body: string) => [...body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&#45;/g, "-"));
  return {
    nodes: groups("node").map((body) => texts(body).join(" ")),
    edges: groups("edge").length,
    clusters: groups("cluster").map((body) => texts(body).join(" ")),
  };
}

const edgesInDot = (dot: string) => dot.split("\n").filter((line) => line.includes(" -> ")).length;

describe("toSvg: graph pictures through Graphviz (WebAssembly)", () => {
  it("draws every operation of a traced graph as a node named after it, and every edge", async () => {
    const tfCube = tf.function(function tfCube(x: tf.Tensor) {
      return tf.pow(x, 3);
    });
    const cf = tfCube.getConcreteFunction(new tf.TensorSpec([null, 2]));
    const svg = await toSvg(cf.graph);
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\s*$/);
    const { nodes, edges } = drawn(svg);
    expect(nodes.sort()).toEqual(["Identity Identity", "pow Pow", "pow/y Const", "return", "x Placeholder"]);
    expect(edges).toBe(edgesInDot(cf.graph.toDot()));
  });

  it("draws If branches and While bodies as labelled clusters the control-flow node points into", async () => {
    const f = tf.function(function countdown(n: tf.Tensor) {
      const [, total] = tf.whileLoop(
        (i: tf.Tensor) => tf.greater(i, 0),
        (i: tf.Tensor, acc: tf.Tensor) => [
          i.sub(1),
          tf.cond(
            tf.greater(i, 2),
            () => acc.add(i),
            () => acc.mul(2),
          ),
        ],
        [n, tf.scalar(0)],
      );
      return total;
    });
    const cf = f.getConcreteFunction(new tf.TensorSpec([]));
    const { nodes, clusters, edges } = drawn(await toSvg(cf));
    expect(nodes).toContain("whileLoop StatelessWhile");
    const labels = clusters.map((c) => c.replace(/_\d+$/, ""));
    expect(labels).toEqual(["while_cond", "while_body", "cond_true", "cond_false"]);
    expect(nodes).toContain("cond StatelessIf");
    expect(edges).toBe(edgesInDot(cf.graph.toDot()));
  });

  it("draws an optimized plan: a fused step and the inputs it reads", async () => {
    const cf = tf.function((x: tf.Tensor) => tf.relu(x.mul(2).add(1))).getConcreteFunction(tf.ones([2, 3]));
    const { nodes } = drawn(await toSvg(cf.planSummary()));
    expect(nodes).toContain("fused Mul → AddV2 → Relu");
    expect(nodes).toContain("x");
  });

  it("accepts DOT text and other layout engines", async () => {
    const svg = await toSvg("digraph { a -> b; b -> c; }", { engine: "circo" });
    expect(drawn(svg).nodes).toEqual(["a", "b", "c"]);
    expect(drawn(svg).edges).toBe(2);
  });

  it("DOT that Graphviz cannot read is a GraphvizError that quotes it", async () => {
    await expect(toSvg("digraph { a -> ; }")).rejects.toThrow(GraphvizError);
    await expect(toSvg("digraph { a -> ; }")).rejects.toThrow(
      /could not lay out the DOT \(syntax error in line 1.*DOT starts: "digraph \{ a -> ; \}"/,
    );
  });

  it("a value without a DOT form is a GraphvizError saying what it received", () => {
    expect(() => dotOf({ nodes: [] } as never)).toThrow(/received an object without toDot\(\) \(keys: nodes\)/);
    expect(() => dotOf(42 as never)).toThrow(GraphvizError);
  });
});
