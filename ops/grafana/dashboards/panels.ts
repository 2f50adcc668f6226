// The few shapes every mailscore dashboard panel takes, on top of @grafana/grafana-foundation-sdk's
// builders: a wrong option name or value type is a `tsc` error, not a panel that silently renders
// empty. Every panel and every query reads the `datasource` variable, every query gets a refId,
// legends and shared tooltips are on: the conventions dashboards.test.ts checks.
import {
  DatasourceVariableBuilder, DashboardLinkBuilder, DashboardLinkType, MappingType, QueryVariableBuilder,
  ThresholdsConfigBuilder, ThresholdsMode, VariableRefresh, VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BigValueColorMode, BigValueGraphMode, BigValueTextMode, GraphDrawStyle, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode,
  LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, SortOrder, StackingConfigBuilder, StackingMode,
  TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The template variable that picks the Prometheus data source; every panel and query points at it. */
export const DATASOURCE_VARIABLE = 'datasource';
export const datasourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } as const;

/** The tag both dashboards carry; the dashboard links list every dashboard with it. */
export const DASHBOARD_TAG = 'mailscore';

/** A PromQL query and how its series are named in the legend. */
export interface Query {
  readonly expr: string;
  readonly legend: string;
}

/** A colour from `value` upwards; the first step's colour applies below every other step. */
export interface Step {
  readonly from: number | null;
  readonly color: string;
}

interface PanelSpec {
  readonly title: string;
  /** Shown in the panel's (i) tooltip: what the numbers mean and what normal looks like. */
  readonly description: string;
  readonly queries: readonly Query[];
  /** A Grafana unit id: s, bytes, percentunit, short, `suffix:/s` ... */
  readonly unit: string;
  /** Grid columns out of 24. */
  readonly width?: number;
  readonly height?: number;
  readonly steps?: readonly Step[];
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface TimeseriesSpec extends PanelSpec {
  /** Stack the series (normal) or show each one's share of the total (percent). */
  readonly stack?: 'normal' | 'percent';
  /** Draw `steps` as dashed lines: objectives and alert thresholds on the graph itself. */
  readonly thresholdLines?: boolean;
  readonly bars?: boolean;
}

export interface StatSpec extends PanelSpec {
  /** `name` shows the legend text instead of the number: model versions, for example. */
  readonly show?: 'value' | 'name' | 'value_and_name';
  readonly mappings?: readonly ValueMapping[];
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: readonly Query[], instant: boolean): DataqueryBuilder[] {
  if (queries.length > REF_IDS.length) throw new Error(`a panel takes at most ${REF_IDS.length} queries`);
  return queries.map((query, i) => {
    const target = new DataqueryBuilder()
      .datasource(datasourceRef)
      .expr(query.expr)
      .legendFormat(query.legend)
      .refId(REF_IDS.charAt(i));
    return instant ? target.instant() : target.range();
  });
}

function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map((step) => ({ value: step.from, color: step.color })));
}

/** A time series panel: the default for anything that moves. */
export function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .targets(targets(spec.queries, false))
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .fillOpacity(spec.stack ? 60 : 10)
    .lineWidth(1)
    .legend(new VizLegendOptionsBuilder()
      .showLegend(true)
      .displayMode(LegendDisplayMode.Table)
      .placement(LegendPlacement.Bottom)
      .calcs(['lastNotNull', 'max']))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (spec.stack) {
    panel.stacking(new StackingConfigBuilder().mode(spec.stack === 'percent' ? StackingMode.Percent : StackingMode.Normal));
  }
  if (spec.bars) panel.drawStyle(GraphDrawStyle.Bars).fillOpacity(80);
  if (spec.steps) {
    panel.thresholds(thresholds(spec.steps));
    panel.thresholdsStyle(new GraphThresholdsStyleConfigBuilder()
      .mode(spec.thresholdLines ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off));
  }
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** A single number (or a few): the state right now, coloured by `steps`. Instant queries. */
export function stat(spec: StatSpec): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .targets(targets(spec.queries, true))
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 4)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Background)
    .textMode(spec.show === 'name' ? BigValueTextMode.Name
      : spec.show === 'value_and_name' ? BigValueTextMode.ValueAndName : BigValueTextMode.Auto)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  panel.thresholds(thresholds(spec.steps ?? [{ from: null, color: 'blue' }]));
  if (spec.mappings) panel.mappings([...spec.mappings]);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** 1 → up (green), 0 → down (red): for `up`, `pg_up`, `redis_up`, `mailscore_dependency_up`. */
export const UP_DOWN: readonly ValueMapping[] = [{
  type: MappingType.ValueToText,
  options: { 0: { text: 'down', color: 'red', index: 0 }, 1: { text: 'up', color: 'green', index: 1 } },
}];

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus');
}

/**
 * A multi-value variable filled from a label's values (`label_values(selector, label)`).
 * "All" sends `.*` rather than the list of every value, so queries stay short and series that
 * appear after the dashboard loaded (a new pod, a new group) are not left out.
 */
export function labelVariable(name: string, label: string, labelValuesQuery: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(datasourceRef)
    .query(labelValuesQuery)
    .definition(labelValuesQuery)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** The dashboard links bar: every dashboard tagged mailscore, keeping time range and variables. */
export function mailscoreDashboardsLink(): DashboardLinkBuilder {
  return new DashboardLinkBuilder('mailscore dashboards')
    .type(DashboardLinkType.Dashboards)
    .tags([DASHBOARD_TAG])
    .asDropdown(false)
    .includeVars(true)
    .keepTime(true);
}
