// The model card written by training and read by the workers: what a model file is and how
// good it was on the held-out split.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLinearModel } from './onnx_model.ts';
import type { BinaryMetrics } from './train/metrics.ts';
import { FEATURE_SPEC_VERSION } from './features.ts';

export const MODEL_FILE = 'model.onnx';
export const MODEL_CARD_FILE = 'model.json';

export interface ModelCard {
  readonly version: string;
  readonly kind: string;
  readonly featureSpec: { readonly version: string; readonly hashBits: number; readonly buckets: number; readonly groups: readonly string[] };
  readonly decisionThreshold: number;
  readonly training: Readonly<Record<string, string | number>>;
  readonly heldOut: BinaryMetrics;
  readonly train: BinaryMetrics;
  readonly modelSha256: string;
}

export class ModelNotUsableError extends Error {
  readonly code = 'MODEL_NOT_USABLE';
  readonly retriable = false;
}

export async function readModelCard(directory: string): Promise<ModelCard> {
  let card: ModelCard;
  try {
    card = JSON.parse(await readFile(join(directory, MODEL_CARD_FILE), 'utf8')) as ModelCard;
  } catch (err) {
    throw new ModelNotUsableError(`no readable model card in ${directory} (${(err as Error).message}); run \`make train\` or set MODEL_DIR`);
  }
  if (card.featureSpec.version !== FEATURE_SPEC_VERSION) {
    throw new ModelNotUsableError(
      `model ${card.version} was trained on feature spec ${card.featureSpec.version}, this build extracts ${FEATURE_SPEC_VERSION}: retrain with \`make train\``,
    );
  }
  return card;
}

/** A model as the workers receive it: its bytes (so a worker never reads a half-written file) and its card. */
export interface LoadedModel {
  readonly card: ModelCard;
  readonly bytes: Uint8Array;
}

/** Reads a model directory and checks that the card and the ONNX file belong together. */
export async function loadModel(directory: string): Promise<LoadedModel> {
  const card = await readModelCard(directory);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(directory, MODEL_FILE)));
  } catch (err) {
    throw new ModelNotUsableError(`cannot read ${join(directory, MODEL_FILE)} (${(err as Error).message}); run \`make train\` or set MODEL_DIR`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== card.modelSha256) {
    throw new ModelNotUsableError(`${join(directory, MODEL_FILE)} does not match its card ${card.version} (sha256 ${digest.slice(0, 12)}…, card says ${card.modelSha256.slice(0, 12)}…): a model is being replaced, or the files come from different runs`);
  }
  const embedded = decodeLinearModel(bytes).metadata.version;
  if (embedded !== card.version) throw new ModelNotUsableError(`model.onnx says version ${embedded}, its card says ${card.version}`);
  return { card, bytes };
}
