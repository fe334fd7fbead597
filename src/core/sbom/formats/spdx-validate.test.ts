/**
 * The SPDX 2.3 validator: a valid document of ours passes, and each rule, broken on its own in
 * that document, is reported at its JSON path with a message that names the rule.
 */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { toSpdxJson } from './spdx.js';
import { assertValidSpdx, validateSpdxDocument, type SpdxProblem } from './spdx-validate.js';
import { sampleDocument } from './test-support/sample-document.js';

type Doc = Record<string, unknown> & {
  packages: Record<string, unknown>[];
  relationships: Record<string, unknown>[];
  creationInfo: Record<string, unknown>;
  hasExtractedLicensingInfos: Record<string, unknown>[];
};

function validDocument(): Doc {
  return JSON.parse(
    toSpdxJson(sampleDocument(), { documentNamespace: 'https://portcullis.dev/spdx/t' }),
  ) as Doc;
}

const pkg = (doc: Doc, i: number) => doc.packages[i] as Record<string, unknown>;

/** name, how to break a valid document, the path reported, what the message says. */
const BROKEN: [string, (doc: Doc) => void, string, RegExp][] = [
  [
    'a dangling relationship end',
    (d) =>
      d.relationships.push({
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: 'SPDXRef-gone',
      }),
    'relationships[6].relatedSpdxElement',
    /"SPDXRef-gone" is not an element of this document/,
  ],
  [
    'a relationship from an undeclared external document',
    (d) => ((d.relationships[0] as Record<string, unknown>).spdxElementId = 'DocumentRef-other:SPDXRef-x'),
    'relationships[0].spdxElementId',
    /not an element of this document or of a declared external document/,
  ],
  [
    'a described element that does not exist',
    (d) => (d.documentDescribes = ['SPDXRef-missing']),
    'documentDescribes[0]',
    /"SPDXRef-missing" is not an element/,
  ],
  [
    'an undeclared LicenseRef',
    (d) => (pkg(d, 1).licenseDeclared = 'MIT AND LicenseRef-secret'),
    'packages[1].licenseDeclared',
    /LicenseRef-secret is not declared in hasExtractedLicensingInfos/,
  ],
  [
    'a LicenseRef declared twice',
    (d) => d.hasExtractedLicensingInfos.push({ ...d.hasExtractedLicensingInfos[0] }),
    'hasExtractedLicensingInfos[1].licenseId',
    /declared twice \(first at hasExtractedLicensingInfos\[0\]\.licenseId\)/,
  ],
  [
    'a date with a time zone offset',
    (d) => (d.creationInfo.created = '2026-01-02T03:04:05+01:00'),
    'creationInfo.created',
    /UTC date YYYY-MM-DDThh:mm:ssZ/,
  ],
  [
    'a date that is no calendar date',
    (d) => (d.creationInfo.created = '2026-02-30T03:04:05Z'),
    'creationInfo.created',
    /not a real calendar date/,
  ],
  [
    'an SPDXID with a character outside the pattern',
    (d) => (pkg(d, 2).SPDXID = 'SPDXRef-pkg_with_underscore'),
    'packages[2].SPDXID',
    /"SPDXRef-" followed by letters, digits/,
  ],
  [
    'an invalid licence expression',
    (d) => (pkg(d, 1).licenseDeclared = 'MIT OR'),
    'packages[1].licenseDeclared',
    /"MIT OR" is not a valid SPDX licence expression/,
  ],
  [
    'a licence id not on the SPDX list',
    (d) => (pkg(d, 1).licenseDeclared = 'GPL-2.0-or-later WITH No-such-exception'),
    'packages[1].licenseDeclared',
    /not a valid SPDX licence expression/,
  ],
  [
    'a lower-case operator',
    (d) => (pkg(d, 1).licenseDeclared = 'MIT or Apache-2.0'),
    'packages[1].licenseDeclared',
    /operator "or" must be written in upper case/,
  ],
  [
    'a duplicate SPDXID',
    (d) => (pkg(d, 3).SPDXID = pkg(d, 2).SPDXID),
    'packages[3].SPDXID',
    /duplicate SPDXID .* \(first defined at packages\[2\]\.SPDXID\)/,
  ],
  ['an unknown property', (d) => (pkg(d, 1).vendor = 'x'), 'packages[1].vendor', /not an SPDX 2.3 property/],
  ['a missing required field', (d) => delete pkg(d, 1).name, 'packages[1].name', /is required/],
  ['another SPDX version', (d) => (d.spdxVersion = 'SPDX-2.2'), 'spdxVersion', /must be "SPDX-2.3"/],
  ['another data licence', (d) => (d.dataLicense = 'CC-BY-4.0'), 'dataLicense', /must be "CC0-1.0"/],
  [
    'a namespace with "#"',
    (d) => (d.documentNamespace = 'https://x.test/doc#1'),
    'documentNamespace',
    /must not contain "#"/,
  ],
  ['a relative namespace', (d) => (d.documentNamespace = 'spdx/doc'), 'documentNamespace', /absolute URI/],
  [
    'a relationship type not in SPDX 2.3',
    (d) => ((d.relationships[0] as Record<string, unknown>).relationshipType = 'INCLUDES'),
    'relationships[0].relationshipType',
    /"INCLUDES" is not an SPDX 2.3 relationship type/,
  ],
  [
    'a checksum of the wrong length',
    (d) => (pkg(d, 2).checksums = [{ algorithm: 'SHA256', checksumValue: 'ab'.repeat(20) }]),
    'packages[2].checksums[0].checksumValue',
    /SHA256 checksum has 64 hex digits, not 40/,
  ],
  [
    'an unknown checksum algorithm',
    (d) => (pkg(d, 2).checksums = [{ algorithm: 'CRC32', checksumValue: 'abcd1234' }]),
    'packages[2].checksums[0].algorithm',
    /"CRC32" is not an SPDX 2.3 checksum algorithm/,
  ],
  [
    'an unknown reference category',
    (d) =>
      ((
        (pkg(d, 1).externalRefs as Record<string, unknown>[])[0] as Record<string, unknown>
      ).referenceCategory = 'PACKAGE'),
    'packages[1].externalRefs[0].referenceCategory',
    /not an SPDX 2.3 external reference category/,
  ],
  [
    'a purl in the SECURITY category',
    (d) =>
      ((
        (pkg(d, 1).externalRefs as Record<string, unknown>[])[0] as Record<string, unknown>
      ).referenceCategory = 'SECURITY'),
    'packages[1].externalRefs[0].referenceCategory',
    /reference type "purl" belongs to category PACKAGE-MANAGER/,
  ],
  [
    'a cpe23Type locator that is no CPE 2.3 name',
    (d) =>
      (pkg(d, 1).externalRefs = [
        { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'openssl' },
      ]),
    'packages[1].externalRefs[0].referenceLocator',
    /a cpe23Type locator starts with "cpe:2.3:"/,
  ],
  [
    'an unknown package purpose',
    (d) => (pkg(d, 1).primaryPackagePurpose = 'PLUGIN'),
    'packages[1].primaryPackagePurpose',
    /not an SPDX 2.3 primary package purpose/,
  ],
  [
    'files of a package whose files were not analyzed',
    (d) => (pkg(d, 1).packageVerificationCode = { packageVerificationCodeValue: 'a'.repeat(40) }),
    'packages[1].packageVerificationCode',
    /must be omitted when filesAnalyzed is false/,
  ],
  [
    'a supplier without its kind',
    (d) => (pkg(d, 1).supplier = 'Debian'),
    'packages[1].supplier',
    /NOASSERTION or start with "Person: " or "Organization: "/,
  ],
  [
    'a creator without its kind',
    (d) => (d.creationInfo.creators = ['portcullis']),
    'creationInfo.creators[0]',
    /"Tool: "/,
  ],
  [
    'hasFiles naming no file',
    (d) => {
      pkg(d, 1).filesAnalyzed = true;
      pkg(d, 1).hasFiles = ['SPDXRef-File-x'];
    },
    'packages[1].hasFiles[0]',
    /file "SPDXRef-File-x" is not a file of this document/,
  ],
  [
    'a file without a SHA1 checksum',
    (d) =>
      (d.files = [
        {
          fileName: './a',
          SPDXID: 'SPDXRef-File-a',
          checksums: [{ algorithm: 'MD5', checksumValue: 'a'.repeat(32) }],
        },
      ]),
    'files[0].checksums',
    /a file needs a SHA1 checksum/,
  ],
];

