'use strict';
// Well-formedness of what sagd answers, checked on the raw bytes of every response the raw paths
// of the harness receive: XML bodies must be well-formed XML 1.0 in UTF-8, JSON bodies valid
// UTF-8 JSON. A small checker of the XML this server can write (elements, attributes, text,
// character and entity references, CDATA, comments, the declaration); it throws on anything else.

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Decodes bytes as UTF-8, throwing on any ill-formed sequence (never replacing it).
function decodeUtf8(bytes, what) {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error(`${what} is not valid UTF-8: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  }
}

// The characters XML 1.0 allows in a document.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME = '[A-Za-z_:\\u00C0-\\uFFFD][A-Za-z0-9._:\\-\\u00B7\\u00C0-\\uFFFD]*';
const ATTRIBUTE = `\\s+${NAME}\\s*=\\s*(?:"[^<"]*"|'[^<']*')`;
const DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const TOKEN = new RegExp(
  `<!--([\\s\\S]*?)-->|<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|<(${NAME})((?:${ATTRIBUTE})*)\\s*(/?)>|</(${NAME})\\s*>|([^<]+)|(<)`,
  'gu');
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/gu;

function checkReferences(text, where) {
  if (text.includes(']]>')) throw new Error(`XML: "]]>" in character data at ${where}`);
  const stripped = text.replace(REFERENCE, (all, named, dec, hex) => {
    if (named) return '';
    const code = dec !== undefined ? Number(dec) : parseInt(hex, 16);
    if (!(code <= 0x10FFFF) || NOT_XML_CHAR.test(String.fromCodePoint(code))) {
      throw new Error(`XML: reference ${all} is not a character XML allows (at ${where})`);
    }
    return '';
  });
  if (stripped.includes('&')) throw new Error(`XML: a bare '&' at ${where}`);
}

/**
 * Throws unless text is a well-formed XML 1.0 document: allowed characters only, at most one
 * declaration (first), exactly one root element, balanced tags, valid references.
 */
function checkXmlText(text) {
  const bad = text.match(NOT_XML_CHAR);
  if (bad) {
    throw new Error(`XML: character U+${bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0')} ` +
                    `is not allowed (at ${bad.index})`);
  }
  let body = text;
  const decl = body.match(DECLARATION);
  if (decl) body = body.slice(decl[0].length);
  else if (body.startsWith('<?xml')) throw new Error('XML: malformed declaration');
  const stack = [];
  let roots = 0;
  let m;
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(body)) !== null) {
    const [, comment, cdata, open, attrs, selfClose, close, chars, stray] = m;
    if (stray !== undefined) throw new Error(`XML: stray '<' at ${m.index}`);
    if (comment !== undefined) {
      if (comment.includes('--')) throw new Error(`XML: "--" inside a comment at ${m.index}`);
      continue;
    }
    if (cdata !== undefined) {
      if (stack.length === 0) throw new Error(`XML: CDATA outside the root at ${m.index}`);
      continue;
    }
    if (open !== undefined) {
      if (stack.length === 0 && ++roots > 1) throw new Error(`XML: a second root <${open}>`);
      if (attrs) checkReferences(attrs, m.index);
      if (selfClose !== '/') stack.push(open);
      continue;
    }
    if (close !== undefined) {
      const top = stack.pop();
      if (top !== close) throw new Error(`XML: </${close}> closes <${top}> at ${m.index}`);
      continue;
    }
    if (stack.length === 0) {
      if (/\S/.test(chars)) throw new Error(`XML: text outside the root at ${m.index}`);
    } else {
      checkReferences(chars, m.index);
    }
  }
  if (stack.length !== 0) throw new Error(`XML: <${stack[stack.length - 1]}> is never closed`);
  if (roots !== 1) throw new Error('XML: no root element');
}

/**
 * Checks a response body by its Content-Type: XML must be well-formed UTF-8 XML, JSON valid UTF-8
 * JSON; other types are not checked. Throws an Error saying what is wrong.
 */
function checkResponseBody(contentType, bytes) {
  const type = String(contentType || '').toLowerCase();
  if (type.includes('xml')) {
    checkXmlText(decodeUtf8(bytes, 'XML body'));
  } else if (type.includes('json')) {
    const text = decodeUtf8(bytes, 'JSON body');
    try {
      JSON.parse(text);
    } catch (e) {
      throw new Error(`JSON body does not parse (${e.message}): ${JSON.stringify(text.slice(0, 200))}`);
    }
  }
}

module.exports = { checkResponseBody, checkXmlText, decodeUtf8 };
