// The model card written by training and read by the workers: what a model file is and how
// good it was on the held-out split.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