describe('validateSpdxDocument', () => {
  it('accepts the SPDX 2.3 document we write for the sample SBOM', () => {
    expect(validateSpdxDocument(validDocument())).toEqual([]);
  });

  for (const [name, breakIt, path, message] of BROKEN) {
    it(`reports ${name}`, () => {
      const doc = validDocument();
      breakIt(doc);
      const problems = validateSpdxDocument(doc);
      expect(problems, JSON.stringify(problems)).toContainEqual({
        path,
        message: expect.stringMatching(message) as string,
      });
    });
  }

  it('reports every problem at once, not only the first', () => {
    const doc = validDocument();
    for (const [, breakIt] of BROKEN.slice(0, 6)) breakIt(doc);
    expect(validateSpdxDocument(doc).length).toBeGreaterThanOrEqual(6);
  });

  it('accepts references to elements of a declared external document and NONE as related element', () => {
    const doc = validDocument();
    doc.externalDocumentRefs = [
      {
        externalDocumentId: 'DocumentRef-base',
        spdxDocument: 'https://portcullis.dev/spdx/base',
        checksum: { algorithm: 'SHA1', checksumValue: 'a'.repeat(40) },
      },
    ];
    doc.relationships.push(
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'AMENDS',
        relatedSpdxElement: 'DocumentRef-base:SPDXRef-DOCUMENT',
      },
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'SPECIFICATION_FOR',
        relatedSpdxElement: 'NONE',
      },
    );
    pkg(doc, 1).licenseDeclared = 'DocumentRef-base:LicenseRef-inherited OR MIT';
    expect(validateSpdxDocument(doc)).toEqual([]);
  });

  it('rejects what is not an object', () => {
    expect(validateSpdxDocument([])).toEqual([{ path: '$', message: 'an SPDX JSON document is an object' }]);
  });
});

