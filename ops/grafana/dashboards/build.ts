// Writes the dashboards' JSON for Grafana's file provisioning: `make dashboards`.
//   node ops/grafana/dashboards/build.ts           write every dashboard JSON
//   node ops/grafana/dashboards/build.ts --check   exit 1 when a committed file differs
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DASHBOARD_SOURCES, DASHBOARDS_DIR, dashboardJson, renderDashboard } from './index.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const source of DASHBOARD_SOURCES) {
  const path = join(DASHBOARDS_DIR, source.file);
  const json = dashboardJson(renderDashboard(source));
  if (check) {
    const committed = await readFile(path, 'utf8').catch(() => '');
    if (committed !== json) {
      stale += 1;
      process.stderr.write(`${path} is not what the code generates: run \`make dashboards\`\n`);
    }
  } else {
    await writeFile(path, json);
    process.stdout.write(`wrote ${path}\n`);
  }
}
if (stale > 0) process.exitCode = 1;
