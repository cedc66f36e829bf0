/**
 * kubectl's own JSONPath tests (k8s.io/client-go/util/jsonpath jsonpath_test.go and parser_test.go), run through our
 * template parser and evaluator. Go inputs become the JSON kubectl would decode; where kubectl would print a Go
 * struct's fields in declaration order, the expectation here has the keys sorted, as kubectl prints every object it
 * reads from the API (a map). Left out, as kubectl get runs with missing keys allowed: the cases that expect an error
 * for a missing key ("hello is not found", a filter over items without the key).
 */
import { describe, expect, it } from 'vitest';
import { runTemplate } from '../../src/ui/jsonpath/template-eval.js';
import { parseTemplate } from '../../src/ui/jsonpath/template-parser.js';
import { TemplateRunError, TemplateSyntaxError } from '../../src/ui/jsonpath/template-syntax.js';

const run = (template: string, input: unknown) => runTemplate(parseTemplate(template), input);

/** One case: a name, a template, the input and the text expected, or `Error` for a failure (parse or run). */
type Case = [name: string, template: string, input: unknown, expected: string | typeof Error];

function check([name, template, input, expected]: Case) {
  if (expected === Error) {
    expect(() => run(template, input), name).toThrow(/./);
    try {
      run(template, input);
    } catch (error) {
      expect(error instanceof TemplateSyntaxError || error instanceof TemplateRunError, name).toBe(true);
    }
    return;
  }
  expect(run(template, input), name).toBe(expected);
}

const types = {
  bools: [true, false, true, false],
  integers: [1, 2, 3, 4],
  floats: [1.0, 2.2, 3.3, 4.0],
  strings: ['one', 'two', 'three', 'four'],
  interfaces: [true, 'one', 1, 1.1],
  maps: [
    { name: 'one', value: 1 },
    { name: 'two', value: 2.02 },
    { name: 'three', value: 3.03 },
    { name: 'four', value: 4.04 },
  ],
  structs: [
    { name: 'one', value: 1, type: 'integer' },
    { name: 'two', value: 2.002, type: 'float' },
    { name: 'three', value: 3, type: 'integer' },
    { name: 'four', value: 4.004, type: 'float' },
  ],
};

describe('TestTypesInput', () => {
  it.each<Case>([
    ['boolSlice', '{ .bools }', types, '[true,false,true,false]'],
    ['boolSliceIndex', '{ .bools[0] }', types, 'true'],
    ['boolSliceIndex', '{ .bools[-1] }', types, 'false'],
    ['boolSubSlice', '{ .bools[0:2] }', types, 'true false'],
    ['boolSubSliceFirst2', '{ .bools[:2] }', types, 'true false'],
    ['boolSubSliceStep2', '{ .bools[:4:2] }', types, 'true true'],
    ['integerSlice', '{ .integers }', types, '[1,2,3,4]'],
    ['integerSliceIndex', '{ .integers[0] }', types, '1'],
    ['integerSliceIndexReverse', '{ .integers[-2] }', types, '3'],
    ['integerSubSliceFirst2', '{ .integers[0:2] }', types, '1 2'],
    ['integerSubSliceFirst2Alt', '{ .integers[:2] }', types, '1 2'],
    ['integerSubSliceStep2', '{ .integers[:4:2] }', types, '1 3'],
    ['floatSlice', '{ .floats }', types, '[1,2.2,3.3,4]'],
    ['floatSliceIndex', '{ .floats[0] }', types, '1'],
    ['floatSliceIndexReverse', '{ .floats[-2] }', types, '3.3'],
    ['floatSubSliceFirst2', '{ .floats[0:2] }', types, '1 2.2'],
    ['floatSubSliceFirst2Alt', '{ .floats[:2] }', types, '1 2.2'],
    ['floatSubSliceStep2', '{ .floats[:4:2] }', types, '1 3.3'],
    ['stringSlice', '{ .strings }', types, '["one","two","three","four"]'],
    ['stringSliceIndex', '{ .strings[0] }', types, 'one'],
    ['stringSliceIndexReverse', '{ .strings[-2] }', types, 'three'],
    ['stringSubSliceFirst2', '{ .strings[0:2] }', types, 'one two'],
    ['stringSubSliceFirst2Alt', '{ .strings[:2] }', types, 'one two'],
    ['stringSubSliceStep2', '{ .strings[:4:2] }', types, 'one three'],
    ['interfaceSlice', '{ .interfaces }', types, '[true,"one",1,1.1]'],
    ['interfaceSliceIndex', '{ .interfaces[0] }', types, 'true'],
    ['interfaceSliceIndexReverse', '{ .interfaces[-2] }', types, '1'],
    ['interfaceSubSliceFirst2', '{ .interfaces[0:2] }', types, 'true one'],
    ['interfaceSubSliceFirst2Alt', '{ .interfaces[:2] }', types, 'true one'],
    ['interfaceSubSliceStep2', '{ .interfaces[:4:2] }', types, 'true 1'],
    [
      'mapSlice',
      '{ .maps }',
      types,
      '[{"name":"one","value":1},{"name":"two","value":2.02},{"name":"three","value":3.03},{"name":"four","value":4.04}]',
    ],
    ['mapSliceIndex', '{ .maps[0] }', types, '{"name":"one","value":1}'],
    ['mapSliceIndexReverse', '{ .maps[-2] }', types, '{"name":"three","value":3.03}'],
    ['mapSubSliceFirst2', '{ .maps[0:2] }', types, '{"name":"one","value":1} {"name":"two","value":2.02}'],
    ['mapSubSliceFirst2Alt', '{ .maps[:2] }', types, '{"name":"one","value":1} {"name":"two","value":2.02}'],
    ['mapSubSliceStepOdd', '{ .maps[::2] }', types, '{"name":"one","value":1} {"name":"three","value":3.03}'],
    ['mapSubSliceStepEven', '{ .maps[1::2] }', types, '{"name":"two","value":2.02} {"name":"four","value":4.04}'],
    [
      'structSlice',
      '{ .structs }',
      types,
      '[{"name":"one","type":"integer","value":1},{"name":"two","type":"float","value":2.002},' +
        '{"name":"three","type":"integer","value":3},{"name":"four","type":"float","value":4.004}]',
    ],
    ['structSliceIndex', '{ .structs[0] }', types, '{"name":"one","type":"integer","value":1}'],
    ['structSliceIndexReverse', '{ .structs[-2] }', types, '{"name":"three","type":"integer","value":3}'],
    [
      'structSubSliceFirst2',
      '{ .structs[0:2] }',
      types,
      '{"name":"one","type":"integer","value":1} {"name":"two","type":"float","value":2.002}',
    ],
    [
      'structSubSliceStepEven',
      '{ .structs[1::2] }',
      types,
      '{"name":"two","type":"float","value":2.002} {"name":"four","type":"float","value":4.004}',
    ],
  ])('%s: %s', (...c) => check(c));
});

