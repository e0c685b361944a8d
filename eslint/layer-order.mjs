import path from 'node:path';

/**
 * The dependency direction of src/ (issue 14), lowest layer first. A file may import its own
 * folder and folders of lower layers only; folders that share a layer do not import each other.
 * A lower layer that needs something from a higher one defines a port (an abstract class used as
 * the injection token) and the higher layer, or the composition root, provides it.
 *
 * db sits above the domain: it is the schema (every folder's entities, the migrations) and the data
 * source that opens it. The domain folders get TypeORM's DataSource through Nest and never import
 * db; the composition files and the health check do.
 */
export const LAYERS = [
  ['scoring'],
  ['config'],
  ['common'],
  ['events'],
  ['chain'],
  ['repo-intake'],
  ['sandbox'],
  ['evaluation'],
  ['submissions'],
  ['runs'],
  ['tournaments'],
  ['audit', 'publishing'],
  ['db'],
  ['dashboard', 'health', 'metrics'],
];

/**
 * The composition layer sits above every folder and may import anything: the files directly in
 * src/ (modules, cli.ts, main.ts, the worker upkeep), src/demo/, and every *.command.ts (a CLI command
 * may sit beside the folder it drives; its spec goes with it). Nothing in a folder imports them.
 */
const COMPOSITION = LAYERS.length;
const COMPOSITION_FOLDERS = new Set(['demo']);

const rankOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank])));

/** Where a file sits: its top folder under src/ and its layer; null outside src/. */
export function placeOf(file, srcDir) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  if (parts.length === 1 || /\.command(\.spec)?\.ts$/.test(file) || COMPOSITION_FOLDERS.has(parts[0])) {
    return { folder: parts.length === 1 ? 'src/' : parts[0], rank: COMPOSITION };
  }
  return { folder: parts[0], rank: rankOf.get(parts[0]) };
}

function describe(place) {
  return place.rank === COMPOSITION ? `the composition layer (${place.folder})` : `${place.folder} (layer ${place.rank + 1} of ${LAYERS.length})`;
}

export const layerOrder = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the folders of src/ follow the layer order in eslint/layer-order.mjs.' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, required: ['srcDir'], additionalProperties: false }],
    messages: {
      upward: '{{from}} may not import {{to}}: dependencies point down the layer order (eslint/layer-order.mjs). Define a port in the lower folder and provide it from above.',
      sideways: '{{from}} may not import {{to}}: folders of one layer do not import each other (eslint/layer-order.mjs).',
      unplaced: 'src/{{folder}}/ is not in the layer order: add it to LAYERS in eslint/layer-order.mjs.',
    },
  },
  create(context) {
    const srcDir = path.resolve(context.options[0].srcDir);
    const from = placeOf(context.filename, srcDir);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = placeOf(path.resolve(path.dirname(context.filename), source), srcDir);
      if (!to) return;
      if (to.rank === COMPOSITION) {
        if (from.rank !== COMPOSITION) context.report({ node, messageId: 'upward', data: { from: describe(from), to: describe(to) } });
        return;
      }
      if (to.folder === from.folder) return;
      if (from.rank === undefined) return context.report({ node, messageId: 'unplaced', data: { folder: from.folder } });
      if (to.rank === undefined) return context.report({ node, messageId: 'unplaced', data: { folder: to.folder } });
      if (to.rank > from.rank) context.report({ node, messageId: 'upward', data: { from: describe(from), to: describe(to) } });
      else if (to.rank === from.rank && from.rank !== COMPOSITION) context.report({ node, messageId: 'sideways', data: { from: describe(from), to: describe(to) } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      TSImportType: (node) => {
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(node, arg.value);
      },
    };
  },
};

export default { rules: { 'layer-order': layerOrder } };
