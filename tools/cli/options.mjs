// The one option parser of the commands (npm run train, transfer, search, tune, bench,
// bench:tables, profile, check:torch): node:util's parseArgs reads the arguments, and one
// table per command says what each option takes. Every option is checked here, once,
// against its table entry, and `--help` is printed from the same table, so the help, the
// checks and the defaults cannot drift apart.
//
// An option's entry:
//   type         'string' | 'boolean' | 'number' | 'integer' | 'choice' | 'path' | 'off-or-number' | 'list'
//   value        the placeholder in the help (KEY, FILE, DIR, N, ...)
//   default      applied when the option is not given (shown in the help unless `shown` says otherwise)
//   shown        the default as the help shows it (a default that depends on other options)
//   help         one line: what the option does
//   min, above   'number', 'integer', 'off-or-number', 'list' of integers: the least value, or a bound it must exceed
//   choices      'choice': the values it takes; `bare` is the value of the option given alone
//   of           'list': the type of each comma-separated item ('integer' or 'string')
//   onlyWith     { options, why }: the option may be given with these others only
//   requires     another option this one goes with
import { parseArgs } from 'node:util';

/** A refused command line: the command prints the message and exits 2. */
export class UsageError extends Error {}

/** What a number option takes, in words: "a positive integer", "a non-negative integer", "a number above 1". */
function kindOf(spec, type) {
  if (spec.above !== undefined) return `${type === 'integer' ? 'an integer' : 'a number'} above ${spec.above}`;
  if (spec.min === 0) return `a non-negative ${type}`;
  if (spec.min !== undefined && spec.min !== 1) return `${type === 'integer' ? 'an integer' : 'a number'} of at least ${spec.min}`;
  return `a positive ${type}`;
}

/** A number option's value, or null when the text is not one its entry takes. */
function numberOf(spec, text, type) {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return null;
  if (spec.above !== undefined) return n > spec.above ? n : null;
  if (spec.min !== undefined) return n >= spec.min ? n : null;
  return n > 0 ? n : null;
}

/** The value of one option, checked against its entry. */
function parseValue(command, name, spec, text) {
  switch (spec.type) {
    case 'string':
    case 'path':
      if (text === '') throw new UsageError(`${command}: --${name} needs a value`);
      return text;
    case 'number':
    case 'integer': {
      const n = numberOf(spec, text, spec.type);
      if (n === null) throw new UsageError(`${command}: --${name} must be ${kindOf(spec, spec.type)}, got '${text}'`);
      return n;
    }
    case 'off-or-number': {
      const n = text === 'off' ? 'off' : numberOf(spec, text, 'number');
      if (n === null) throw new UsageError(`${command}: --${name} must be ${kindOf(spec, 'number')} or off, got '${text}'`);
      return n;
    }
    case 'choice':
      if (!spec.choices.includes(text)) throw new UsageError(`${command}: --${name} must be one of ${spec.choices.join(', ')}, got '${text}'`);
      return text;
    case 'list': {
      const items = text.split(',');
      if (spec.of === 'integer') {
        const numbers = items.map((t) => numberOf(spec, t, 'integer'));
        if (numbers.includes(null))
          throw new UsageError(`${command}: --${name} must be comma-separated ${kindOf(spec, 'integer').replace(/^an? /, '')}s, got '${text}'`);
        return numbers;
      }
      if (items.some((t) => t === '')) throw new UsageError(`${command}: --${name} must be a comma-separated list, got '${text}'`);
      return items;
    }
    default:
      throw new Error(`${command}: option table: --${name} has no type this parser knows (${spec.type})`);
  }
}

/** The placeholder of an option in the help: `--epochs N`, `--runtime browser|node`, `--augment [full|flip]`. */
function synopsisOf(name, spec) {
  if (spec.type === 'boolean') return `--${name}`;
  if (spec.type === 'choice' && !spec.value) return spec.bare ? `--${name} [${spec.choices.join('|')}]` : `--${name} ${spec.choices.join('|')}`;
  return `--${name} ${spec.value ?? (spec.type === 'path' ? 'FILE' : spec.type === 'integer' || spec.type === 'number' ? 'N' : 'VALUE')}`;
}

/** Joins `items` (words, or whole `[--option VALUE]` groups) into lines of at most `width` columns, each after the first indented by `indent`. */
function wrapItems(items, width, indent = '') {
  const lines = [];
  let line = '';
  for (const item of items) {
    if (line.trim() && line.length + 1 + item.length > width) {
      lines.push(line);
      line = indent + item;
    } else line = line.trim() ? `${line} ${item}` : line + item;
  }
  if (line.trim()) lines.push(line);
  return lines.join('\n');
}

/** Wraps `text` at `width` columns, each line after the first indented by `indent`. */
const wrap = (text, width, indent = '') => wrapItems(text.split(/\s+/).filter(Boolean), width, indent);

/**
 * A command's option table, and what it does with it: `parse(argv)` (throws UsageError),
 * `help()` (the text of --help) and `parseOrExit(argv)` (prints --help and exits 0, or a
 * refusal and exits 2).
 * @param {{ name: string, npm?: string, summary: string, usage?: string[], description?: string[], epilogue?: string[], options: Record<string, any>, check?: (values: Record<string, any>, given: Set<string>) => void }} table
 */