const store = {
  Book: [
    { Category: 'reference', Author: 'Nigel Rees', Title: 'Sayings of the Centurey', Price: 8.95 },
    { Category: 'fiction', Author: 'Evelyn Waugh', Title: 'Sword of Honour', Price: 12.99 },
    { Category: 'fiction', Author: 'Herman Melville', Title: 'Moby Dick', Price: 8.99 },
  ],
  Bicycle: [
    { Color: 'red', Price: 19.95, IsNew: true },
    { Color: 'green', Price: 20.01, IsNew: false },
  ],
  Name: 'jsonpath',
  Labels: { engieer: 10, 'web/html': 15, 'k8s-app': 20 },
  Employees: { jason: 'manager', dan: 'clerk' },
};

describe('TestStructInput', () => {
  it.each<Case>([
    ['plain', 'hello jsonpath', null, 'hello jsonpath'],
    ['recursive', '{..}', [1, 2, 3], '[1,2,3]'],
    ['filter', '{[?(@<5)]}', [2, 6, 3, 7], '2 3'],
    ['quote', '{"{"}', null, '{'],
    ['union', '{[1,3,4]}', [0, 1, 2, 3, 4], '1 3 4'],
    ['array', '{[0:2]}', ['Monday', 'Tudesday'], 'Monday Tudesday'],
    ['variable', 'hello {.Name}', store, 'hello jsonpath'],
    ['dict/', '{$.Labels.web/html}', store, '15'],
    ['dict/', '{$.Employees.jason}', store, 'manager'],
    ['dict/', '{$.Employees.dan}', store, 'clerk'],
    ['dict-', '{.Labels.k8s-app}', store, '20'],
    ['nest', '{.Bicycle[*].Color}', store, 'red green'],
    ['allarray', '{.Book[*].Author}', store, 'Nigel Rees Evelyn Waugh Herman Melville'],
    ['allfields', '{range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end}', store, '{red 19.95 true} {green 20.01 false} '],
    ['recurfields', '{..Price}', store, '8.95 12.99 8.99 19.95 20.01'],
    ['recurdotfields', '{...Price}', store, '8.95 12.99 8.99 19.95 20.01'],
    ['superrecurfields', '{............................................................Price}', store, Error],
    [
      'allstructsSlice',
      '{.Bicycle}',
      store,
      '[{"Color":"red","IsNew":true,"Price":19.95},{"Color":"green","IsNew":false,"Price":20.01}]',
    ],
    [
      'allstructs',
      '{range .Bicycle[*]}{ @ }{ " " }{end}',
      store,
      '{"Color":"red","IsNew":true,"Price":19.95} {"Color":"green","IsNew":false,"Price":20.01} ',
    ],
    [
      'lastarray',
      '{.Book[-1:]}',
      store,
      '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}',
    ],
    [
      'recurarray',
      '{..Book[2]}',
      store,
      '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}',
    ],
    ['bool', '{.Bicycle[?(@.IsNew==true)]}', store, '{"Color":"red","IsNew":true,"Price":19.95}'],
    // missingKeyTests (missing keys allowed, as in kubectl get)
    ['nonexistent field', '{.hello}', store, ''],
    ['nonexistent field 2', 'before-{.hello}after', store, 'before-after'],
  ])('%s: %s', (...c) => check(c));

  it.each([
    ['invalid identifier', '{hello}', 'unrecognized identifier hello'],
    ['invalid array', '{.Labels[0]}', 'map[string]interface {} is not array or slice'],
    ['invalid filter operator', '{.Book[?(@.Price<>10)]}', 'unrecognized filter operator <>'],
    ['redundant end', '{range .Labels.*}{@}{end}{end}', 'not in range, nothing to end'],
  ])('failStoreTests %s: %s fails with "%s"', (_name, template, message) => {
    expect(() => run(template, store)).toThrow(message);
  });
});

