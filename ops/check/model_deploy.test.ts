import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../scorer/index.ts';
import { deployBrokenCard, deployNewVersion } from './model_deploy.ts';

const MODEL_DIR = fileURLToPath(new URL('../../models/current', import.meta.url));

test('a broken card does not load; a new version loads with its new name and the same weights', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'opscheck-model-'));
  try {
    await cp(MODEL_DIR, directory, { recursive: true });
    const original = await loadModel(directory);
    await deployBrokenCard(directory, `${original.card.version}-broken`);
    await assert.rejects(loadModel(directory), /does not match its card/);
    await deployNewVersion(directory, `${original.card.version}-next`);
    const next = await loadModel(directory);
    assert.equal(next.card.version, `${original.card.version}-next`);
    assert.notDeepEqual(next.bytes, original.bytes);
    assert.deepEqual({ ...next.card, version: '', modelSha256: '' }, { ...original.card, version: '', modelSha256: '' }, 'the rest of the card is kept');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
