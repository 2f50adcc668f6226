// Writes the scoring model as an ONNX graph. The model is a hashed bag of features with one
// weight per bucket (logistic regression, fastText-style input). A batch arrives flat, with no
// padding: the active buckets of every email one after the other, their values, the row (email)
// each belongs to, and the number of rows.
//
//   logit[n] = sum over k with rows[k] = n of W[indices[k]] * values[k] + bias
//   probability = sigmoid(logit)
//
// Only the few ONNX messages needed are declared, with the tag numbers of onnx/onnx.proto.
import protobuf from 'protobufjs';

const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 18;
const TensorType = { float: 1, int32: 6, int64: 7 } as const;
const AttributeType = { int: 2, string: 3, tensor: 4 } as const;

const onnx = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: { fields: {
          irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 },
          producerVersion: { type: 'string', id: 3 }, domain: { type: 'string', id: 4 },
          modelVersion: { type: 'int64', id: 5 }, docString: { type: 'string', id: 6 },
          graph: { type: 'GraphProto', id: 7 },
          opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
        } },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: { fields: {
          node: { rule: 'repeated', type: 'NodeProto', id: 1 }, name: { type: 'string', id: 2 },
          initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
          input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
          output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
        } },
        NodeProto: { fields: {
          input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 },
          name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 },
          attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
        } },
        AttributeProto: { fields: {
          name: { type: 'string', id: 1 }, i: { type: 'int64', id: 3 }, s: { type: 'bytes', id: 4 },
          t: { type: 'TensorProto', id: 5 }, type: { type: 'int32', id: 20 },
        } },
        TensorProto: { fields: {
          dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 },
          name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 },
        } },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
});
const ModelProto = onnx.lookupType('onnx.ModelProto');

/** Changes whenever the graph's inputs or layout change; part of the model version. */
export const GRAPH_FORMAT = 'flat2';

export const MODEL_INPUTS = { indices: 'indices', values: 'values', rows: 'rows', count: 'count' } as const;
export const MODEL_OUTPUTS = { probability: 'probability', logit: 'logit' } as const;

export interface LinearModel {
  readonly weights: Float32Array;
  readonly bias: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export function encodeLinearModel(model: LinearModel): Uint8Array {
  const tensor = (name: string, dims: number[], dataType: number, data: ArrayBufferView) => ({
    name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const valueInfo = (name: string, elemType: number, dims: Array<string | number>) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({
    name: `${opType}_${output[0]}`, opType, input, output, attribute,
  });
  const graph = {
    name: 'hashed_linear',
    input: [
      valueInfo(MODEL_INPUTS.indices, TensorType.int32, ['active']),
      valueInfo(MODEL_INPUTS.values, TensorType.float, ['active']),
      valueInfo(MODEL_INPUTS.rows, TensorType.int32, ['active']),
      valueInfo(MODEL_INPUTS.count, TensorType.int64, [1]),
    ],
    output: [
      valueInfo(MODEL_OUTPUTS.probability, TensorType.float, ['batch']),
      valueInfo(MODEL_OUTPUTS.logit, TensorType.float, ['batch']),
    ],
    initializer: [
      tensor('weights', [model.weights.length], TensorType.float, model.weights),
      tensor('bias', [1], TensorType.float, new Float32Array([model.bias])),
    ],
    node: [
      node('Gather', ['weights', MODEL_INPUTS.indices], ['gathered'], [{ name: 'axis', type: AttributeType.int, i: 0 }]),
      node('Mul', ['gathered', MODEL_INPUTS.values], ['weighted']),
      node('ConstantOfShape', [MODEL_INPUTS.count], ['zeros'], [
        { name: 'value', type: AttributeType.tensor, t: tensor('zero', [1], TensorType.float, new Float32Array([0])) },
      ]),
      node('ScatterElements', ['zeros', MODEL_INPUTS.rows, 'weighted'], ['summed'], [
        { name: 'axis', type: AttributeType.int, i: 0 },
        { name: 'reduction', type: AttributeType.string, s: new TextEncoder().encode('add') },
      ]),
      node('Add', ['summed', 'bias'], [MODEL_OUTPUTS.logit]),
      node('Sigmoid', [MODEL_OUTPUTS.logit], [MODEL_OUTPUTS.probability]),
    ],
  };
  const message = ModelProto.fromObject({
    irVersion: ONNX_IR_VERSION,
    producerName: 'mailscore',
    producerVersion: '1',
    domain: 'mailscore',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph,
  });
  return ModelProto.encode(message).finish();
}

/** Reads the weights back out of a model written by encodeLinearModel. */
export function decodeLinearModel(bytes: Uint8Array): LinearModel {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Buffer }) as {
    graph: { initializer: Array<{ name: string; rawData: Buffer }> };
    metadataProps?: Array<{ key: string; value: string }>;
  };
  const tensor = (name: string) => {
    const raw = model.graph.initializer.find((t) => t.name === name)?.rawData;
    if (raw === undefined) throw new Error(`model has no initializer named ${name}`);
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  };
  return {
    weights: tensor('weights'),
    bias: tensor('bias')[0]!,
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value])),
  };
}

/** The trainer's own prediction, in the same float32 arithmetic order the graph uses. */
export function predictLinear(model: Pick<LinearModel, 'weights' | 'bias'>, indices: Int32Array, values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < indices.length; i++) sum = Math.fround(sum + Math.fround(model.weights[indices[i]!]! * values[i]!));
  const logit = Math.fround(sum + Math.fround(model.bias));
  return 1 / (1 + Math.exp(-logit));
}