const points = [
  { id: 'i1', x: 4, y: -5 },
  { id: 'i2', x: -2, y: -5, z: 1 },
  { id: 'i3', x: 8, y: 3 },
  { id: 'i4', x: -6, y: -1 },
  { id: 'i5', x: 0, y: 2, z: 1 },
  { id: 'i6', x: 1, y: 4 },
];

const nodes = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: { capacity: { cpu: '4' }, ready: true, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }] },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2', labels: { 'kubernetes.io/hostname': '127.0.0.2' } },
      status: {
        capacity: { cpu: '8' },
        ready: false,
        addresses: [
          { type: 'LegacyHostIP', address: '127.0.0.2' },
          { type: 'another', address: '127.0.0.3' },
        ],
      },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

describe('TestJSONInput and TestKubernetes', () => {
  it.each<Case>([
    ['exists filter', '{[?(@.z)].id}', points, 'i2 i5'],
    ['bracket key', "{[0]['id']}", points, 'i1'],
    ['range item', '{range .items[*]}{.metadata.name}, {end}{.kind}', nodes, '127.0.0.1, 127.0.0.2, List'],
    ['range item with quote', '{range .items[*]}{.metadata.name}{"\\t"}{end}', nodes, '127.0.0.1\t127.0.0.2\t'],
    ['range addresss', '{.items[*].status.addresses[*].address}', nodes, '127.0.0.1 127.0.0.2 127.0.0.3'],
    [
      'double range',
      '{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}',
      nodes,
      '127.0.0.1, 127.0.0.2, 127.0.0.3, ',
    ],
    ['item name', '{.items[*].metadata.name}', nodes, '127.0.0.1 127.0.0.2'],
    [
      'union nodes capacity',
      "{.items[*]['metadata.name', 'status.capacity']}",
      nodes,
      '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}',
    ],
    [
      'range nodes capacity',
      '{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}',
      nodes,
      '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
    ],
    ['user password', '{.users[?(@.name=="e2e")].user.password}', nodes, 'secret'],
    ['hostname', '{.items[0].metadata.labels.kubernetes\\.io/hostname}', nodes, '127.0.0.1'],
    ['hostname filter', '{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', nodes, 'None'],
    ['bool item', '{.items[?(@..ready==true)].metadata.name}', nodes, '127.0.0.1'],
  ])('%s: %s', (...c) => check(c));

  it('recursive name (any order): {..name}', () => {
    expect(run('{..name}', nodes).split(' ').sort()).toEqual(['127.0.0.1', '127.0.0.2', 'e2e', 'myself']);
  });
});

const pods = {
  items: [
    {
      metadata: { name: 'pod1' },
      spec: {
        containers: [
          { name: 'foo', another: [{ name: 'value1' }, { name: 'value2' }] },
          { name: 'bar', another: [{ name: 'value1' }, { name: 'value2' }] },
        ],
      },
    },
    {
      metadata: { name: 'pod2' },
      spec: { containers: [{ name: 'baz', another: [{ name: 'value1' }, { name: 'value2' }] }] },
    },
  ],
};

