// Writes the scoring model as an ONNX graph. The model is a hashed bag of features with one
// weight per bucket (logistic regression, fastText-style input), read in parts: each email is a
// context part (headers, subject, links) and one or more windows of body text
// (scorer/feature_vector.ts). A batch arrives flat, with no padding: the active buckets of every
// part one after the other, their values, the part each belongs to, and which parts are whose.
//
//   score[part]  = sum over k with parts[k] = part of W[indices[k]] * values[k]
//   logit[email] = score[its context part] + max over its windows of score[window] + bias
//   probability  = sigmoid(logit)
//
// The max is what keeps padding from diluting spam: innocent text appended to a spam fills
// windows of its own, and only the most incriminating window counts.
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
export const GRAPH_FORMAT = 'parts1';

export const MODEL_INPUTS = {
  indices: 'indices',
  values: 'values',
  /** The part each active bucket belongs to. */
  parts: 'parts',
  /** How many parts the batch has (int64, one value). */
  partCount: 'part_count',
  /** Per email: its context part. */
  contextParts: 'context_parts',
  /** Per window: its part, and the email it belongs to. */
  windowParts: 'window_parts',
  windowRows: 'window_rows',
  /** How many emails the batch has (int64, one value). */
  count: 'count',
} as const;
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
      valueInfo(MODEL_INPUTS.parts, TensorType.int32, ['active']),
      valueInfo(MODEL_INPUTS.partCount, TensorType.int64, [1]),
      valueInfo(MODEL_INPUTS.contextParts, TensorType.int32, ['batch']),
      valueInfo(MODEL_INPUTS.windowParts, TensorType.int32, ['windows']),
      valueInfo(MODEL_INPUTS.windowRows, TensorType.int32, ['windows']),
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
      node('ConstantOfShape', [MODEL_INPUTS.partCount], ['part_zeros'], [
        { name: 'value', type: AttributeType.tensor, t: tensor('zero', [1], TensorType.float, new Float32Array([0])) },
      ]),
      node('ScatterElements', ['part_zeros', MODEL_INPUTS.parts, 'weighted'], ['part_scores'], [
        { name: 'axis', type: AttributeType.int, i: 0 },
        { name: 'reduction', type: AttributeType.string, s: new TextEncoder().encode('add') },
      ]),
      node('Gather', ['part_scores', MODEL_INPUTS.contextParts], ['context_scores'], [{ name: 'axis', type: AttributeType.int, i: 0 }]),
      node('Gather', ['part_scores', MODEL_INPUTS.windowParts], ['window_scores'], [{ name: 'axis', type: AttributeType.int, i: 0 }]),
      // Every email has at least one window, so the floor never survives the max.
      node('ConstantOfShape', [MODEL_INPUTS.count], ['window_floor'], [
        { name: 'value', type: AttributeType.tensor, t: tensor('lowest', [1], TensorType.float, new Float32Array([-3.4e38])) },
      ]),
      node('ScatterElements', ['window_floor', MODEL_INPUTS.windowRows, 'window_scores'], ['best_window'], [
        { name: 'axis', type: AttributeType.int, i: 0 },
        { name: 'reduction', type: AttributeType.string, s: new TextEncoder().encode('max') },
      ]),
      node('Add', ['context_scores', 'best_window'], ['email_scores']),
      node('Add', ['email_scores', 'bias'], [MODEL_OUTPUTS.logit]),
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

/** Per part of one email, its score: the sum of weight × value, in float32 in the graph's order. */
export function partScores(weights: Float32Array, indices: Int32Array, values: Float32Array, parts: Int32Array): Float32Array {
  const scores = new Float32Array(parts.length);
  let k = 0;
  for (let part = 0; part < parts.length; part++) {
    let sum = 0;
    for (const end = parts[part]!; k < end; k++) sum = Math.fround(sum + Math.fround(weights[indices[k]!]! * values[k]!));
    scores[part] = sum;
  }
  return scores;
}

/** The window (1, 2, …) whose score is highest; the first of equals. */
export function bestWindow(scores: Float32Array): number {
  let best = 1;
  for (let part = 2; part < scores.length; part++) if (scores[part]! > scores[best]!) best = part;
  return best;
}

/** The trainer's own prediction, in the same float32 arithmetic order the graph uses. */
export function predictParts(model: Pick<LinearModel, 'weights' | 'bias'>, indices: Int32Array, values: Float32Array, parts: Int32Array): number {
  const scores = partScores(model.weights, indices, values, parts);
  const logit = Math.fround(Math.fround(scores[0]! + scores[bestWindow(scores)]!) + Math.fround(model.bias));
  return 1 / (1 + Math.exp(-logit));
}
