import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigParseError } from '../src/lint/parse-error.js';
import { childElements, getAttribute, parseXml, textContent } from '../src/lint/xml.js';

/** Asserts that parsing fails with a ConfigParseError on `line` whose message matches `pattern`. */
function assertXmlError(text: string, line: number, pattern: RegExp): void {
  assert.throws(() => parseXml(text), (error: unknown) => {
    assert.ok(error instanceof ConfigParseError, `expected ConfigParseError, got ${String(error)}`);
    assert.equal(error.line, line, `line of "${error.message}"`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('elements and attributes keep their lines', () => {
  const root = parseXml([
    '<?xml version="1.0"?>',
    '<!-- a comment with <tags> -->',
    '<manifest xmlns:android="http://schemas.android.com/apk/res/android"',
    '    package="dev.vigil">',
    '  <uses-permission android:name="android.permission.CAMERA"/>',
    '  <application',
    '      android:label="Demo">',
    '    <service android:name=".Call" />',
    '  </application>',
    '</manifest>',
  ].join('\n'));
  assert.equal(root.name, 'manifest');
  assert.equal(root.line, 3);
  assert.equal(getAttribute(root, 'package')?.line, 4);
  const [permission, application] = childElements(root);
  assert.equal(permission?.line, 5);
  assert.equal(application?.line, 6);
  assert.equal(application && getAttribute(application, 'android:label')?.line, 7);
  assert.equal(application && childElements(application)[0]?.line, 8);
});

test('text: entities, character references and CDATA are decoded', () => {
  const root = parseXml("<s a='&quot;x&apos;'>a &lt;b&gt; &amp; &#65;&#x263A; &unknown; <![CDATA[<raw> & ]]></s>");
  assert.equal(textContent(root), 'a <b> & A\u263A &unknown; <raw> & ');
  assert.equal(getAttribute(root, 'a')?.value, '"x\'');
});

test('a DOCTYPE with quoted ">" and an internal subset is skipped', () => {
  const root = parseXml('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "x>y" [ <!ENTITY e "v"> ]>\n<plist/>');
  assert.equal(root.name, 'plist');
  assert.equal(root.line, 2);
});

test('comments and whitespace after the root are accepted', () => {
  assert.equal(parseXml('<a>\n</a>\n<!-- end -->\n').name, 'a');
});

test('malformed documents fail with the line of the problem', () => {
  assertXmlError('<a>\n  <b>\n  </a>', 3, /<\/a> does not close <b> opened on line 2/);
  assertXmlError('<a>\n  <b>\n', 2, /<b> is never closed/);
  assertXmlError('<a/>\n<b/>', 2, /second root element <b>/);
  assertXmlError('<a/>\ntext', 2, /text outside the root element/);
  assertXmlError('<a\n  x=1/>', 2, /must be quoted/);
  assertXmlError('<a x="1"\n y/>', 2, /attribute y has no value/);
  assertXmlError('<a>\n&#0;</a>', 2, /invalid character reference/);
  assertXmlError('<a>\n<!-- open', 2, /unterminated comment/);
  assertXmlError('</a>', 1, /without an opening tag/);
  assertXmlError('<a x="<"/>', 1, /"<" in the value/);
  assertXmlError('   \n  ', 2, /no root element/);
});
