// The zoo as the command line knows it before anything starts (src/nn/zoo_catalog.json,
// kept equal to MODELS by tests/node/zoo_catalog.test.ts): checks a --model key, naming
// the nearest known ones, and lists the models for --help.
import { readFileSync } from 'node:fs';
import { UsageError } from './options.mjs';

const CATALOG = JSON.parse(readFileSync(new URL('../../src/nn/zoo_catalog.json', import.meta.url), 'utf8'));

/** The zoo's network of every layer kind, for tests. */
const TEST_NETWORK = 'every-layer';

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The catalogue entry of `key`, or a UsageError naming the nearest keys (of `task` first
 * when given); with `task`, a model of the other task is refused, saying which to give.
 */
export function zooModel(key, command, task) {
  const found = CATALOG.find((m) => m.key === key);
  if (found && task && found.task !== task)
    throw new UsageError(
      found.task === 'segment'
        ? `${command}: ${key} labels every pixel; train it with --task segment`
        : `${command}: ${key} gives one class per image; --task segment needs a model that labels pixels (${CATALOG.filter(
            (m) => m.task === 'segment' && m.trainsHere,
          )
            .map((m) => m.key)
            .join(', ')})`,
    );
  if (found) return found;
  const query = key.toLowerCase();
  // Keys holding what was typed come first, then the fewest edits away from the key or its
  // start (a shortened name), of the task asked for first.
  const near = CATALOG.map((m) => ({
    key: m.key,
    d: m.key.includes(query) ? 0 : Math.min(distance(query, m.key), 1 + distance(query, m.key.slice(0, query.length + 1))) + (task && m.task !== task ? 2 : 0),
  }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((m) => m.key);
  throw new UsageError(`${command}: unknown model '${key}'; nearest: ${near.join(', ')} (--help lists them all)`);
}

/** --help's lines on the models: those that train at a useful speed on a CPU adapter, then the rest. */
export function modelsHelp() {
  const line = (m) => `${m.key} (${m.params.toLocaleString('en-US')} parameters, ${m.input.join('x')}${m.task === 'segment' ? ', --task segment' : ''})`;
  const here = CATALOG.filter((m) => m.trainsHere);
  const rest = CATALOG.filter((m) => !m.trainsHere && m.key !== TEST_NETWORK);
  return [
    `Models that train at a useful speed without a GPU (SwiftShader, lavapipe): ${here.map(line).join(', ')}.`,
    `Models at full size (they train on a GPU; here they are for import, export and checks): ${rest.map(line).join(', ')}. ${TEST_NETWORK} is a test network (every layer kind).`,
  ];
}
