// The systems measured, in table order: id -> module (scenarios/*.mjs) and options for its setup().

export const SYSTEMS = [
  { id: 'floor', module: './scenarios/floor.mjs' },
  { id: 'vexil', module: './scenarios/vexil.mjs' },
  { id: 'vexil-compiled', module: './scenarios/vexil.mjs', options: { compiled: true } },
  { id: 'vexil-node', module: './scenarios/vexil-node.mjs' },
  { id: 'flagd-core', module: './scenarios/flagd.mjs' },
  { id: 'launchdarkly', module: './scenarios/launchdarkly.mjs' },
  { id: 'unleash', module: './scenarios/unleash.mjs' },
  { id: 'growthbook', module: './scenarios/growthbook.mjs' },
];

/** Systems whose 10,000-flag memory/load is measured (every module exporting loadTask). */
export const LOAD_SYSTEMS = ['vexil', 'vexil-node', 'flagd-core', 'launchdarkly', 'unleash', 'growthbook'];

export const systemById = (id) => {
  const s = SYSTEMS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown system ${id}; known: ${SYSTEMS.map((x) => x.id).join(', ')}`);
  return s;
};
