/**
 * Finding a yum repository's updateinfo: `mirror.list` names the repository base URL (first
 * line), `repodata/repomd.xml` names the updateinfo file (content-addressed, so its name
 * changes with every update). Pure functions over the downloaded texts.
 */
import { PortcullisError } from '../../../errors.js';
import { childNamed, childrenNamed, parseXml } from '../../io/xml.js';

export function mirrorBase(text: string, file: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(line.replace('$basearch', 'x86_64'));
  } catch {
    throw new PortcullisError('FEED_CORRUPT', `${file}: first line is not a URL`, { details: { file } });
  }
  if (url.protocol !== 'https:') {
    throw new PortcullisError('FEED_CORRUPT', `${file}: mirror ${url.href} is not https`, {
      details: { file },
    });
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** `repodata/<hash>-updateinfo.xml.gz` from repomd.xml; a relative path inside the repository. */
export function updateinfoLocation(text: string, file: string): string {
  const root = parseXml(text, file);
  const data = childrenNamed(root, 'data').find((d) => d.attributes.type === 'updateinfo');
  const href = data ? childNamed(data, 'location')?.attributes.href : undefined;
  if (!href || /^[a-z]+:|^\/|(^|\/)\.\.(\/|$)/i.test(href)) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: no usable updateinfo location`, {
      details: { file },
    });
  }
  if (!/\.xml(\.gz)?$/.test(href)) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: updateinfo "${href}" is neither XML nor gzip`, {
      details: { file, href },
    });
  }
  return href;
}
