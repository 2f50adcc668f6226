// The repository's Prometheus configuration (ops/grafana/prometheus/prometheus.yml) turned into
// the one the ops check runs: same jobs, relabelling and rules, but a short scrape and
// evaluation interval, rule files replaced by their scaled copies, and each job's file_sd
// targets file pointed at the processes this run started. Pure functions over YAML text.
import { parse, stringify } from 'yaml';

export class PrometheusConfigError extends Error {
  readonly code = 'PROMETHEUS_CONFIG_INVALID';
}

interface ScrapeConfig { job_name?: unknown; file_sd_configs?: unknown; scrape_interval?: unknown; scrape_timeout?: unknown; [key: string]: unknown }
interface PrometheusConfig { global?: Record<string, unknown>; rule_files?: unknown; scrape_configs?: unknown; alerting?: unknown; [key: string]: unknown }

function load(text: string): PrometheusConfig {
  const config = parse(text) as PrometheusConfig | null;
  if (config === null || typeof config !== 'object') throw new PrometheusConfigError('the Prometheus configuration is empty');
  if (!Array.isArray(config.scrape_configs)) throw new PrometheusConfigError('the Prometheus configuration has no scrape_configs list');
  return config;
}

/** The rule_files entries as written (paths or globs, relative to the configuration's directory). */
export function ruleFilePatterns(text: string): string[] {
  const config = load(text);
  return Array.isArray(config.rule_files) ? config.rule_files.map(String) : [];
}

/** The job names of every scrape config. */
export function jobNames(text: string): string[] {
  return (load(text).scrape_configs as ScrapeConfig[]).map((s) => String(s.job_name ?? ''));
}

export interface DeriveOptions {
  readonly scrapeIntervalS: number;
  /** Absolute paths of the scaled rule files. */
  readonly ruleFiles: readonly string[];
  /** job name → absolute path of the targets file this run writes for it. */
  readonly targetsFiles: Readonly<Record<string, string>>;
}

/**
 * The derived configuration. Every job named in `targetsFiles` must exist in the configuration
 * and be discovered through file_sd (as the local configuration promises); a missing job is an
 * error, not something to add silently, since then the repository's configuration is wrong.
 * Alertmanager targets are dropped: none runs here, and alert states are read from /api/v1/alerts.
 */
export function deriveConfig(text: string, options: DeriveOptions): string {
  const config = load(text);
  const interval = `${options.scrapeIntervalS}s`;
  config.global = { ...(config.global ?? {}), scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval };
  config.rule_files = [...options.ruleFiles];
  delete config.alerting;
  const problems: string[] = [];
  const scrapeConfigs = config.scrape_configs as ScrapeConfig[];
  for (const [job, file] of Object.entries(options.targetsFiles)) {
    const scrape = scrapeConfigs.find((s) => s.job_name === job);
    if (scrape === undefined) {
      problems.push(`no scrape config has job_name "${job}"`);
      continue;
    }
    if (!Array.isArray(scrape.file_sd_configs) || scrape.file_sd_configs.length === 0) {
      problems.push(`job "${job}" is not discovered through file_sd_configs`);
      continue;
    }
    scrape.file_sd_configs = [{ files: [file], refresh_interval: interval }];
  }
  for (const scrape of scrapeConfigs) {
    // A job's own interval would override the short global one.
    delete scrape.scrape_interval;
    delete scrape.scrape_timeout;
  }
  if (problems.length > 0) throw new PrometheusConfigError(`the Prometheus configuration does not fit the local run: ${problems.join('; ')}`);
  return stringify(config, { lineWidth: 0 });
}

export interface Target { readonly address: string; readonly pod: string }

/** A file_sd targets file: one entry per process, labelled as the metric contract says. */
export function targetsFile(targets: readonly Target[], namespace = 'local'): string {
  return `${JSON.stringify(targets.map((t) => ({ targets: [t.address], labels: { namespace, pod: t.pod } })), null, 2)}\n`;
}