const annotated = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { name: 'pod1', annotations: { color: 'blue' } } },
    { kind: 'Pod', metadata: { name: 'pod2' } },
    { kind: 'Pod', metadata: { name: 'pod3', annotations: { color: 'green' } } },
    { kind: 'Pod', metadata: { name: 'pod4', annotations: { color: 'blue' } } },
  ],
};

const running = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { name: 'pod1' }, status: { phase: 'Running' } },
    { kind: 'Pod', metadata: { name: 'pod2' }, status: { phase: 'Running' } },
    { kind: 'Pod', metadata: { name: 'pod3' }, status: { phase: 'Running' } },
    { resourceVersion: '', selfLink: '' },
  ],
};

describe('TestEmptyRange, TestNestedRanges, TestFilterPartialMatches..., TestRunningPodsJSONPathOutput', () => {
  it.each<Case>([
    ['empty range', '{range .items[*]}{.metadata.name}{end}', { items: [] }, ''],
    [
      'empty nested range',
      '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}',
      { items: [] },
      '',
    ],
    [
      'nested range with a trailing newline',
      '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}',
      pods,
      'pod1:foo,bar,+pod2:baz,+',
    ],
    [
      'nested range with a trailing character within another nested range with a trailing newline',
      '{range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}' +
        '{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end}',
      pods,
      'pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#',
    ],
    [
      'two nested ranges at the same level with a trailing newline',
      '{range .items[*]}{.metadata.name}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\t"}' +
        '{range @.spec.containers[*]}{.name}{" "}{end}{"\\n"}{end}',
      pods,
      'pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n',
    ],
    [
      'filter, should only match a subset, some items do not have annotations, tolerate missing items',
      '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}',
      annotated,
      'pod1 pod4',
    ],
    [
      'range over pods without selecting the last one',
      '{range .items[?(.status.phase=="Running")]}{.metadata.name}{" is Running\\n"}{end}',
      running,
      'pod1 is Running\npod2 is Running\npod3 is Running\n',
    ],
  ])('%s', (...c) => check(c));
});

const containers = (n: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  spec: { containers: Array.from({ length: n }, (_, i) => ({ image: 'radial/busyboxplus:curl', name: `fake${i}` })) },
});

describe('TestNegativeIndex and TestStep', () => {
  it.each<Case>([
    ['test containers[0], it equals containers[0]', '{.spec.containers[0].name}', containers(4), 'fake0'],
    ['test containers[0:0], it equals the empty set', '{.spec.containers[0:0].name}', containers(4), ''],
    [
      'test containers[0:-1], it equals containers[0:3]',
      '{.spec.containers[0:-1].name}',
      containers(4),
      'fake0 fake1 fake2',
    ],
    ['test containers[-1:0], expect error', '{.spec.containers[-1:0].name}', containers(4), Error],
    ['test containers[-1], it equals containers[3]', '{.spec.containers[-1].name}', containers(4), 'fake3'],
    ['test containers[-1:], it equals containers[3:]', '{.spec.containers[-1:].name}', containers(4), 'fake3'],
    ['test containers[-2], it equals containers[2]', '{.spec.containers[-2].name}', containers(4), 'fake2'],
    ['test containers[-2:], it equals containers[2:]', '{.spec.containers[-2:].name}', containers(4), 'fake2 fake3'],
    ['test containers[-3], it equals containers[1]', '{.spec.containers[-3].name}', containers(4), 'fake1'],
    ['test containers[-4], it equals containers[0]', '{.spec.containers[-4].name}', containers(4), 'fake0'],
    [
      'test containers[-4:], it equals containers[0:]',
      '{.spec.containers[-4:].name}',
      containers(4),
      'fake0 fake1 fake2 fake3',
    ],
    ['test containers[-5], out of bounds', '{.spec.containers[-5].name}', containers(4), Error],
    ['test containers[5:5], expect empty set', '{.spec.containers[5:5].name}', containers(4), ''],
    ['test containers[-5:-5], expect empty set', '{.spec.containers[-5:-5].name}', containers(4), ''],
    ['test containers[3:1], start greater than end', '{.spec.containers[3:1].name}', containers(4), Error],
    ['test containers[-1:-2], start greater than end', '{.spec.containers[-1:-2].name}', containers(4), Error],
    [
      'test containers[0:], it equals containers[0:6:1]',
      '{.spec.containers[0:].name}',
      containers(6),
      'fake0 fake1 fake2 fake3 fake4 fake5',
    ],
    [
      'test containers[0:6:], it equals containers[0:6:1]',
      '{.spec.containers[0:6:].name}',
      containers(6),
      'fake0 fake1 fake2 fake3 fake4 fake5',
    ],
    ['test containers[0:6:1]', '{.spec.containers[0:6:1].name}', containers(6), 'fake0 fake1 fake2 fake3 fake4 fake5'],
    ['test containers[0:6:0], it errors', '{.spec.containers[0:6:0].name}', containers(6), Error],
    ['test containers[0:6:-1], it errors', '{.spec.containers[0:6:-1].name}', containers(6), Error],
    ['test containers[1:4:2]', '{.spec.containers[1:4:2].name}', containers(6), 'fake1 fake3'],
    ['test containers[1:4:3]', '{.spec.containers[1:4:3].name}', containers(6), 'fake1'],
    ['test containers[1:4:4]', '{.spec.containers[1:4:4].name}', containers(6), 'fake1'],
    ['test containers[0:6:2]', '{.spec.containers[0:6:2].name}', containers(6), 'fake0 fake2 fake4'],
    ['test containers[0:6:3]', '{.spec.containers[0:6:3].name}', containers(6), 'fake0 fake3'],
    ['test containers[0:6:5]', '{.spec.containers[0:6:5].name}', containers(6), 'fake0 fake5'],
    ['test containers[0:6:6]', '{.spec.containers[0:6:6].name}', containers(6), 'fake0'],
  ])('%s', (...c) => check(c));
});

