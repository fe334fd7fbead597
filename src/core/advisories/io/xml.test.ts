/** The XML reader against Python's ElementTree (ground truth) and xmllint for rejections. */
import { describe, expect, it } from 'vitest';
import { q, sh } from '../test-support/feed-data.js';
import { parseXml, type XmlElement } from './xml.js';

interface Plain {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Plain[];
}

const TO_JSON = `import sys, json, xml.etree.ElementTree as E
def conv(e):
    text = (e.text or '') + ''.join(c.tail or '' for c in e)
    return {'name': e.tag, 'attributes': dict(e.attrib), 'text': text, 'children': [conv(c) for c in e]}
print(json.dumps(conv(E.fromstring(sys.stdin.read()))))`;

function plain(e: XmlElement): Plain {
  return { name: e.name, attributes: e.attributes, text: e.text, children: e.children.map(plain) };
}

const CASES: [string, string][] = [
  [
    'updateinfo shape',
    '<?xml version="1.0" ?>\n<updates>\n  <update type="security" version="1.4">\n    <id>ALAS2-2023-1</id>\n    <issued date="2023-03-09 19:28" />\n    <package arch=\'x86_64\' epoch="1" name="openssl"><filename>a.rpm</filename></package>\n  </update>\n</updates>\n',
  ],
  ['entities and character references', '<a t="&lt;&amp;&quot;&apos;&gt;">x &#65;&#x42; &amp;amp; &gt;</a>'],
  ['CDATA and comments', '<a><!-- c --><![CDATA[<b>&amp;</b>]]>tail<b/><!-- d -->end</a>'],
  ['utf-8 text', '<a>Débian ☃ \u{1F600}</a>'],
];

describe('parseXml', () => {
  for (const [name, text] of CASES) {
    it(`matches ElementTree on ${name}`, () => {
      const expected = JSON.parse(sh(`python3 -c ${q(TO_JSON)}`, text)) as Plain;
      expect(plain(parseXml(text, 'case.xml'))).toEqual(expected);
    });
  }

  it('keeps namespace prefixes and matches local names', () => {
    const root = parseXml(
      '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm"><rpm:revision>1</rpm:revision></repomd>',
      'repomd.xml',
    );
    expect(root.children[0]?.name).toBe('rpm:revision');
  });

  const BAD: [string, string][] = [
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed element', '<a><b></b>'],
    ['bare ampersand', '<a>x & y</a>'],
    ['undefined entity', '<a>&nbsp;</a>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'x<a/>'],
    ['a DOCTYPE with entities', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
  ];
  for (const [name, text] of BAD) {
    it(`rejects ${name} with FEED_CORRUPT`, () => {
      if (!name.includes('DOCTYPE')) {
        // xmllint agrees the document is not well-formed (exit status 1).
        expect(() => sh('xmllint --noout - 2>/dev/null', text)).toThrow();
      }
      expect(() => parseXml(text, 'bad.xml')).toThrow(expect.objectContaining({ code: 'FEED_CORRUPT' }));
    });
  }
});