describe('lenient mode (SPDX from other tools)', () => {
  it('accepts SPDX 2.2, extra properties and values outside our own vocabulary', () => {
    const doc = validDocument();
    doc.spdxVersion = 'SPDX-2.2';
    doc.creationInfo.created = '2026-01-02T03:04:05.123Z';
    pkg(doc, 1).vendorExtension = { any: 'thing' };
    pkg(doc, 1).licenseDeclared = 'mit';
    pkg(doc, 1).primaryPackagePurpose = 'PLUGIN';
    doc.relationships.push({
      spdxElementId: 'SPDXRef-x',
      relationshipType: 'OTHER',
      relatedSpdxElement: 'SPDXRef-y',
    });
    expect(validateSpdxDocument(doc, 'lenient')).toEqual([]);
  });

  it('still rejects broken structure and duplicate SPDXIDs, with every problem listed', () => {
    const doc = validDocument();
    doc.spdxVersion = 'SPDX-3.0';
    delete pkg(doc, 1).SPDXID;
    pkg(doc, 2).name = 42;
    pkg(doc, 3).SPDXID = pkg(doc, 0).SPDXID;
    const problems: SpdxProblem[] = validateSpdxDocument(doc, 'lenient');
    expect(problems.map((p) => p.path).sort()).toEqual(
      ['packages[1].SPDXID', 'packages[2].name', 'packages[3].SPDXID', 'spdxVersion'].sort(),
    );
  });

  it('assertValidSpdx throws INVALID_ARGUMENT listing the problems', () => {
    const doc = validDocument();
    delete pkg(doc, 1).name;
    let caught: unknown;
    try {
      assertValidSpdx(doc, 'strict', 'out.spdx.json');
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(
      /^out\.spdx\.json: not a valid SPDX 2\.3 JSON document \(1 problem\):\n {2}packages\[1\]\.name: is required$/,
    );
  });
});
