// CPU per email by thread: which thread is the main one, which are scoring workers, and how the
// rest are grouped; plus a live reading of this process's own threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { threadCpuSeconds, threadShares, type ThreadCpu } from './procstat.ts';

test('main, busy workers busiest first, idle workers and the rest grouped by name', () => {
  const before: ThreadCpu[] = [
    { tid: 100, name: 'MainThread', seconds: 1 }, { tid: 101, name: 'V8Worker', seconds: 0.5 }, { tid: 102, name: 'V8Worker', seconds: 0.5 },
    { tid: 110, name: 'WorkerThread', seconds: 2 }, { tid: 111, name: 'WorkerThread', seconds: 2 }, { tid: 112, name: 'WorkerThread', seconds: 0.01 },
  ];
  const after: ThreadCpu[] = [
    { tid: 100, name: 'MainThread', seconds: 3 }, { tid: 101, name: 'V8Worker', seconds: 1 }, { tid: 102, name: 'V8Worker', seconds: 1.5 },
    { tid: 110, name: 'WorkerThread', seconds: 6 }, { tid: 111, name: 'WorkerThread', seconds: 7 }, { tid: 112, name: 'WorkerThread', seconds: 0.02 },
    // Started between the readings (a replaced worker): all its time counts.
    { tid: 113, name: 'WorkerThread', seconds: 0.2 },
  ];
  const shares = threadShares(before, after, 100, 1000);
  assert.deepEqual(shares.map((s) => [s.thread, s.tids, s.us_per_email]), [
    ['main', [100], 2000],
    ['worker 1', [111], 5000],
    ['worker 2', [110], 4000],
    ['V8Worker ×2', [101, 102], 1500],
    ['WorkerThread (idle) ×2', [112, 113], 210],
  ]);
});

test('the threads of this process are read with their names, a named worker among them', async (t) => {
  const worker = new Worker('const end = Date.now() + 300; while (Date.now() < end); setInterval(() => {}, 1000);', { eval: true });
  t.after(() => worker.terminate());
  await new Promise((resolve) => setTimeout(resolve, 600));
  const threads = await threadCpuSeconds(process.pid);
  const main = threads.find((th) => th.tid === process.pid);
  assert.ok(main !== undefined && main.seconds > 0, 'the main thread has used CPU');
  const workers = threads.filter((th) => th.name === 'WorkerThread');
  assert.equal(workers.length, 1, `one WorkerThread among ${threads.map((th) => th.name).join(', ')}`);
  // It spun for 300 ms of wall time; on a busy machine it gets less CPU than that, but some.
  assert.ok(workers[0]!.seconds >= 0.01, `the worker's spin is counted, read ${workers[0]!.seconds} s`);
});
