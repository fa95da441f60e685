import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { registerMetrics } from 'switchyard-rpc/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, startBeaconMonitor, waitFor } from './helpers.js';
import { promqlUses, type SeriesUse } from './promqlNames.js';

// The dashboard must read what registerMetrics exports: its queries are parsed with Prometheus' own
// grammar and checked against the registry of real instances, so renaming a series breaks this test
// instead of leaving a panel silently empty.

const DASHBOARD_TEXT = readFileSync(
  new URL('../dashboards/grafana-switchyard.json', import.meta.url),
  'utf8',
);

interface DatasourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: DatasourceRef;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  /** The panels of a collapsed row. */
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DatasourceRef;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

/** A query of the dashboard, where it sits and the series it reads. */
interface Query {
  where: string;
  expr: string;
  uses: SeriesUse[];
}

/** Per exported series name (histograms as `_bucket`, `_sum`, `_count`), each label and its values. */
type Exported = Map<string, Map<string, Set<string>>>;

/** Every panel, those inside collapsed rows included. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every PromQL query of the dashboard: panel targets (their legend's `{{label}}`s count) and query variables. */
function dashboardQueries(dashboard: Dashboard): Query[] {
  const targets = allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      const where = `panel "${panel.title}" ${target.refId}`;
      if (!target.expr) throw new Error(`${where} has no expr`);
      const uses = promqlUses(target.expr);
      for (const [, label] of (target.legendFormat ?? '').matchAll(/\{\{\s*([\w.]+)\s*\}\}/g))
        for (const use of uses) use.labels.add(label!);
      return { where, expr: target.expr, uses };
    }),
  );
  const variables = dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => variableQuery(variable));
  return [...targets, ...variables];
}

/** `label_values(metric, label)` is Grafana's, not PromQL: its first argument is a selector, its second a label of it. */
function variableQuery(variable: Variable): Query {
  const where = `variable $${variable.name}`;
  const expr = (typeof variable.query === 'string' ? variable.query : variable.query?.query) ?? '';
  const labelValues = /^label_values\((.+),\s*([A-Za-z_]\w*)\s*\)$/s.exec(expr.trim());
  if (!labelValues) throw new Error(`${where}: only label_values(metric, label) is checked, not ${expr}`);
  const uses = promqlUses(labelValues[1]!);
  for (const use of uses) use.labels.add(labelValues[2]!);
  return { where, expr, uses };
}

/** What `registry` exports, read the way Prometheus will see it. */
async function exportedSeries(registry: Registry): Promise<Exported> {
  const exported: Exported = new Map();
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      // A histogram's values carry their series name (`_bucket` with `le`, `_sum`, `_count`).
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      const labels = exported.get(name) ?? new Map<string, Set<string>>();
      exported.set(name, labels);
      for (const [label, labelValue] of Object.entries(value.labels)) {
        const values = labels.get(label) ?? new Set<string>();
        labels.set(label, values);
        values.add(String(labelValue));
      }
    }
  }
  return exported;
}

