/**
 * The architecture rules of DESIGN.md, checked in `npm test` (`npm run lint:layers`):
 *
 *   core  <-  models, patterns, store (+ testing)  <-  durable, hitl, events, sandbox, mcp, sessions, evals  <-  cli, studio
 *
 * Each arrow means "may import". A folder may import the layers below it; inside a layer, only the
 * sibling edges listed in SIBLINGS (one direction each, so folders never form a cycle). No module
 * cycles, type-only imports included. Examples and docs snippets use the package by name, never src/.
 * A failing import is reported with the rule's name, which says which arrow it breaks.
 */
const LAYERS = [
  ['core'],
  ['models', 'patterns', 'store', 'testing'],
  ['durable', 'hitl', 'events', 'sandbox', 'mcp', 'sessions', 'evals'],
  ['cli', 'studio'],
];

/** Allowed imports between folders of the same layer: [from, to]. */
const SIBLINGS = [
  ['testing', 'models'], // agent-patterns/testing is the scripted model's public entry
  ['durable', 'hitl'], // a durable run resumes through the approval gate; approvals never need the journal
  ['mcp', 'durable'], // an MCP call of a step that waits for a human answers with its pending approval (a durable run)
];

const LAYER_PICTURE = LAYERS.map((l) => (l.length > 1 ? `{${l.join(', ')}}` : l[0])).join(' <- ');
const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.slice(0, -1).flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return layer.map((folder) => {
    const siblings = layer.filter((s) => s !== folder && !SIBLINGS.some(([a, b]) => a === folder && b === s));
    const forbidden = [...siblings, ...above];
    return {
      name: i === 0 ? 'core-imports-only-core' : `${folder}-imports-below-only`,
      comment:
        `${LAYER_PICTURE}: src/${folder} is in layer ${i} and may import ` +
        (i === 0 ? 'nothing outside src/core (it declares the small interfaces it needs).' :
          `only ${LAYERS.slice(0, i).flat().join(', ')}${SIBLINGS.filter(([a]) => a === folder).map(([, b]) => `, ${b}`).join('')}. ` +
          'Importing a folder of a higher layer, or an unlisted sibling, points an arrow the wrong way.'),
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: i === 0 ? { path: '^src/', pathNot: '^src/core/' } : { path: folders(forbidden) },
    };
  });
});

/** The root entry (src/index.ts) is the everyday vocabulary: it never pulls a subpath's area in. */
const rootEntryRule = {
  name: 'root-entry-stays-small',
  comment:
    'src/index.ts exports the everyday vocabulary only; durable, hitl, events, sandbox, the stores, the scripted model and ' +
    'provider SDK wrappers are subpaths (package.json "exports"), so importing the root loads none of them.',
  severity: 'error',
  from: { path: '^src/index\\.ts$' },
  to: { path: '^src/(durable|hitl|events|sandbox|mcp|sessions|evals|testing|cli|studio)/|^src/store/(?!types\\.ts$)|^src/models/(?!registry\\.ts$|spec-options\\.ts$|http/rate-limit\\.ts$)' },
};

module.exports = {
  forbidden: [
    ...layerRules,
    rootEntryRule,
    {
      name: 'no-import-cycles',
      comment: 'No import cycles anywhere, type-only imports included: a cycle makes load order decide behaviour and hides which layer depends on which.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-cli-imports-examples',
      comment: 'The CLI finds the Vend examples through their registry (examples/vend/registry.ts); the library itself never depends on an example.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^examples/' },
    },
    {
      name: 'examples-use-the-package',
      comment:
        'Examples and docs snippets import `agent-patterns` and its subpaths (the package self-reference; tsconfig `paths` and ' +
        'the vitest alias map it to src/), never src/ by a relative path: they prove the public API is enough.',
      severity: 'error',
      from: { path: '^(examples|docs/snippets)/' },
      to: { path: '^src/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true, // type-only imports count: they are cycles and layer breaks too
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
