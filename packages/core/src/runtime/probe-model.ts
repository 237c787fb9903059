import { GraphBuilder } from '../graph/graph-builder.js';
import { serializeModel } from '../graph/onnx-model.js';
import { CORE_VERSION } from '../package-info.js';

let cached: Uint8Array | undefined;

/** The smallest model a provider must be able to run (y = x): loading it tells whether the provider works. */
export function probeModel(): Uint8Array {
  if (cached !== undefined) return cached;
  const g = new GraphBuilder();
  g.rename(g.op('Identity', ['x']), 'y');
  const graph = g.build(
    'probe',
    [{ name: 'x', dataType: 'float32', shape: [1] }],
    [{ name: 'y', dataType: 'float32', shape: [1] }],
  );
  cached = serializeModel(graph, { opset: 17, producerVersion: CORE_VERSION, metadata: {} });
  return cached;
}