describe('parser_test.go', () => {
  const book = { book: { price: 3 }, bicycle: { price: 7 } };
  it.each<Case>([
    ['arrayfiled', "hello {['jsonpath']}", { jsonpath: 'x' }, 'hello x'],
    ['arraydict', "{['book.price']}", book, '3'],
    // parses; on an object, its middle branch (an index) fails as kubectl's evalArray does
    ['union', "{['bicycle.price', 3, 'book.price']}", book, Error],
    // on a list: its names find nothing, its index the second element (as JSON, keys sorted)
    [
      'union on a list',
      "{['bicycle.price', 1, 'book.price']}",
      [book, book],
      '{"bicycle":{"price":7},"book":{"price":3}}',
    ],
    // `.items` is one value, the list: the block runs once, and a list has no .name
    ['range', '{range .items}{.name},{end}', { items: [{ name: 'a' }] }, ','],
    ['paired parentheses in quotes', '{[?(@.os == "()")].os}', [{ os: '()' }, { os: 'x' }], '()'],
    ['paired parentheses in double quotes with escapes', '{[?(@.os == "(\\"\\")")].os}', [{ os: '("")' }], '("")'],
    ['unregular parentheses in double quotes', '{[?(@.test == "())(")].test}', [{ test: '())(' }], '())('],
    ['plain text in single quotes', "{[?(@.os == 'Linux')].os}", [{ os: 'Linux' }, { os: 'x' }], 'Linux'],
    ['test filter suffix', '{[?(@.os == "{[()]}")].os}', [{ os: '{[()]}' }], '{[()]}'],
    ['double inside single', `{[?(@.os == "''")].os}`, [{ os: "''" }], "''"],
    ['single inside double', `{[?(@.os == '""')].os}`, [{ os: '""' }], '""'],
    ['single containing escaped single', "{[?(@.os == '\\\\\\'')].os}", [{ os: "\\'" }], "\\'"],
    ['negative index slice, a[len-5] to a[len-1]', '{[-5:]}', [0, 1, 2, 3, 4, 5], '1 2 3 4 5'],
    ['negative index slice, a[len-1]', '{[-1]}', [0, 1, 2], '2'],
    ['negative index slice, a[1] to a[len-1]', '{[1:-1]}', [0, 1, 2, 3], '1 2'],
  ])('%s: %s', (...c) => check(c));

  it.each([
    ['unclosed action', '{.hello', 'unclosed action'],
    ['unrecognized character', '{*}', "unrecognized character in action: U+002A '*'"],
    ['invalid number', '{+12.3.0}', 'cannot parse number +12.3.0'],
    ['unterminated array', '{[1}', 'unterminated array'],
    ['unterminated filter', '{[?(.price]}', 'unterminated filter'],
    ['invalid multiple recursive descent', '{........}', 'invalid multiple recursive descent'],
    ['malformat input', '{\\\\\\}', "unrecognized character in action: U+005C '\\'"],
  ])('TestFailParser %s: %s fails with "%s"', (_name, template, message) => {
    expect(() => parseTemplate(template)).toThrow(new TemplateSyntaxError(message));
  });
});
