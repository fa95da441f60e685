import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** One label matcher of a selector, as written (`client=~"$client"` → `client`, `=~`, `$client`). */
export interface LabelMatcher {
  label: string;
  op: string;
  value: string;
}

/** What an expression reads from one vector selector: its metric, and every label it names for it. */
export interface SeriesUse {
  metric: string;
  /** Labels of the selector's matchers and of the `by`/`without`/`on`/`ignoring` clauses around it. */
  labels: Set<string>;
  matchers: LabelMatcher[];
}

/**
 * Grafana's interval macros stand where PromQL wants a duration, so the parser needs one there.
 * Template variables (`$client`) are left alone: inside a string they parse as they are, and anywhere
 * else they name something this check could not see, so the parse error is wanted.
 */
const INTERVAL_MACRO = /\$(?:__(?:rate_interval|interval|range)\b|\{__(?:rate_interval|interval|range)\})/g;

/** Functions that read or write labels named in string arguments: this check does not follow those. */
const LABELS_IN_STRINGS = new Set(['label_replace', 'label_join', 'sort_by_label', 'sort_by_label_desc']);

/**
 * The series one PromQL expression of a Grafana panel reads, found by Prometheus' own grammar
 * (`@prometheus-io/lezer-promql`, the parser behind the Prometheus UI): every vector selector with
 * its metric name and the labels the expression names for it. Throws on a syntax error or on a
 * construct whose label uses it cannot see, so that a query it cannot check fails instead of passing.
 *
 * @example
 * promqlUses('sum by (endpoint) (rate(switchyard_requests_total{client=~"$client"}[$__rate_interval]))');
 * // [{ metric: 'switchyard_requests_total', labels: Set {'client', 'endpoint'}, matchers: [...] }]
 */
export function promqlUses(expression: string): SeriesUse[] {
  const source = expression.replace(INTERVAL_MACRO, '5m');
  const text = (node: SyntaxNode) => source.slice(node.from, node.to);
  const selectors: { node: SyntaxNode; use: SeriesUse }[] = [];
  const groupings: { scope: SyntaxNode; labels: string[] }[] = [];

  const tree = parser.parse(source);
  tree.iterate({
    enter: ({ type, from }) => {
      if (type.isError) throw new Error(`cannot parse ${JSON.stringify(expression)} at ${from}`);
    },
  });
  tree.iterate({
    enter: ({ node }) => {
      if (node.name === 'VectorSelector') selectors.push({ node, use: selectorUse(node, text, expression) });
      if (node.name === 'GroupingLabels' && node.parent)
        groupings.push({ scope: node.parent.parent ?? node.parent, labels: labelNames(node, text) });
      const called = node.name === 'FunctionIdentifier' || node.name === 'AggregateOp' ? text(node) : '';
      if (LABELS_IN_STRINGS.has(called) || called === 'count_values')
        throw new Error(`${called}() in ${JSON.stringify(expression)}: the label check does not follow it`);
    },
  });
  // A grouping clause names labels of every series inside the aggregation or binary operation it modifies.
  for (const { scope, labels } of groupings) {
    for (const { node, use } of selectors) {
      if (node.from >= scope.from && node.to <= scope.to) for (const label of labels) use.labels.add(label);
    }
  }
  return selectors.map(({ use }) => use);
}

function selectorUse(node: SyntaxNode, text: (node: SyntaxNode) => string, expression: string): SeriesUse {
  const matchers: LabelMatcher[] = [];
  const list = node.getChild('LabelMatchers');
  for (const matcher of [
    ...(list?.getChildren('UnquotedLabelMatcher') ?? []),
    ...(list?.getChildren('QuotedLabelMatcher') ?? []),
  ]) {
    const name =
      matcher.getChild('LabelName') ?? matcher.getChild('QuotedLabelName')?.getChild('StringLiteral');
    const op = matcher.getChild('MatchOp');
    const value = matcher.getChild('StringLiteral');
    if (!name || !op || !value) throw new Error(`unreadable matcher in ${JSON.stringify(expression)}`);
    matchers.push({ label: unquote(text(name)), op: text(op), value: unquote(text(value)) });
  }
  const byName = matchers.find((m) => m.label === '__name__');
  if (byName && byName.op !== '=')
    throw new Error(
      `a metric name matched by ${byName.op} in ${JSON.stringify(expression)} cannot be checked`,
    );
  const identifier = node.getChild('Identifier');
  const metric = identifier ? text(identifier) : byName?.value;
  if (!metric) throw new Error(`a selector without a metric name in ${JSON.stringify(expression)}`);
  const named = matchers.filter((m) => m.label !== '__name__');
  return { metric, labels: new Set(named.map((m) => m.label)), matchers: named };
}

function labelNames(grouping: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const names = [
    ...grouping.getChildren('LabelName'),
    ...grouping.getChildren('QuotedLabelName').flatMap((quoted) => quoted.getChildren('StringLiteral')),
  ];
  return names.map((name) => unquote(text(name)));
}

/** The value of a PromQL string literal (double, single or back quotes; escapes as in JSON). */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'")}"`);
  return literal.startsWith('"') ? JSON.parse(literal) : literal;
}
