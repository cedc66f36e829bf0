/**
 * A strict little XML reader for the SVG tests (node_modules has no XML parser): elements, attributes and text, with
 * the five predefined entities and character references. Anything it does not understand is an error, so a passing
 * parse also says the document is well-formed: tags balance, one root, no raw `<` or stray `&`, no duplicate attribute.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

const NAME = '[A-Za-z_][\\w:.-]*';
const OPEN_TAG = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
const CLOSE_TAG = new RegExp(`^</(${NAME})\\s*>`);
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i, i + 10_000);
    if (rest.startsWith('</')) {
      const match = CLOSE_TAG.exec(rest);
      const open = stack.pop();
      if (!match || !open || open.name !== match[1]) throw new Error(`bad close tag at ${i}: ${rest.slice(0, 40)}`);
      i += match[0].length;
    } else if (rest.startsWith('<')) {
      const match = OPEN_TAG.exec(rest);
      if (!match) throw new Error(`bad tag at ${i}: ${rest.slice(0, 60)}`);
      if (root && stack.length === 0) throw new Error(`second root element at ${i}`);
      const element: XmlElement = { name: match[1], attrs: parseAttributes(match[2]), children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else root = element;
      if (match[3] !== '/') stack.push(element);
      i += match[0].length;
    } else {
      const end = source.indexOf('<', i);
      const raw = source.slice(i, end === -1 ? source.length : end);
      const text = decode(raw);
      if (stack.length > 0) stack[stack.length - 1].text += text;
      else if (text.trim() !== '') throw new Error(`text outside the root at ${i}: ${raw.slice(0, 40)}`);
      i += raw.length;
    }
  }
  if (!root || stack.length > 0) throw new Error(`unclosed element ${stack.at(-1)?.name ?? '(no root)'}`);
  return root;
}

function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [, name, double, single] of source.matchAll(ATTRIBUTE)) {
    if (name in attrs) throw new Error(`duplicate attribute ${name}`);
    attrs[name] = decode(double ?? single);
  }
  return attrs;
}

function decode(raw: string): string {
  if (raw.replaceAll(ENTITY, '').includes('&')) throw new Error(`stray & in ${JSON.stringify(raw.slice(0, 60))}`);
  return raw.replaceAll(ENTITY, (_, name: string) =>
    name.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith('#')
        ? String.fromCodePoint(Number(name.slice(1)))
        : NAMED[name],
  );
}

/** Every element under `root` (itself included), depth first, in document order. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** The elements with this tag whose class list has `className`. */
export function byClass(root: XmlElement, name: string, className: string): XmlElement[] {
  return allElements(root).filter((e) => e.name === name && (e.attrs.class ?? '').split(' ').includes(className));
}
