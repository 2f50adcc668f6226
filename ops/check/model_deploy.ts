// Model deployments into a pipeline's MODEL_DIR, as an operator's release would make them, for
// the model-reload alert: a broken one (a card that does not match its file) and a good new
// version. The new version has the same weights under a new name (re-encoded with the project's
// own ONNX writer): training a genuinely different model would take minutes and prove nothing
// more about reloading.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLinearModel, encodeLinearModel } from '../../scorer/onnx_model.ts';

const CARD = 'model.json';
const MODEL = 'model.onnx';

interface Card { version: string; modelSha256: string; [field: string]: unknown }

/** Written whole and renamed, so the pipeline never reads half a file. */
async function replace(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.new`, data);
  await rename(`${path}.new`, path);
}

async function readCard(directory: string): Promise<Card> {
  return JSON.parse(await readFile(join(directory, CARD), 'utf8')) as Card;
}

/** A card naming `version` whose checksum matches no file: the reload fails on every check. */
export async function deployBrokenCard(directory: string, version: string): Promise<void> {
  const card = await readCard(directory);
  await replace(join(directory, CARD), `${JSON.stringify({ ...card, version, modelSha256: '0'.repeat(64) }, null, 2)}\n`);
}

/** The model in `directory` re-released as `version`: the ONNX file with that version inside, then its card. */
export async function deployNewVersion(directory: string, version: string): Promise<void> {
  const card = await readCard(directory);
  const model = decodeLinearModel(new Uint8Array(await readFile(join(directory, MODEL))));
  const bytes = encodeLinearModel({ ...model, metadata: { ...model.metadata, version } });
  await replace(join(directory, MODEL), bytes);
  await replace(join(directory, CARD), `${JSON.stringify({ ...card, version, modelSha256: createHash('sha256').update(bytes).digest('hex') }, null, 2)}\n`);
}
