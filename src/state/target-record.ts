/**
 * The store's `targets`: a `Readonly<Record<string, T>>` to everyone who reads it (`targets[id]`,
 * `Object.values(targets)`, `id in targets`, JSON), but persistent underneath, so a dispatch that changes one target
 * copies O(log n) slots instead of the whole map: 20,000 targets and three dispatches per check were 1.2e9 property
 * copies, and `pitwall check` never finished nor heard SIGTERM.
 *
 * The keys are fixed when the record is made (a config's targets do not change while it runs); the values live in a
 * 32-way trie indexed by key position (Clojure's persistent vector, without the tail). Every `withValue` is a new
 * object, so a selector on `state.targets` still sees a change, and the untouched targets keep their identity.
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Node = unknown[];

interface Shape {
  /** Key → position, shared by every version. */
  index: ReadonlyMap<string, number>;
  keys: readonly string[];
  /** Levels above the leaves, times BITS. */
  shift: number;
}

interface Version<T> {
  shape: Shape;
  root: Node;
  read(i: number): T;
}

/** The trie behind each record this module made: a record from anywhere else (a test's literal) has none. */
const versions = new WeakMap<object, Version<unknown>>();

function build(values: readonly unknown[], shift: number): Node {
  if (shift === 0) return values.slice(0, WIDTH);
  const node: Node = [];
  const span = WIDTH ** (shift / BITS);
  for (let i = 0; i < values.length; i += span) node.push(build(values.slice(i, i + span), shift - BITS));
  return node;
}

function read(root: Node, shift: number, i: number): unknown {
  let node = root;
  for (let s = shift; s > 0; s -= BITS) node = node[(i >>> s) & MASK] as Node;
  return node[i & MASK];
}

function write(node: Node, shift: number, i: number, value: unknown): Node {
  const copy = node.slice();
  const slot = (i >>> shift) & MASK;
  copy[slot] = shift === 0 ? value : write(node[slot] as Node, shift - BITS, i, value);
  return copy;
}

function wrap<T>(shape: Shape, root: Node): Readonly<Record<string, T>> {
  const version: Version<T> = { shape, root, read: (i) => read(root, shape.shift, i) as T };
  const at = (key: string | symbol) => (typeof key === 'string' ? shape.index.get(key) : undefined);
  // The proxy's own target stays empty; every own key is answered from the trie. Writes are refused (strict mode
  // throws), as mutating a frozen snapshot would.
  const record = new Proxy<Record<string, T>>(
    {},
    {
      get: (target, key) => {
        const i = at(key);
        return i === undefined ? Reflect.get(target, key) : version.read(i);
      },
      has: (target, key) => at(key) !== undefined || Reflect.has(target, key),
      ownKeys: () => shape.keys as string[],
      getOwnPropertyDescriptor: (_target, key) => {
        const i = at(key);
        return i === undefined ? undefined : { value: version.read(i), writable: false, enumerable: true, configurable: true };
      },
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    },
  );
  versions.set(record, version as Version<unknown>);
  return record;
}

/** A persistent record of these entries, in this order. */
export function targetRecord<T>(entries: Iterable<readonly [string, T]>): Readonly<Record<string, T>> {
  const keys: string[] = [];
  const values: T[] = [];
  const index = new Map<string, number>();
  for (const [k, v] of entries) {
    const i = index.get(k);
    if (i !== undefined) {
      values[i] = v;
      continue;
    }
    index.set(k, keys.length);
    keys.push(k);
    values.push(v);
  }
  let shift = 0;
  while (WIDTH ** (shift / BITS + 1) < keys.length) shift += BITS;
  return wrap<T>({ index, keys, shift }, build(values, shift));
}

/**
 * `record` with `key` set to `value`: a new record sharing all but one path with the old one (O(log n)). A key the
 * record does not have, or a record not made here, costs one full copy (that record is then persistent too).
 */
export function withValue<T>(record: Readonly<Record<string, T>>, key: string, value: T): Readonly<Record<string, T>> {
  const v = versions.get(record);
  const i = v?.shape.index.get(key);
  if (!v || i === undefined) return targetRecord<T>([...Object.entries(record), [key, value]]);
  return wrap<T>(v.shape, write(v.root, v.shape.shift, i, value));
}

/** `record` with several keys changed at once (a history load): one pass, one new record. */
export function withValues<T>(record: Readonly<Record<string, T>>, changes: ReadonlyMap<string, T>): Readonly<Record<string, T>> {
  if (changes.size === 0) return record;
  if (changes.size < 8) return [...changes].reduce((r, [k, v]) => withValue(r, k, v), record);
  return targetRecord<T>([...Object.entries(record), ...changes]);
}
