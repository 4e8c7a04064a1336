/** Runs the ObjectLayer conformance suite over the erasure layer: 1 drive, 4 drives EC:2, 8 drives EC:4. */
import { openErasureLayer } from "../../src/erasure/index";
import { tempDrives } from "./helpers";
import { registerMoreSuite } from "./more.suite";
import { registerObjectLayerSuite, type LayerFactory } from "./object-layer.suite";

function erasure(n: number, parity?: number): LayerFactory {
  return async () => {
    const t = tempDrives(n);
    const layer = await openErasureLayer({ drives: t.drives, ...(parity !== undefined ? { parity } : {}) });
    return {
      layer,
      async cleanup() {
        await layer.close();
        t.cleanup();
      },
    };
  };
}

for (const [name, make] of [
  ["erasure 1 drive", erasure(1)],
  ["erasure 4 drives EC:2", erasure(4, 2)],
  ["erasure 8 drives EC:4", erasure(8, 4)],
] as const) {
  registerObjectLayerSuite(name, make);
  registerMoreSuite(name, make);
}