/** Why queries would find nothing: series not exported, labels a series lacks, `label="value"` never exported. */
function unexported(queries: Query[], exported: Exported): string[] {
  return queries.flatMap(({ where, uses }) =>
    uses.flatMap(({ metric, labels, matchers }) => {
      const series = exported.get(metric);
      if (!series) return [`${where}: ${metric} is not exported`];
      const missing = [...labels].filter((label) => !series.has(label));
      // Values with a template variable are the user's choice; literal ones must exist.
      const neverSeen = matchers.filter(
        ({ label, op, value }) =>
          op === '=' && !value.includes('$') && series.get(label)?.has(value) === false,
      );
      return [
        ...missing.map((label) => `${where}: ${metric} has no label ${label}`),
        ...neverSeen.map(({ label, value }) => `${where}: ${metric} never has ${label}="${value}"`),
      ];
    }),
  );
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

const overlap = (a: Panel['gridPos'], b: Panel['gridPos']) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const dashboard = JSON.parse(DASHBOARD_TEXT) as Dashboard;
const closers: (() => Promise<void>)[] = [];
let exported: Exported;

beforeAll(async () => {
  const soroban = await new SorobanCluster({ nodes: 2 }).start();
  closers.push(() => soroban.close());
  const server = withFailover(plainServer(soroban.nodes[0]!.url), {
    endpoints: soroban.nodes.map((node, i) => ({ url: node.url, label: `rpc-${i + 1}` })),
    logger: silentLogger,
  });
  closers.unshift(() => server.failover.close());
  const { monitor, close } = await startBeaconMonitor();
  closers.unshift(close);

  await server.getLatestLedger();
  await waitFor(() => monitor.metrics().streams.every((s) => s.connected), 'head streams open');
  const registry = new Registry();
  registerMetrics(server.failover, { registry, client: 'soroban' });
  registerMetrics(monitor, { registry, client: 'beacon' });
  exported = await exportedSeries(registry);
});

afterAll(async () => {
  // Instances first, then the nodes they talk to.
  for (const close of closers.splice(0)) await close();
});

describe('dashboards/grafana-switchyard.json', () => {
  it('is a Grafana dashboard: uid, a Prometheus data source variable, a multi-value client variable', () => {
    expect(dashboard.uid).toBe('switchyard');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    const [datasource, client] = dashboard.templating.list;
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    // All must match a registry registered without a client label too: `.*` matches the empty value.
    expect(client).toMatchObject({
      name: 'client',
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.*',
    });
    expect(client!.datasource).toEqual(DATASOURCE);
  });

  it('has unique panel ids, every query on the $datasource variable, and panels on the 24-column grid without overlap', () => {
    const panels = allPanels(dashboard.panels);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const queried = panels.filter((panel) => panel.type !== 'row');
    for (const panel of queried) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!) expect(target.datasource, panel.title).toEqual(panel.datasource);
    }
    for (const [i, { gridPos, title }] of panels.entries()) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      const overlapping = panels.slice(i + 1).filter((other) => overlap(gridPos, other.gridPos));
      expect(
        overlapping.map((other) => other.title),
        title,
      ).toEqual([]);
    }
  });

  it('filters every series by $client and reads counters over $__rate_interval', () => {
    const queries = dashboardQueries(dashboard).filter(({ where }) => where.startsWith('panel'));
    for (const { where, expr, uses } of queries) {
      for (const { metric, matchers } of uses)
        expect(matchers, `${where} ${metric}`).toContainEqual({
          label: 'client',
          op: '=~',
          value: '$client',
        });
      // A fixed range is too short for a slow scrape or too coarse for a fast one.
      expect(expr, where).not.toMatch(/\[\s*\d+[smhdwy]\s*\]/);
    }
  });

  it('reads only series, labels and label values that registerMetrics exports', () => {
    const queries = dashboardQueries(dashboard);
    // An extraction that found nothing would pass the check below: make sure it found every panel's queries.
    expect(queries.length).toBeGreaterThanOrEqual(18);
    const used = new Set(queries.flatMap(({ uses }) => uses.map(({ metric }) => metric)));
    expect(used.size).toBeGreaterThanOrEqual(17);
    expect(unexported(queries, exported)).toEqual([]);
  });

  it('has a panel for every series registerMetrics exports', () => {
    const used = new Set(dashboardQueries(dashboard).flatMap(({ uses }) => uses.map(({ metric }) => metric)));
    const families = [...exported.keys()].filter((name) => !/_(sum|count)$/.test(name));
    expect(families.filter((name) => !used.has(name))).toEqual([]);
  });

  it('lists every kind of source in $client: the variable reads a series failover instances and monitors share', () => {
    const [variable] = dashboardQueries(dashboard).filter(({ where }) => where === 'variable $client');
    const [{ metric }] = variable!.uses as [SeriesUse];
    expect([...(exported.get(metric)?.get('client') ?? [])].sort()).toEqual(['beacon', 'soroban']);
  });

  it('fails for a renamed series, a renamed label and a renamed label value, naming each', () => {
    const renamed = (from: string, to: string) =>
      dashboardQueries(JSON.parse(DASHBOARD_TEXT.replaceAll(from, to)) as Dashboard);
    expect(
      unexported(renamed('switchyard_hedges_won_total', 'switchyard_hedges_winners_total'), exported),
    ).toContainEqual(expect.stringContaining('switchyard_hedges_winners_total is not exported'));
    expect(unexported(renamed('state=\\"lagging\\"', 'state=\\"behind\\"'), exported)).toEqual([
      'panel "Endpoint state" A: switchyard_endpoint_state never has state="behind"',
    ]);

    // The exporter's side: a label renamed in registerMetrics.
    const withoutOutcome: Exported = new Map(exported);
    const requests = new Map(exported.get('switchyard_requests_total'));
    requests.delete('outcome');
    withoutOutcome.set('switchyard_requests_total', requests);
    expect(unexported(dashboardQueries(dashboard), withoutOutcome)).toEqual([
      'panel "Requests by outcome" A: switchyard_requests_total has no label outcome',
    ]);
  });
});