export function defineCommand(table) {
  const { name: command, options } = table;
  const npm = table.npm ?? `npm run ${command}`;
  for (const [name, spec] of Object.entries(options)) {
    if (name === 'help') throw new Error(`${command}: option table: --help is the parser's own`);
    if (spec.type === 'choice' && !Array.isArray(spec.choices)) throw new Error(`${command}: option table: --${name} has no choices`);
  }

  function help() {
    const width = 100;
    // The usage line shows a default in place of its placeholder: `[--epochs 3]`.
    const synopsis = Object.entries(options)
      .filter(([, s]) => !s.hidden && !s.onlyWith && !s.requires)
      .map(([name, s]) => {
        const example = s.shown && !s.shown.includes(' ') ? s.shown : s.shown ? undefined : s.default;
        return `[${s.type !== 'boolean' && s.type !== 'choice' && example !== undefined ? `--${name} ${[example].flat().join(',')}` : synopsisOf(name, s)}]`;
      });
    const prefix = `${npm} --`;
    const indent = ' '.repeat(prefix.length + 1);
    const usage = [
      wrapItems([prefix, ...synopsis], width, indent),
      ...(table.usage ?? []).map((u) => wrapItems([prefix, ...(u.match(/\[[^\]]*\]|\S+/g) ?? [])], width, indent)),
      `${prefix} --help`,
    ];
    const rows = [
      ...Object.entries(options)
        .filter(([, s]) => !s.hidden)
        .map(([name, s]) => {
          const fallback =
            s.shown ?? (s.default === undefined || s.default === false ? null : Array.isArray(s.default) ? s.default.join(',') : String(s.default));
          return [synopsisOf(name, s), `${s.help}${fallback ? ` (default ${fallback})` : ''}`];
        }),
      ['-h, --help', 'prints this summary'],
    ];
    // An option too long for the left column gets its text on the next line.
    const left = 26;
    const words = (r) => r.split(/\s+/).filter(Boolean);
    const hang = ' '.repeat(left + 2);
    const lines = rows.map(([l, r]) =>
      l.length < left ? wrapItems([`  ${l.padEnd(left - 1)}`, ...words(r)], width, hang) : `  ${l}\n${wrapItems([hang, ...words(r)], width, hang)}`,
    );
    const paragraphs = (list) => (list ?? []).map((p) => wrap(p, width));
    return [
      wrap(`${npm}: ${table.summary}`, width, '  '),
      '',
      ...usage,
      '',
      ...paragraphs(table.description).flatMap((p) => [p, '']),
      'Options:',
      ...lines,
      ...paragraphs(table.epilogue).flatMap((p) => ['', p]),
    ].join('\n');
  }

  /** @param {string[]} argv */
  function parse(argv) {
    // An option whose value may be left out (`--augment` alone): its bare value, unless a value of its follows.
    const args = [];
    for (let i = 0; i < argv.length; i++) {
      const spec = argv[i].startsWith('--') ? options[argv[i].slice(2)] : undefined;
      if (spec?.bare !== undefined && !spec.choices.includes(argv[i + 1])) args.push(`${argv[i]}=${spec.bare}`);
      else args.push(argv[i]);
    }
    const config = Object.fromEntries(Object.entries(options).map(([name, s]) => [name, { type: s.type === 'boolean' ? 'boolean' : 'string' }]));
    config.help = { type: 'boolean', short: 'h' };
    const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
    if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { help: true, values: {}, given: new Set() };
    const values = {};
    const given = new Set();
    for (const t of tokens) {
      if (t.kind === 'positional') throw new UsageError(`${command}: unexpected argument '${t.value}' (options start with --; see --help)`);
      if (t.kind !== 'option') continue;
      const spec = options[t.name];
      if (!spec || !t.rawName.startsWith('--')) throw new UsageError(`${command}: unknown option ${t.rawName} (see --help)`);
      if (spec.type === 'boolean') {
        if (t.value !== undefined) throw new UsageError(`${command}: --${t.name} takes no value, got '${t.value}'`);
        values[t.name] = true;
      } else {
        // parseArgs takes the next argument as the value even when it is an option: `--out --epochs 2` lacks a value.
        if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) throw new UsageError(`${command}: --${t.name} needs a value`);
        values[t.name] = parseValue(command, t.name, spec, t.value);
      }
      given.add(t.name);
    }
    for (const name of given) {
      const spec = options[name];
      if (spec.requires && !given.has(spec.requires)) throw new UsageError(`${command}: --${name} goes with --${spec.requires}`);
      if (spec.onlyWith) {
        const allowed = new Set([name, ...spec.onlyWith.options]);
        const extra = [...given].filter((k) => !allowed.has(k));
        const list = spec.onlyWith.options.map((k) => `--${k}`);
        if (extra.length > 0)
          throw new UsageError(
            `${command}: --${name} ${spec.onlyWith.why}; it cannot be given with ${extra.map((k) => `--${k}`).join(', ')} (only ${list.slice(0, -1).join(', ')} and ${list.at(-1)})`,
          );
      }
    }
    for (const [name, spec] of Object.entries(options)) if (!(name in values) && spec.default !== undefined) values[name] = spec.default;
    table.check?.(values, given);
    return { help: false, values, given };
  }

  /** @param {string[]} argv */
  function parseOrExit(argv) {
    try {
      const parsed = parse(argv);
      if (parsed.help) {
        console.log(help());
        process.exit(0);
      }
      return parsed;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      console.error(e.message);
      process.exit(2);
    }
  }

  return { name: command, options, help, parse, parseOrExit };
}
